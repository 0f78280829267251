#!/bin/sh
# crosscheck.sh: run the Fernet cross-check against Python cryptography
# (tests/crosscheck.py) with the Debian python3 that has python3-cryptography.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
: "${PYTHON3:=/usr/bin/python3}"
: "${FERNET_TOOL:=$top_builddir/tests/fernet_tool}"
export FERNET_TOOL
if ! "$PYTHON3" -c 'import cryptography.fernet' 2>/dev/null; then
	echo "1..0 # SKIP $PYTHON3 has no cryptography (apt-get install python3-cryptography)"
	exit 0
fi
exec "$PYTHON3" "$top_srcdir/tests/crosscheck.py"
