#!/bin/sh
# conn_json_oracle.sh: conn_parse_json() (`connections add --conn-json`)
# against Python itself. Each case below is one --conn-json text; the C
# side is tests/conn_json_tool, the Python side restates what Airflow's
# Connection.from_json does with json.loads' result (airflow/models/
# connection.py, from_json, the same in 2.10 and 3.x: apache/airflow commit
# c873bd5 lines 568-582, commit e0b55c2 lines 604-617 of
# airflow-core/src/airflow/models/connection.py; the conn-type check is the
# CLI's, cli/commands/connection_command.py lines 263-264 at c873bd5):
# extra kept when a
# str, else json.dumps() when true; conn_type normalised when true; port
# int() when true, ValueError giving Airflow's message; the rest passed to
# Connection(), which takes description, host, login, password and
# schema. Both write the resulting fields with json.dumps, so the bytes
# must be equal: integers exact, floats repr'ed, duplicate keys folded,
# NaN and Infinity read and written as Python does, \u0000 and lone
# surrogates in an extra kept (pyjson_loads_kept()).
#
# Where Python raises an exception that Airflow does not catch (a
# TypeError for an unknown key or a list port, OverflowError for an
# infinite port), the model prints "raises NAME" and ferncon must refuse
# the text with any message. ferncon's deliberate differences (the "uri"
# key, a non-string host, a port beyond a long, Unicode digits) are
# covered in tests/test_conn_json.c instead.
. "$top_srcdir/tests/lib.sh"
: "${top_builddir:=.}"
TOOL="$top_builddir/tests/conn_json_tool"

cat > "$T/cases" <<'EOF'
{"conn_type":"http","extra":{"retries":3,"big":12345678901234567890}}
{"conn_type": "postgresql", "host": "db", "login": "u", "password": "p", "schema": "s", "port": 5432}
{"conn_type":"google-cloud-platform","description":"d","port":"5432"}
{"conn_type":"http","port":" 5_432 "}
{"conn_type":"http","port":"+0080"}
{"conn_type":"http","port":"\t42\r\n"}
{"conn_type":"http","port":"\u001f7\u001c"}
{"conn_type":"http","port":"54.32"}
{"conn_type":"http","port":"it's"}
{"conn_type":"http","port":"a\"b'c\\"}
{"conn_type":"http","port":"\u00a05\u3000\u2009"}
{"conn_type":"http","port":"\u2028"}
{"conn_type":"http","port":"caf\u00e9\u00ad"}
{"conn_type":"http","port":"1__0"}
{"conn_type":"http","port":"_1"}
{"conn_type":"http","port":"abc"}
{"conn_type":"http","port":5432.9}
{"conn_type":"http","port":-0.5}
{"conn_type":"http","port":1e3}
{"conn_type":"http","port":-1}
{"conn_type":"http","port":NaN}
{"conn_type":"http","port":Infinity}
{"conn_type":"http","port":true}
{"conn_type":"http","port":false}
{"conn_type":"http","port":0}
{"conn_type":"http","port":-0}
{"conn_type":"http","port":0.0}
{"conn_type":"http","port":""}
{"conn_type":"http","port":null}
{"conn_type":"http","port":[1]}
{"conn_type":"http","port":{"a":1}}
{"conn_type":"http","port":[]}
{"conn_type":"http","extra":"{\"a\": 1.0}"}
{"conn_type":"http","extra":"not json at all"}
{"conn_type":"http","extra":{}}
{"conn_type":"http","extra":""}
{"conn_type":"http","extra":0}
{"conn_type":"http","extra":null}
{"conn_type":"http","extra":false}
{"conn_type":"http","extra":[]}
{"conn_type":"http","extra":[1,2.50,1e5,-0.0,1E+2,0.1]}
{"conn_type":"http","extra":{"a":NaN,"b":Infinity,"c":-Infinity}}
{"conn_type":"http","extra":{"k":1,"k":2,"j":{"x":1,"x":[3]}}}
{"conn_type":"http","extra":{"a":1},"extra":{"b":2}}
{"conn_type":"http","extra":{"\u00e9":"\u00fc","emoji":"\ud83d\ude00","raw":"é"}}
{"conn_type":"http","extra":true}
{"conn_type":"http","extra":-7}
{"conn_type":"http","extra":1e400}
{"conn_type":"http","extra":{"max":1.7976931348623157e308,"min":5e-324,"x":123456789.123,"y":1e16,"z":1e-05}}
{"conn_type":"http","extra":{"nested":{"deep":[1,{"x":-12345678901234567890123}]},"s":"a/b\"c\\d\n"}}
{"conn_type":"http","extra":{"password":"s3cret","n":1.0}}
{"conn_type":"http","extra":{"k":"a\u0000b","\ud800":["\udfff","\uDBFF\uDBFF\uDFFF"],"n\u0000":{"\u0000":1}}}
{"conn_type":"http","extra":{"\u0000":1,"\u0000":2,"\u0001":"\u0001\u0000"}}
{"conn_type":"http","extra":["\udc00x","\ud83d\ude00"]}
{"conn_type":"http","port":"\u0000"}
{"conn_type":"http","port":"1\u0000"}
{"conn_type":"","host":"h"}
{"host":"h"}
{"conn_type":null}
{"conn_type":0}
{"conn_type":5}
{"conn_type":["x"]}
[]
["conn_type","http"]
"http"
42
null
not json
{"conn_type":"http",}
{"conn_type":'http'}
{"conn_type":"http"} x
{"conn_type":"http","foo":1}
{"conn_type":"http","conn_id":"other"}
{"conn_type":"http","is_encrypted":true}
{"conn_type":"http","description":"","host":"","login":"","password":"","schema":""}
{"conn_type":"http","password":null,"host":null,"description":null}
{"conn_type":"my-type-x","host":"h","host":"h2"}
  {"conn_type" : "http" }  
EOF

"$PYTHON3" - "$T/cases" > "$T/want" <<'EOF'
import json
import sys

TAKEN = ("description", "host", "login", "password", "schema")


def model(text):
    try:
        kwargs = json.loads(text)
    except ValueError:
        return "error --conn-json is not a JSON object"
    if not isinstance(kwargs, dict):
        return "error --conn-json is not a JSON object"
    extra = kwargs.pop("extra", None)
    if extra:
        extra = extra if isinstance(extra, str) else json.dumps(extra)
    else:
        extra = None
    conn_type = kwargs.pop("conn_type", None)
    if conn_type:
        if not isinstance(conn_type, str):
            return "raises TypeError"
        if conn_type == "postgresql":
            conn_type = "postgres"
        else:
            conn_type = conn_type.replace("-", "_")
    else:
        conn_type = None
    port = kwargs.pop("port", None)
    if port:
        try:
            port = int(port)
        except ValueError:
            return "error Expected integer value for `port`, but got %r instead." % (port,)
        except Exception as exc:
            return "raises " + type(exc).__name__
    else:
        port = None
    for key in kwargs:
        if key not in TAKEN:
            return "raises TypeError"
    if not conn_type:
        return "error conn-json is invalid; must supply conn-type"
    out = {"conn_type": conn_type}
    for key in TAKEN:
        out[key] = kwargs.get(key)
    out["port"] = port
    out["extra"] = extra
    return "ok " + json.dumps(out)


with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        print(model(line.rstrip("\n")))
EOF

if ! "$TOOL" < "$T/cases" > "$T/got" 2> "$T/err"; then
	plan 1
	ok "conn_json_tool runs" false
	sed 's/^/#   /' "$T/err"
	exit 1
fi
plan "$(wc -l < "$T/cases")"
i=0
while IFS= read -r text; do
	i=$((i + 1))
	want=$(sed -n "${i}p" "$T/want")
	got=$(sed -n "${i}p" "$T/got")
	case $want in
	raises\ *)
		# Airflow fails with a traceback; ferncon must refuse too.
		ok "refused as Python does ($want): $text" \
			test "${got%% *}" = error
		;;
	*)
		if [ "$got" = "$want" ]; then
			ok "as Python: $text" true
		else
			ok "as Python: $text" false
			echo "#   want: $want"
			echo "#   got:  $got"
		fi
		;;
	esac
done < "$T/cases"
done_testing
