#!/bin/sh
# crash_rotate_pg.sh: tests/crash_rotate.sh (kill -9 of `ferncon
# rotate-fernet-key` on 100 k values, at random moments of its transaction
# and during COMMIT; after each kill every value opens, equal to its
# plaintext and timestamp, all under one key) on PostgreSQL: a throwaway
# server from tests/pg_server.sh, the DB filled through psycopg2 by
# tests/airflow_db.py, the kills placed by what the server says of
# ferncon's session. Skips with a clear message when the server binaries
# are missing.
: "${top_srcdir:=.}"
FERNCON_TEST_BACKEND=postgresql
. "$top_srcdir/tests/crash_rotate.sh"
