#!/bin/sh
# store_my.sh: the store suite on MySQL. Starts a throwaway MariaDB server
# (tests/my_server.sh: a utf8mb4_unicode_ci database, as Airflow's docs
# create it) and runs, against it, every case of test_store (the suite that
# also runs on SQLite and PostgreSQL) and of test_lifecycle (every lifecycle
# job), then test_store_my (MySQL's own cases: the URL forms of each driver,
# a lock held past the timeout, a read-only user, KILL QUERY from another
# thread, conn_ids that differ only in case or '_' against '-' in a
# utf8mb3_bin column, an export in the column's collation order), as one
# TAP stream. Skips with a clear message when the server binaries are
# missing.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
. "$top_srcdir/tests/my_server.sh"
my_start_or_skip

FERNCON_TEST_MY_URL=$MY_URL
FERNCON_TEST_MY_ADMIN_URL="mysql://root:$MY_ADMIN_PASSWORD@localhost/$MY_DB?unix_socket=$MY_SOCKET"
export FERNCON_TEST_MY_URL FERNCON_TEST_MY_ADMIN_URL
CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT
pg_tap test_store "$top_builddir/tests/test_store"
pg_tap test_lifecycle "$top_builddir/tests/test_lifecycle"
pg_tap test_store_my "$top_builddir/tests/test_store_my"
pg_tap_plan
