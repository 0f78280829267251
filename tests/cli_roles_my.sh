#!/bin/sh
# cli_roles_my.sh: tests/cli_roles.sh (roles from Airflow's FAB tables and
# SimpleAuthManager through the CLI) on MySQL: a throwaway MariaDB server
# from tests/my_server.sh, the FAB tables made in MySQL's DDL through PyMySQL
# by tests/fab_db.py. Skips with a clear message when the server binaries
# are missing.
: "${top_srcdir:=.}"
FERNCON_TEST_BACKEND=mysql
. "$top_srcdir/tests/cli_roles.sh"
