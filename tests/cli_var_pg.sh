#!/bin/sh
# cli_var_pg.sh: tests/cli_var.sh (the `variables` commands against DBs that
# Python wrote the way Airflow writes) on PostgreSQL: a throwaway server
# from tests/pg_server.sh, the 2.10 and 3.2 layouts filled through psycopg2
# by tests/airflow_db.py. Skips with a clear message when the server
# binaries are missing.
: "${top_srcdir:=.}"
FERNCON_TEST_BACKEND=postgresql
. "$top_srcdir/tests/cli_var.sh"
