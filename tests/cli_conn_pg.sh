#!/bin/sh
# cli_conn_pg.sh: tests/cli_conn.sh (the `connections` and `key status`
# commands against a DB that Python wrote the way Airflow writes) on
# PostgreSQL: a throwaway server from tests/pg_server.sh, the DB filled
# through psycopg2 by tests/airflow_db.py and read back by ferncon, and
# rows ferncon wrote read back by Python. Skips with a clear message when
# the server binaries are missing.
: "${top_srcdir:=.}"
FERNCON_TEST_BACKEND=postgresql
. "$top_srcdir/tests/cli_conn.sh"
