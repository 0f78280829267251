#!/bin/sh
# airauth_pg.sh: test_airauth (roles from Airflow: werkzeug hashes, rights,
# FAB's tables read through the store) on PostgreSQL, a throwaway server
# from tests/pg_server.sh, as one TAP stream. Skips with a clear message
# when the server binaries are missing.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
. "$top_srcdir/tests/pg_server.sh"
pg_start_or_skip

FERNCON_TEST_PG_URL=$PG_URL
export FERNCON_TEST_PG_URL
CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT
pg_tap test_airauth "$top_builddir/tests/test_airauth"
pg_tap_plan
