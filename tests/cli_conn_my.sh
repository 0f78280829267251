#!/bin/sh
# cli_conn_my.sh: tests/cli_conn.sh (the `connections` and `key status`
# commands against a DB that Python wrote the way Airflow writes) on MySQL:
# a throwaway MariaDB server from tests/my_server.sh (a utf8mb4_unicode_ci
# database), the DB filled through PyMySQL by tests/airflow_db.py and read
# back by ferncon, and rows ferncon wrote read back by Python. Skips with a
# clear message when the server binaries are missing.
: "${top_srcdir:=.}"
FERNCON_TEST_BACKEND=mysql
. "$top_srcdir/tests/cli_conn.sh"
