#!/bin/sh
# tui_roles_airflow_my.sh: tests/tui_roles_airflow.sh (the console with
# role_source = airflow, FAB's users and roles, airflow_login = password)
# on MySQL: a throwaway MariaDB server from tests/my_server.sh, the FAB
# tables made in MySQL's DDL by tests/fab_db.py. Skips with a clear message
# when the server binaries (or tmux) are missing.
: "${top_srcdir:=.}"
FERNCON_TEST_BACKEND=mysql
. "$top_srcdir/tests/tui_roles_airflow.sh"
