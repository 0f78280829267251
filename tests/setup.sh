#!/bin/sh
# setup.sh: what a newcomer runs first (issue 15). scripts/install-deps
# declares each package once, in groups (the README's first command asks
# for --build --runtime only: no PostgreSQL, no test tools);
# scripts/declared-path builds the PATH of the declared packages' programs
# that CI runs the suite with, so a program of an undeclared package is not
# found there; `ferncon demo` prints commands that work when pasted (the
# path of the running program, and its manual); `make install` installs the
# program, the man page and the data.
. "$top_srcdir/tests/lib.sh"
plan 20

deps="$top_srcdir/scripts/install-deps"
all=$("$deps" --list)
is "$(printf '%s\n' "$all" | sort | uniq -d)" "" "install-deps declares no package twice"
contains "$all" "procps" "procps (ps, for the console tests) is declared"
first=$("$deps" --list --build --runtime)
lacks "$first" "postgresql" "the README's first command installs no PostgreSQL"
lacks "$first" "tmux" "nor the test tools"
contains "$first" "man-db" "but man, for 'man ferncon'"
"$deps" --bogus >/dev/null 2>&1
is "$?" 2 "an unknown group is a usage error"

# The PATH of the build group alone: its programs, a minimal Debian's, and
# nothing else.
"$top_srcdir/scripts/declared-path" "$T/bin" build >/dev/null
ok "declared-path: the build group has the compiler" test -e "$T/bin/gcc"
ok "and a minimal Debian's programs (sh, sed)" eval 'test -e "$T/bin/sh" && test -e "$T/bin/sed"'
ok "but not ps, of the test group's procps" test ! -e "$T/bin/ps"
o=$(PATH="$T/bin" sh -c 'tmux -V' 2>&1)
contains "$o" "not found" "a program of an undeclared package is not found on that PATH"

# The demo's hints, pasted.
out=$("$FERNCON" demo "$T/demo" </dev/null)
try=$(printf '%s\n' "$out" | sed -n 's/^  try: //p')
contains "$try" "$FERNCON connections list" "the demo's hint names the program it runs from"
o=$(env -i PATH=/usr/bin:/bin HOME="$HOME" sh -c "$try" 2>&1)
contains "$o" "legacy_reporting_db" "and works when pasted into a shell without ferncon on PATH"
# The banner counts what key status counts (values, not connections).
st=$("$FERNCON" --config "$T/demo/airflow.cfg" key status)
plain=$(printf '%s\n' "$st" | sed -n 's/^plaintext: *\([0-9]*\) values.*/\1/p')
old=$(printf '%s\n' "$st" | sed -n 's/^key 2: *\([0-9]*\) values.*/\1/p')
lost=$(printf '%s\n' "$st" | sed -n 's/^undecryptable: *\([0-9]*\) values.*/\1/p')
contains "$out" ": $plain values in plain text, " "the demo banner's plaintext count is key status's ($plain)"
contains "$out" ", $old under the old key, " "its old-key count too ($old)"
contains "$out" ", $lost under a lost key " "and its lost-key count ($lost)"
man=$(printf '%s\n' "$out" | sed -n 's/^  manual: //p')
is "$man" "man $(cd "$top_srcdir/man" && pwd -P)/ferncon.1" "the manual hint names the page in the source tree"

ex=$(sed -n '/^\.SH EXAMPLES/,/^\.SH /p' "$top_srcdir/man/ferncon.1")
has_examples() {
	for w in 'encrypt\-plaintext' 'rotate\-fernet\-key' 'key probe' '\-\-fail\-on'; do
		printf '%s\n' "$ex" | grep -qF -- "$w" || return 1
	done
}
ok "the man page has EXAMPLES for the operator's jobs" has_examples

# make install: the program, the man page and the data.
make -C "$top_builddir" install DESTDIR="$T/root" >/dev/null 2>&1
# Under DESTDIR, at whatever depth the prefix puts them (make distcheck's
# prefix is deep).
installed() { _p=$1; shift; find "$T/root" -path "*/$_p" "$@" 2>/dev/null | grep -q .; }
ok "make install installs the program" installed bin/ferncon -type f -perm -u+x
ok "the man page" installed share/man/man1/ferncon.1 -type f
ok "and the demo's data" installed share/ferncon/schema-3.2.sql -type f
