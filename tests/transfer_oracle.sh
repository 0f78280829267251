#!/bin/sh
# transfer_oracle.sh: ferncon's `connections export` formats against Python.
# A set of tricky connections (unicode, quotes, newlines, extras longer
# than the 80-column YAML width, strings that YAML 1.1 would read as
# numbers, booleans, nulls or dates, empty strings, None fields, extras
# with \u0000 and lone surrogate escapes, a password with NUL characters,
# all of which Airflow keeps) is written by tests/transfer_tool (the
# transfer writer) and by tests/transfer_ref.py
# (Airflow's rules with the real json and PyYAML modules); the outputs must
# be equal byte for byte, for json, yaml, env with json serialisation and
# env with URIs (the last one only when src/uri.c is there to link).
. "$top_srcdir/tests/lib.sh"
: "${top_builddir:=.}"
TOOL="$top_builddir/tests/transfer_tool"
REF="$top_srcdir/tests/transfer_ref.py"

if ! "$PYTHON3" -c 'import yaml' 2>/dev/null; then
	echo "1..0 # SKIP $PYTHON3 has no PyYAML (apt-get install python3-yaml)"
	exit 0
fi
plan 13

# One connection per line; transfer_ref.py sorts them by conn_id first.
cat > "$T/raw.jsonl" <<'EOF'
{"conn_id": "airflow_db", "conn_type": "mysql", "description": "mysql conn description", "host": "mysql", "schema": "airflow", "login": "root", "password": "plainpassword", "port": null, "extra": null}
{"conn_id": "druid", "conn_type": "druid", "description": null, "host": "druid-broker", "schema": null, "login": null, "password": null, "port": 8082, "extra": "{\"endpoint\": \"druid/v2/sql\"}"}
{"conn_id": "looks_like_scalars", "conn_type": "123", "description": "true", "host": "1e3", "schema": "~", "login": "null", "password": "0x10", "port": 0, "extra": null}
{"conn_id": "more_scalars", "conn_type": "yes", "description": "2001-12-14", "host": "=", "schema": "<<", "login": "1:30", "password": ".inf", "port": -1, "extra": "{}"}
{"conn_id": "still_scalars", "conn_type": "Off", "description": "1_000", "host": "0o17", "schema": "0b101", "login": "+12.5e+3", "password": "NULL", "port": 65535, "extra": "{\"a\": 1}"}
{"conn_id": "empty_strings", "conn_type": "", "description": "", "host": "", "schema": "", "login": "", "password": "", "port": 5432, "extra": ""}
{"conn_id": "all_none"}
{"conn_id": "quotes", "conn_type": "http", "description": "it's \"quoted\": a: b - x #x x #y", "host": " lead", "schema": "trail ", "login": "- x", "password": "p@ss:w/rd?&=%+ 'q' \"dq\" \\", "port": 443, "extra": "{\"k\": \"it's\", \"q\": \"\\\"\"}"}
{"conn_id": "newlines", "conn_type": "generic", "description": "line1\nline2\n\nline4\n", "host": "h", "schema": "s", "login": "tab\there", "password": "cr\r\nlf", "port": null, "extra": "{\"multi\": \"a\\nb\"}"}
{"conn_id": "unicode", "conn_type": "postgres", "description": "Gr\u00fc\u00dfe \u65e5\u672c \ud83d\ude00 caf\u00e9", "host": "\u00fcn\u00efcode.example", "schema": "sch\u00e9ma", "login": "\u00e9", "password": "p\u00e4ss\u2028word", "port": 5432, "extra": "{\"na\u00efve\": \"caf\u00e9\"}"}
{"conn_id": "long_values", "conn_type": "google_cloud_platform", "description": "A fairly long description of this connection, with enough words to be folded at eighty columns by the YAML emitter, twice over at least.", "host": null, "schema": null, "login": null, "password": "averylongpasswordwithoutanyspacesatallthatgoesonandonandonpastthewidthofeightycolumns", "port": null, "extra": "{\"key_path\": \"/opt/airflow/secrets/very/long/path/to/a/service-account-key.json\", \"scope\": \"https://www.googleapis.com/auth/cloud-platform\", \"num_retries\": 5}"}
{"conn_id": "123", "conn_type": "x", "description": " ", "host": "-", "schema": "?", "login": ":", "password": ".", "port": null, "extra": null}
{"conn_id": "true", "conn_type": "aws", "description": "null", "host": "h", "schema": null, "login": "AKIA", "password": "s3cr3t/+=", "port": null, "extra": "{\"region_name\": \"eu-west-1\", \"role_arn\": \"arn:aws:iam::123456789012:role/x\"}"}
{"conn_id": "null", "conn_type": "http", "description": "protocol host", "host": "https://api.example.com", "schema": null, "login": null, "password": null, "port": null, "extra": "{\"timeout\": \"30\", \"verify\": \"false\"}"}
{"conn_id": "my.conn-1", "conn_type": "sqlite", "description": "%-signs 100% and ampersands & more", "host": "/tmp/x.db", "schema": null, "login": null, "password": null, "port": null, "extra": null}
{"conn_id": "kept_nul", "conn_type": "http", "host": "h", "extra": "{\"k\\u0000\": \"a\\u0000b\", \"p\": \"\\ud83d\\ude00\"}"}
{"conn_id": "nul_password", "conn_type": "http", "host": "h", "login": "u", "password": "\u0000a\u0000b\u0000", "port": 80}
{"conn_id": "kept_surrogate", "conn_type": "http", "host": "h", "extra": "{\"k\": \"a\\u0000b\", \"n\": {\"\\ud800\": [\"\\udfff\", 1]}}"}
EOF

# Connections where PyYAML's pure-Python emitter and libyaml's disagree:
# an empty key; keys of 123 to 128 bytes, or of fewer characters but more
# bytes (PyYAML counts the "!!str" tag and characters, libyaml bytes); a
# double-quoted value folded at a space (PyYAML escapes the space, libyaml
# does not). Airflow dumps with CSafeDumper, that is with libyaml.
long_id=$(printf '%0125d' 0 | tr 0 k)
e_id=$(printf '%070d' 0 | sed 's/0/\\u00e9/g')
cat > "$T/divergent.jsonl" <<EOF
{"conn_id": "$e_id", "conn_type": "x"}
{"conn_id": "", "conn_type": "x", "description": null, "host": null, "schema": null, "login": null, "password": null, "port": null, "extra": null}
{"conn_id": "$long_id", "conn_type": "x", "description": null, "host": null, "schema": null, "login": null, "password": null, "port": null, "extra": null}
EOF
cat >> "$T/divergent.jsonl" <<'EOF'
{"conn_id": "long_unicode", "conn_type": "ssh", "description": "\u00c9t\u00e9 \u00e0 la plage, caf\u00e9 cr\u00e8me br\u00fbl\u00e9e, na\u00efvet\u00e9 et d\u00e9j\u00e0 vu, encore et encore, \u00e0 perte de vue, voil\u00e0.", "host": "host.example", "schema": "", "login": "user", "password": "pw", "port": 22, "extra": "{\"private_key\": \"-----BEGIN KEY-----\\nabc\\n-----END KEY-----\"}"}
EOF

"$PYTHON3" "$REF" sort < "$T/raw.jsonl" > "$T/conns.jsonl"
"$PYTHON3" "$REF" sort < "$T/divergent.jsonl" > "$T/div.jsonl"

# compare NAME FORMAT INPUT [REF_FORMAT]: tool and reference, byte for byte.
compare() {
	_name=$1 _fmt=$2 _in=$3 _rfmt=${4:-$2}
	if ! "$TOOL" "$_fmt" < "$_in" > "$T/got.$_name" 2> "$T/err.$_name"; then
		ok "$_name: transfer_tool $_fmt runs" false
		sed 's/^/#   /' "$T/err.$_name"
		return
	fi
	"$PYTHON3" "$REF" "$_rfmt" < "$_in" > "$T/want.$_name"
	if cmp -s "$T/got.$_name" "$T/want.$_name"; then
		ok "$_name: ferncon's $_fmt equals Python's $_rfmt byte for byte" true
	else
		ok "$_name: ferncon's $_fmt equals Python's $_rfmt byte for byte" false
		diff "$T/want.$_name" "$T/got.$_name" | head -40 | sed 's/^/#   /'
	fi
}

compare json json "$T/conns.jsonl"
compare yaml yaml "$T/conns.jsonl"
compare yaml-pure yaml "$T/conns.jsonl" yaml-pure
compare env-json env-json "$T/conns.jsonl"
compare div-yaml yaml "$T/div.jsonl"
compare div-json json "$T/div.jsonl"

# The pure-Python emitter really does differ there (so the case matters).
"$PYTHON3" "$REF" yaml-pure < "$T/div.jsonl" > "$T/div.pure"
"$PYTHON3" "$REF" yaml < "$T/div.jsonl" > "$T/div.c"
ok "divergent: PyYAML's pure emitter differs from libyaml's on these keys" \
	test "$(cat "$T/div.pure")" != "$(cat "$T/div.c")"

# No connections at all.
: > "$T/none.jsonl"
compare none-json json "$T/none.jsonl"
compare none-yaml yaml "$T/none.jsonl"
compare none-env env-json "$T/none.jsonl"

# The yaml writer refuses connections out of conn_id order (PyYAML sorts).
printf '%s\n%s\n' '{"conn_id": "b"}' '{"conn_id": "a"}' > "$T/unsorted.jsonl"
out=$("$TOOL" yaml < "$T/unsorted.jsonl" 2>&1); rc=$?
ok "yaml: connections out of conn_id order are refused" test "$rc" -ne 0
contains "$out" "conn_id order" "yaml: and the message says why"

# env with URIs needs get_uri() from src/uri.c.
if printf '%s\n' '{"conn_id": "a", "conn_type": "t", "host": "h"}' |
    "$TOOL" env-uri > /dev/null 2>&1; then
	compare env-uri env-uri "$T/conns.jsonl"
else
	_n=$((_n + 1))
	echo "ok $_n - env-uri # SKIP uri_format() is not available yet"
fi
done_testing
