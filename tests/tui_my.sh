#!/bin/sh
# tui_my.sh: tests/tui_server.sh (the console on a server metadata DB,
# through tmux, every result read back by Python) on MySQL: a throwaway
# MariaDB server (tests/my_server.sh, utf8mb4_unicode_ci), the rows written
# by PyMySQL; a DBA's KILL of the console's sessions. Skips with a clear
# message when the server binaries are missing.
: "${top_srcdir:=.}"
FERNCON_TEST_BACKEND=mysql
. "$top_srcdir/tests/tui_server.sh"
