"""transfer_ref.py: the Python reference for tests/transfer_oracle.sh.

Reads connections as JSON lines on stdin (one object per line with the
fields of ferncon's struct conn: conn_id, conn_type, description, host,
schema, login, password, port, extra; missing or null is None) and writes
what `airflow connections export` writes for them, by Airflow's documented
rules (doc/airflow-compat.md sections 4.2 and 5), with the real json and PyYAML
modules:

  json       json.dumps({conn_id: _connection_to_dict(c)}, indent=2)
  yaml       airflow.utils.yaml.dump(...): yaml.dump with CSafeDumper when
             PyYAML has libyaml (Airflow's own choice), else SafeDumper
  yaml-pure  yaml.safe_dump(...): the pure-Python SafeDumper
  env-json   conn_id=json.dumps(_connection_to_dict(c)) per line
  env-uri    conn_id=get_uri() per line (Airflow >= 3.1.6 rules)
  sort       the input lines, sorted by conn_id in Python's str order

Nothing of Airflow is imported: its rules are short and are written out
here from doc/airflow-compat.md.
"""

import json
import sys
from urllib.parse import parse_qsl, quote, urlencode

import yaml

FIELDS = ("conn_id", "conn_type", "description", "host", "schema", "login",
          "password", "port", "extra")


def read_conns():
    conns = []
    for line in sys.stdin.buffer.read().decode("utf-8").split("\n"):
        if line.strip():
            obj = json.loads(line)
            conns.append({k: obj.get(k) for k in FIELDS})
    return conns


def connection_to_dict(c):
    """cli/commands/connection_command.py _connection_to_dict()."""
    return dict(
        conn_type=c["conn_type"],
        description=c["description"],
        login=c["login"],
        password=c["password"],
        host=c["host"],
        port=c["port"],
        schema=c["schema"],
        extra=c["extra"],
    )


def get_uri(c):
    """Connection.get_uri() per doc/airflow-compat.md section 4.2 (3.1.6+)."""
    conn_type = c["conn_type"]
    uri = f"{conn_type.lower().replace('_', '-')}://" if conn_type else "//"
    host = c["host"]
    protocol = None
    if host and "://" in host:
        protocol, rest = host.split("://", 1)
        if protocol != conn_type:
            host = rest
        else:
            protocol = None
    if protocol:
        uri += f"{protocol}://"
    authority = ""
    if c["login"] is not None:
        authority += quote(c["login"], safe="")
    if c["password"] is not None:
        authority += ":" + quote(c["password"], safe="")
    if authority > "":
        authority += "@"
        uri += authority
    host_block = ""
    if host:
        host_block += quote(host, safe="")
    if c["port"]:
        if host_block == "" and authority == "":
            host_block += f"@:{c['port']}"
        else:
            host_block += f":{c['port']}"
    if c["schema"]:
        host_block += f"/{quote(c['schema'], safe='')}"
    uri += host_block
    extra = c["extra"]
    if extra:
        dejson = json.loads(extra)
        try:
            query = urlencode(dejson)
        except TypeError:
            query = None
        prefix = "?" if c["schema"] else "/?"
        if (query and dejson == dict(parse_qsl(query, keep_blank_values=True))
                and all(isinstance(v, str) for v in dejson.values())):
            uri += prefix + query
        else:
            uri += prefix + urlencode({"__extra__": extra})
    return uri


def main():
    fmt = sys.argv[1]
    conns = read_conns()
    if fmt == "sort":
        out = "".join(json.dumps(c) + "\n"
                      for c in sorted(conns, key=lambda c: c["conn_id"]))
    elif fmt in ("env-json", "env-uri"):
        ser = (lambda c: json.dumps(connection_to_dict(c))) \
            if fmt == "env-json" else get_uri
        out = "".join(f"{c['conn_id']}={ser(c)}\n" for c in conns)
    else:
        d = {c["conn_id"]: connection_to_dict(c) for c in conns}
        if fmt == "json":
            out = json.dumps(d, indent=2)
        elif fmt == "yaml":
            dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
            out = yaml.dump(d, Dumper=dumper)
        elif fmt == "yaml-pure":
            out = yaml.safe_dump(d)
        else:
            sys.exit(f"transfer_ref.py: unknown format {fmt}")
    sys.stdout.buffer.write(out.encode("utf-8"))


if __name__ == "__main__":
    main()
