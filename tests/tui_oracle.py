#!/usr/bin/python3
"""tui_oracle.py: Python's view of a server metadata DB for the console tests
(tests/tui_pg.sh, tests/tui_my.sh), through tests/airflow_db.py (psycopg2 or
PyMySQL, the URL in AIRFLOW_DB_URL; keys from FERNET_KEY only):

  ids                    conn_ids in byte order
  counts                 "plaintext N undecryptable M" as Airflow stores them
  snapshot OUT           every secret value: raw, flag, key index, time, digest
  check-rotated BEFORE   what a rotation to the first key must have done
"""
import hashlib, json, os, sys
sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "tests"))
import airflow_db
from cryptography.fernet import InvalidToken
db = airflow_db.open_db("-")
keys = airflow_db.key_list()
FIELDS = [("connection.password", "SELECT id, password, is_encrypted FROM connection"),
          ("connection.extra", "SELECT id, extra, is_extra_encrypted FROM connection"),
          ("variable.val", "SELECT id, val, is_encrypted FROM variable"),
          ("trigger.kwargs", 'SELECT id, kwargs, 1 FROM "trigger"')]
def values():
    out = {}
    for field, sql in FIELDS:
        for i, raw, flag in db.execute(sql).fetchall():
            if raw is None or raw == "":
                continue
            v = {"raw": raw, "flag": bool(flag), "key": None, "ts": None, "sha": None}
            if flag and not (field == "trigger.kwargs" and raw.startswith("{")):
                for k, f in enumerate(keys):
                    try:
                        text = f.decrypt(raw.encode())
                    except InvalidToken:
                        continue
                    v.update(key=k, ts=f.extract_timestamp(raw.encode()),
                             sha=hashlib.sha256(text).hexdigest())
                    break
            out["%s %d" % (field, i)] = v
    return out
cmd = sys.argv[1]
if cmd == "ids":
    ids = [r[0] for r in db.execute("SELECT conn_id FROM connection").fetchall()]
    for i in sorted(ids, key=lambda s: s.encode("utf-8")):
        print(i)
elif cmd == "counts":
    vs = [(k, v) for k, v in values().items() if not k.startswith("trigger.")]
    print("plaintext %d undecryptable %d" % (
        sum(1 for k, v in vs if not v["flag"]),
        sum(1 for k, v in vs if v["flag"] and v["key"] is None)))
elif cmd == "snapshot":
    json.dump(values(), open(sys.argv[2], "w"))
elif cmd == "check-rotated":
    before, after, bad, n = json.load(open(sys.argv[2])), values(), [], 0
    for k, b in before.items():
        a = after.get(k)
        if a is None or a["flag"] != b["flag"]:
            bad.append((k, "flag or row"))
        elif b["key"] is None:                      # skipped: no key opened it
            if a["raw"] != b["raw"]:
                bad.append((k, "changed"))
        elif (a["key"], a["ts"], a["sha"]) != (0, b["ts"], b["sha"]):
            bad.append((k, "key %s ts %s same text %s" % (a["key"], a["ts"] == b["ts"],
                                                         a["sha"] == b["sha"])))
        else:
            n += 1
    bad += [(k, "new") for k in after if k not in before]
    print("ok %d" % n if not bad else "BAD %s" % bad[:5])
