#!/usr/bin/env python3
"""make_corpus.py: write the seed corpus of the fuzz harnesses,
tests/fuzz/corpus/<harness>/, from the test vectors and fixtures of the
tree (tests/vectors/, tests/test_uri.c, tests/audit_corpus.json,
data/airflow.cfg, data/demo-connections.json) and a few hand-made files.
Run from the top of the tree; the files are committed, so a fuzz run does
not need Python. Each seed starts with the harness's selector byte where
it has one (see the harness's purpose paragraph)."""
import hashlib
import json
import os
import re
import shutil

import yaml

OUT = "tests/fuzz/corpus"


def put(harness, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


shutil.rmtree(OUT, ignore_errors=True)

# token: 0x01 + token text; 0x00 + timestamp (8) + IV (16) + plaintext
secrets = []
for fn in ("generate", "verify", "invalid"):
    for v in json.load(open("tests/vectors/%s.json" % fn)):
        put("fuzz_token", b"\x01" + v["token"].encode())
        secrets.append(v["secret"])
        if "src" in v:
            put("fuzz_token", b"\x00" + bytes(8) + bytes(v.get("iv", [0] * 16))
                + v["src"].encode())
put("fuzz_token", b"\x00" + bytes(24))
put("fuzz_token", b"\x01  gAAAAA==  ")

# keyring: fernet_key values
s = secrets[0]
for v in (s, s + "," + s, "", s + ",", " " + s + " ", s.replace("-", "+").replace("_", "/"),
          s[:-1], "a,b", s + "\n," + s):
    put("fuzz_keyring", v)

# uri: every URI of tests/test_uri.c's parse cases, for each version
src = open("tests/test_uri.c").read()
uris = set(re.findall(r'\{ "[^"]*", "((?:[^"\\]|\\.)*)", V', src))
for u in sorted(uris):
    u = bytes(u, "utf-8").decode("unicode_escape").encode("latin-1")
    for ver in (b"\x00", b"\x02"):
        put("fuzz_uri", ver + u)

# cfg: Airflow's template and the parser's corners
put("fuzz_cfg", open("data/airflow.cfg", "rb").read())
for t in ("[core]\nfernet_key = abc\n",
          "[DEFAULT]\nx = 1\n[core]\nsensitive_var_conn_names = %(x)s,%%\n",
          "[a]\na = %(b)s%(b)s\nb = %(c)s\nc = v\n",
          "[console]\nroles = a\n  b\n\n  c\ndefault_role: Op\n",
          "[webserver]\nshow_connection_password = True # x\n",
          "[console]\nrotation_max_age_days = 1_000\r\n",
          "; c\n# c\n[a]\na=\n"):
    put("fuzz_cfg", t)

# import: three demo connections in each format, and the parsers' corners
demo = json.load(open("data/demo-connections.json"))[:3]
byid = {}
for c in demo:
    c = dict(c)
    byid[c.pop("conn_id")] = {k: v for k, v in c.items() if v is not None}
put("fuzz_import_json", b"\x02" + json.dumps(byid, indent=2).encode())
put("fuzz_import_json", b"\x00" + b'{"a": "postgresql://u:p%40@h:5432/db?x=1",'
    b' "b": {"conn_type": "t", "extra_dejson": {"k": [1, 2.5, null]}, "port": 2.9},'
    b' "c": {"uri": "ftp://h"}, "a": {"conn_type": "last"}}')
put("fuzz_import_yaml", b"\x02" + yaml.safe_dump(byid).encode())
put("fuzz_import_yaml", b"\x00a: &x {conn_type: t, host: h}\nb: *x\n"
    b"c: postgresql://h\nd:\n  conn_type: t\n  extra: '{\"a\": 1}'\n  port: 0x10\n")
put("fuzz_import_yaml", b"\x01- a\n- b\n")
put("fuzz_import_env", b"\x02# c\n\npg=postgresql://user:p%40ss@db.example:5432/a?sslmode=require\r\n"
    b"x=ftp://h\nspaced =s3://bucket\n")
put("fuzz_import_env", b"\x00a={\"conn_type\": \"t\"}\nb=http://h\n")

# pyjson: option byte + JSON text
for t in ('{"a": [1, 2.0, -0.0, 1e400, NaN, -Infinity], "b": {"c": null}}',
          '"\\u00e9\\ud83d\\ude00\\n\\t\\"x"', '123456789012345678901234567890',
          '[1.5e-7, 1e16, 0.1, true, false, {}]', '{"b": 1, "a": 2, "b": 3}',
          json.dumps(demo[0])):
    for opt in (b"\x03", b"\x0c", b"\x05"):
        put("fuzz_pyjson", opt + t.encode())
# pyjson_loads_kept() (bit 4): \u0000 and lone surrogates, in keys too
for t in ('{"a\\u0000": ["\\ud800", "\\udc00x\\ud83d\\ude00"], "\\u0001": "\\u0000"}',
          '"\\uDBFF\\uDBFF\\uDFFF\\u0000"'):
    for opt in (b"\x13", b"\x1c", b"\x15"):
        put("fuzz_pyjson", opt + t.encode())

# audit: extras (0x01) and passwords (0x00) of tests/audit_corpus.json
for case in json.load(open("tests/audit_corpus.json"))["cases"][:24]:
    if "extra" in case:
        put("fuzz_audit", b"\x01" + json.dumps(case["extra"]).encode())
    if case.get("password"):
        put("fuzz_audit", b"\x00" + case["password"].encode())
put("fuzz_audit", b"\x02AKIAQWERTYUIOPASDFGH")
put("fuzz_audit", b"\x00eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl")

# baseline (0x00) and ignore (0x01) files
f = {"fingerprint": "aws_default:/aws_access_key_id:aws-access-token",
     "secret_hash": "hmac-sha256:" + "ab" * 32}
put("fuzz_baseline", b"\x00" + json.dumps({"tool": "ferncon", "findings": [f, {"fingerprint": "x:password:generic"}]}).encode())
put("fuzz_baseline", b"\x00" + json.dumps([f]).encode())
put("fuzz_baseline", b"\x00" + json.dumps({"runs": [{"results": [{
    "partialFingerprints": {"connExtraFingerprint/v1": f["fingerprint"]},
    "properties": {"secret_hash": f["secret_hash"]}}]}]}).encode())
put("fuzz_baseline", b"\x01# comment\n\naws_default:/aws_access_key_id:aws-access-token # rotated weekly\n"
    b"  x:password:generic\t#\treason\n")
put("fuzz_baseline", b"\x01x:password:generic\n")
