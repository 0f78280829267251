#!/bin/sh
# cli_rotate_my.sh: tests/cli_rotate.sh (rotate-fernet-key and
# encrypt-plaintext, checked by the Python oracle) on MySQL: a throwaway
# MariaDB server (tests/my_server.sh), the 3.2 MySQL schema, the rows
# written by PyMySQL; a lock held by another session (rows FOR UPDATE), the
# session killed mid-rotation (KILL), a SELECT-only user. Skips with a
# clear message when the server binaries are missing.
: "${top_srcdir:=.}"
FERNCON_TEST_BACKEND=mysql
. "$top_srcdir/tests/cli_rotate.sh"
