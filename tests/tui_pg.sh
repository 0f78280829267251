#!/bin/sh
# tui_pg.sh: tests/tui_server.sh (the console on a server metadata DB,
# through tmux, every result read back by Python) on PostgreSQL: a
# throwaway server (tests/pg_server.sh, an ICU collation), the rows written
# by psycopg2; a DBA's pg_terminate_backend, and the server stopped and
# started under the console. Skips with a clear message when the server
# binaries are missing.
: "${top_srcdir:=.}"
FERNCON_TEST_BACKEND=postgresql
. "$top_srcdir/tests/tui_server.sh"
