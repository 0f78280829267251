#!/bin/sh
# cli_var_my.sh: tests/cli_var.sh (the `variables` commands against DBs that
# Python wrote the way Airflow writes) on MySQL: a throwaway MariaDB server
# from tests/my_server.sh, the 2.10 and 3.2 MySQL layouts in utf8mb4
# databases with a case-insensitive collation, filled through PyMySQL by
# tests/airflow_db.py. Skips with a clear message when the server binaries
# are missing.
: "${top_srcdir:=.}"
FERNCON_TEST_BACKEND=mysql
. "$top_srcdir/tests/cli_var.sh"
