#!/bin/sh
# cli_roles_pg.sh: tests/cli_roles.sh (roles from Airflow's FAB tables and
# SimpleAuthManager through the CLI) on PostgreSQL: a throwaway server from
# tests/pg_server.sh, the FAB tables made through psycopg2 by
# tests/fab_db.py. Skips with a clear message when the server binaries are
# missing.
: "${top_srcdir:=.}"
FERNCON_TEST_BACKEND=postgresql
. "$top_srcdir/tests/cli_roles.sh"
