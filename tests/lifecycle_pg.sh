#!/bin/sh
# lifecycle_pg.sh: the lifecycle suite on PostgreSQL. Starts a throwaway
# server (tests/pg_server.sh) and runs, against it, every case of
# test_lifecycle (the suite that also runs on SQLite: preflight, rotate,
# the refusal on an undecryptable row, encrypt-plaintext, cancel, progress,
# paging with threads, verify, probe, the layouts PostgreSQL has a schema
# for, and a write lock held by another session, which must end in "is
# locked" after lock_timeout with nothing changed), as one TAP stream.
# Skips with a clear message when the server binaries are missing.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
. "$top_srcdir/tests/pg_server.sh"
pg_start_or_skip

FERNCON_TEST_PG_URL=$PG_URL
export FERNCON_TEST_PG_URL
CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT
pg_tap test_lifecycle "$top_builddir/tests/test_lifecycle"
pg_tap_plan
