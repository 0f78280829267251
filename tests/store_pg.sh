#!/bin/sh
# store_pg.sh: the store suite on PostgreSQL. Starts a throwaway server
# (tests/pg_server.sh) and runs, against it, every case of test_store
# (the suite that also runs on SQLite) and test_store_pg (PostgreSQL's own
# failure cases: refused connection, bad password, missing table, a lock
# held by another session, a read-only user, a connection lost in the
# middle of a transaction), and test_connwin (the list's keyset-paged
# window and its filter terms, is:flagged included), as one TAP stream.
# Skips with a clear message when the server binaries are missing.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
. "$top_srcdir/tests/pg_server.sh"
pg_start_or_skip

FERNCON_TEST_PG_URL=$PG_URL
FERNCON_TEST_PG_ADMIN_URL="postgresql://postgres:$PG_ADMIN_PASSWORD@$PG_HOST:$PG_PORT/postgres"
export FERNCON_TEST_PG_URL FERNCON_TEST_PG_ADMIN_URL
CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT
pg_tap test_store "$top_builddir/tests/test_store"
pg_tap test_store_pg "$top_builddir/tests/test_store_pg"
pg_tap test_connwin "$top_builddir/tests/test_connwin"
pg_tap_plan
