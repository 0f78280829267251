# lib.sh: TAP helpers for ferncon's shell tests (sourced, POSIX sh).
#
#   . "$top_srcdir/tests/lib.sh"
#   plan 3
#   ok "key generate prints 44 characters" test "$(...)" = 44
#   is "$got" "$want" "decrypt gives the plaintext"
#   done_testing
#
# Each test gets its own temporary directory ($T) and a clean Airflow
# environment (no AIRFLOW_* variable leaks in from the caller).

: "${top_srcdir:=.}"
: "${FERNCON:=./ferncon}"
: "${PYTHON3:=/usr/bin/python3}"

T=$(mktemp -d "${TMPDIR:-/tmp}/ferncon-sh.XXXXXX")
trap 'rm -rf "$T"' EXIT
for v in $(env | sed -n 's/^\(AIRFLOW[A-Z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
unset NO_COLOR
# Under `sudo make check`, sudo's variables would make every run restricted
# (doc/design.md section 4, "Trust model"); the tests that want them set them.
unset SUDO_USER SUDO_UID SUDO_GID SUDO_COMMAND SSH_CONNECTION
export AIRFLOW_HOME="$T/home"
mkdir -p "$AIRFLOW_HOME"

_n=0
_failed=0

# The login of the uid that runs the test: ferncon's identity (SUDO_USER
# counts only where sudo set it; doc/design.md section 4, "Trust model").
ME=$(id -un)

# roles_as PERSONA MAP: MAP with PERSONA's entry given to $ME, so that a test
# plays PERSONA's role (the role map, not the environment, names the person).
roles_as() { printf '%s' "$2" | sed "s/\(^\|[ ,]\)$1:/\1$ME:/"; }

plan() { echo "1..$1"; }

# ok DESCRIPTION COMMAND...: passes when COMMAND exits 0.
ok() {
	_d=$1; shift
	_n=$((_n + 1))
	if "$@"; then
		echo "ok $_n - $_d"
	else
		echo "not ok $_n - $_d"
		_failed=$((_failed + 1))
	fi
}

# is GOT WANT DESCRIPTION
is() {
	_n=$((_n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $_n - $3"
	else
		echo "not ok $_n - $3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
		_failed=$((_failed + 1))
	fi
}

# contains HAYSTACK NEEDLE DESCRIPTION
contains() {
	_n=$((_n + 1))
	case $1 in
	*"$2"*) echo "ok $_n - $3" ;;
	*)	echo "not ok $_n - $3"
		printf '#   %s\n#   does not contain: %s\n' "$1" "$2"
		_failed=$((_failed + 1)) ;;
	esac
}

# lacks HAYSTACK NEEDLE DESCRIPTION
lacks() {
	_n=$((_n + 1))
	case $1 in
	*"$2"*) echo "not ok $_n - $3"
		printf '#   unexpectedly contains: %s\n' "$2"
		_failed=$((_failed + 1)) ;;
	*)	echo "ok $_n - $3" ;;
	esac
}

done_testing() {
	[ "$_failed" -eq 0 ]
	exit $?
}

# A fresh key from Python cryptography (the oracle).
py_key() {
	"$PYTHON3" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'
}

# demo_secret_windows [VALUE...]: 12-character windows of every secret of
# the demo data (passwords, extra leaves, variable values; JSON strings
# inside them opened), and of each VALUE, one a line, for `grep -F -f` over
# a report: none may appear. Windows with spaces or PEM armour, paths,
# URLs and demo host names are left out (they also stand in public fields).
demo_secret_windows() {
	"$PYTHON3" -c 'import json,sys
def leaves(v):
    if isinstance(v, dict):
        for x in v.values(): yield from leaves(x)
    elif isinstance(v, list):
        for x in v: yield from leaves(x)
    elif isinstance(v, str):
        t = v.strip()
        if t[:1] in "{[":
            try:
                yield from leaves(json.loads(t)); return
            except ValueError:
                pass
        yield v
out = []
for c in json.load(open(sys.argv[1])):
    if c.get("password"): out.append(c["password"])
    if c.get("extra"): out.extend(leaves(json.loads(c["extra"])))
for v in json.load(open(sys.argv[2])):
    if v.get("val"): out.extend(leaves(v["val"]))
out.extend(sys.argv[3:])
for s in out:
    for i in range(0, max(len(s) - 11, 0), 4):
        w = s[i:i + 12]
        if " " not in w and "---" not in w and "\n" not in w and not w.startswith("/"):
            print(w)' "$top_srcdir/data/demo-connections.json" \
	    "$top_srcdir/data/demo-variables.json" "$@" |
	    grep -v -e '^http' -e 'googleapis' -e 'amazonaws' -e 'demo.internal'
}
