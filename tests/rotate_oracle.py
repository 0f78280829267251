#!/usr/bin/python3
"""rotate_oracle.py: Python cryptography's view of a metadata DB before and
after ferncon's lifecycle commands, for tests/cli_rotate.sh and
tests/crash_rotate.sh (and their PostgreSQL wrappers).

  snapshot DB OUT           every secret value as stored (connection.password
                            and extra, variable.val, trigger.kwargs) with its
                            flag, and for a token: the index of the first key of
                            FERNET_KEY that opens it, its timestamp, and the
                            SHA-256 of its plaintext
  check-rotated BEFORE DB   what MultiFernet.rotate must have done: every token
                            that a key opened now opens with the FIRST key of
                            FERNET_KEY alone (no other key opens it), to the same
                            plaintext with the same timestamp, and is a new
                            token; flags and every other value unchanged
  check-encrypted BEFORE DB what encrypt-plaintext must have done: every value
                            with a false flag (a non-empty connection password
                            or extra, a variable that is not NULL) now has its
                            flag set and opens with the first key to the old
                            text, stamped between START and now (START from the
                            environment, Unix seconds); all else unchanged
  check-unchanged BEFORE DB nothing changed, byte for byte
  digest DB                 one line per token: "field id timestamp sha256", in
                            field and id order (the plaintext reference)

DB is an SQLite file path, or "-" for the PostgreSQL or MySQL URL in AIRFLOW_DB_URL
(MySQL through python3-pymysql, tests/airflow_db.py's MyDB)
(read through python3-psycopg2, as tests/airflow_db.py writes it; the URL
holds the password, so it never goes through argv). Flags read as 0/1 on
both backends.

Prints one line ("ok ...") and exits 0, or prints each problem and exits 1.
Keys come from FERNET_KEY only, never from argv; no plaintext is printed.
"""
import hashlib
import json
import os
import sqlite3
import sys
import time

from cryptography.fernet import Fernet, InvalidToken

FIELDS = [
    ("connection.password", "connection", "password", "is_encrypted", "conn_id"),
    ("connection.extra", "connection", "extra", "is_extra_encrypted", "conn_id"),
    ("variable.val", "variable", "val", "is_encrypted", '"key"'),
    ("trigger.kwargs", '"trigger"', "kwargs", None, None),
]


def keys():
    return [Fernet(k.encode("utf-8")) for k in os.environ["FERNET_KEY"].split(",")]


class PgDB:
    """A psycopg2 connection (AIRFLOW_DB_URL) with sqlite3's execute()."""

    def __init__(self, url):
        import psycopg2                            # python3-psycopg2 (Debian)
        # libpq reads the URL itself; only SQLAlchemy's "+driver" must go.
        self.conn = psycopg2.connect("postgresql://" + url.split("://", 1)[1],
                                     application_name="rotate_oracle")

    def execute(self, sql):
        cur = self.conn.cursor()
        cur.execute(sql)
        return cur

    def close(self):
        self.conn.rollback()
        self.conn.close()


def connect(path):
    if path == "-":
        url = os.environ["AIRFLOW_DB_URL"]
        if url.split("://", 1)[0].split("+", 1)[0] == "mysql":
            sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
            from airflow_db import MyDB            # PyMySQL, ANSI_QUOTES
            db = MyDB(url)
            db.close = db.conn.close
            return db
        return PgDB(url)
    return sqlite3.connect(path)


def tables(db):
    if getattr(db, "my", False):
        return {r[0] for r in db.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = DATABASE()")}
    if isinstance(db, PgDB):
        return {r[0] for r in db.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema()")}
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def rows(path):
    """(field, id) -> {name, raw, flag} for every row of every field."""
    db = connect(path)
    have = tables(db)
    out = {}
    for field, table, col, flag, name in FIELDS:
        if table.strip('"') not in have:
            continue
        sql = "SELECT id, %s, %s, %s FROM %s ORDER BY id" % (
            col, flag or "NULL", name or "NULL", table)
        for rid, raw, fl, nm in db.execute(sql):
            if isinstance(fl, bool):              # PostgreSQL's booleans: 0/1
                fl = int(fl)
            out["%s %d" % (field, rid)] = {"field": field, "id": rid, "name": nm,
                                            "raw": raw, "flag": fl}
    db.close()
    return out


def is_token(v):
    """A value the lifecycle treats as a token: flag set and non-empty, or a
    trigger row that is not plain {...} JSON."""
    if not v["raw"]:
        return False
    if v["field"] == "trigger.kwargs":
        return not v["raw"].startswith("{")
    return bool(v["flag"])


def opener(ks, raw):
    """(index of the first key that opens raw, timestamp, sha256) or (None,)*3."""
    tok = raw.encode("utf-8")
    for i, k in enumerate(ks):
        try:
            plain = k.decrypt(tok)
        except InvalidToken:
            continue
        return i, k.extract_timestamp(tok), hashlib.sha256(plain).hexdigest()
    return None, None, None


def snapshot(path, out):
    ks = keys()
    snap = rows(path)
    for v in snap.values():
        v["key"] = v["ts"] = v["sha"] = None
        if is_token(v):
            v["key"], v["ts"], v["sha"] = opener(ks, v["raw"])
    with open(out, "w") as f:
        json.dump(snap, f)


def load(path):
    with open(path) as f:
        return json.load(f)


def same_rows(before, now, problems):
    if set(before) != set(now):
        problems.append("rows added or removed: %s" % sorted(set(before) ^ set(now))[:5])
        return False
    return True


def label(v):
    return "%s of %s (id %d)" % (v["field"], v["name"] or "trigger", v["id"])


def check_rotated(before_path, path):
    ks = keys()
    before, now = load(before_path), rows(path)
    problems = []
    rotated = kept = 0
    if same_rows(before, now, problems):
        for k, b in before.items():
            n = now[k]
            if n["flag"] != b["flag"]:
                problems.append("%s: flag changed" % label(b))
            if b.get("key") is None:
                if n["raw"] != b["raw"]:
                    problems.append("%s: changed, but no key opened it or it "
                                    "was no token" % label(b))
                kept += 1
                continue
            rotated += 1
            if n["raw"] == b["raw"]:
                problems.append("%s: not rotated (same token)" % label(b))
                continue
            i, ts, sha = opener(ks[:1], n["raw"])
            if i != 0:
                problems.append("%s: the first key does not open it" % label(b))
                continue
            if any(opener([other], n["raw"])[0] is not None for other in ks[1:]):
                problems.append("%s: another key opens it too" % label(b))
            if sha != b["sha"]:
                problems.append("%s: the plaintext changed" % label(b))
            if ts != b["ts"]:
                problems.append("%s: the timestamp changed (%s -> %s)" % (label(b), b["ts"], ts))
    report(problems, "ok rotated %d, unchanged %d" % (rotated, kept))


def check_encrypted(before_path, path):
    ks = keys()
    start = int(os.environ.get("START", "0"))
    before, now = load(before_path), rows(path)
    problems = []
    encrypted = kept = 0
    if same_rows(before, now, problems):
        for k, b in before.items():
            n = now[k]
            plain = (b["field"] != "trigger.kwargs" and not b["flag"] and b["raw"] is not None
                     and (b["raw"] != "" or b["field"] == "variable.val"))
            if not plain:
                if n["raw"] != b["raw"] or n["flag"] != b["flag"]:
                    problems.append("%s: changed" % label(b))
                kept += 1
                continue
            encrypted += 1
            if not n["flag"]:
                problems.append("%s: flag still false" % label(b))
            i, ts, sha = opener(ks[:1], n["raw"] or "")
            if i != 0:
                problems.append("%s: the first key does not open it" % label(b))
                continue
            if sha != hashlib.sha256(b["raw"].encode("utf-8")).hexdigest():
                problems.append("%s: the plaintext changed" % label(b))
            if not start - 1 <= ts <= time.time() + 1:
                problems.append("%s: timestamp %d is not the time of the run" % (label(b), ts))
    report(problems, "ok encrypted %d, unchanged %d" % (encrypted, kept))


def check_unchanged(before_path, path):
    before, now = load(before_path), rows(path)
    problems = []
    if same_rows(before, now, problems):
        for k, b in before.items():
            if now[k]["raw"] != b["raw"] or now[k]["flag"] != b["flag"]:
                problems.append("%s: changed" % label(b))
    report(problems, "ok unchanged %d" % len(before))


def digest(path):
    ks = keys()
    for v in rows(path).values():
        if is_token(v):
            i, ts, sha = opener(ks, v["raw"])
            print("%s %d %s %s" % (v["field"], v["id"], ts, sha))


def report(problems, ok):
    if problems:
        for p in problems[:40]:
            print(p)
        if len(problems) > 40:
            print("... and %d more" % (len(problems) - 40))
        sys.exit(1)
    print(ok)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "snapshot":
        snapshot(*args)
    elif cmd == "check-rotated":
        check_rotated(*args)
    elif cmd == "check-encrypted":
        check_encrypted(*args)
    elif cmd == "check-unchanged":
        check_unchanged(*args)
    elif cmd == "digest":
        digest(*args)
    else:
        sys.exit("rotate_oracle: unknown command %r" % cmd)


if __name__ == "__main__":
    main()
