#!/bin/sh
# cli_rotate_pg.sh: tests/cli_rotate.sh (`rotate-fernet-key`,
# `encrypt-plaintext` and `key probe` against a DB that Python wrote the way
# Airflow writes it, every result checked by Python's cryptography) on
# PostgreSQL: a throwaway server from tests/pg_server.sh, the DB written
# and read through psycopg2; the SQLite-only cases become another session's
# lock held past lock_timeout, the session killed while it waits for it,
# and a user with SELECT only. Skips with a clear message when the server
# binaries are missing.
: "${top_srcdir:=.}"
FERNCON_TEST_BACKEND=postgresql
. "$top_srcdir/tests/cli_rotate.sh"
