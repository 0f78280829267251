#!/bin/sh
# tui_roles_airflow_pg.sh: tests/tui_roles_airflow.sh (the console with
# roles from Airflow's FAB tables, through tmux) on PostgreSQL: a throwaway
# server from tests/pg_server.sh, the DB and the FAB tables written through
# psycopg2. Skips with a clear message when the server binaries are
# missing.
: "${top_srcdir:=.}"
FERNCON_TEST_BACKEND=postgresql
. "$top_srcdir/tests/tui_roles_airflow.sh"
