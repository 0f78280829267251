#!/bin/sh
# airauth_my.sh: test_airauth (roles from Airflow: werkzeug hashes, rights,
# FAB's tables read through the store) on MySQL, a throwaway MariaDB server
# from tests/my_server.sh, the FAB tables made in MySQL's DDL by
# tests/fab_db.py, as one TAP stream. Skips with a clear message when the
# server binaries are missing.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
. "$top_srcdir/tests/my_server.sh"
my_start_or_skip

FERNCON_TEST_MY_URL=$MY_URL
export FERNCON_TEST_MY_URL
CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT
pg_tap test_airauth "$top_builddir/tests/test_airauth"
pg_tap_plan
