#!/usr/bin/python3
"""airflow_db.py: write and read an Airflow metadata DB the way Airflow does.

A test fixture for ferncon: it stores connections, variables and triggers with
Airflow's own rules (doc/airflow-compat.md section 2.1), and reads them back
as Airflow would.
DB is an SQLite file path, a MySQL URL (mysql[+driver]://user:pw@host:port/db
or ?unix_socket=..., written through python3-pymysql as mysql+pymysql does:
flags as 1/0), or a PostgreSQL URL as in sql_alchemy_conn
(postgresql://, postgresql+psycopg2:// or postgres://user:pw@host:port/db?...),
written through python3-psycopg2 as Airflow's default PostgreSQL driver does:
booleans as booleans, tables on the search_path (put options=-csearch_path=S
in the URL for another schema). Prefer AIRFLOW_DB_URL=URL with DB given as
"-" to keep the password out of argv.

  create DB --schema FILE [--wal]     run a data/schema-*.sql file (--wal: journal_mode
                                      WAL, as Airflow 3 leaves its SQLite file); on
                                      PostgreSQL the tables must not exist yet
  fill DB --connections JSON [--variables JSON] [--triggers N]
                                      insert data/demo-*.json rows; "storage" picks the key
  bulk DB N [--variables] [--extra]   N realistic connections (and N variables), fast
  dump DB                             every connection as one JSON line, by conn_id
  dump-variables DB                   every variable as one JSON line, by key
  dump-triggers DB                    every trigger as one JSON line, by id
  count DB [TABLE]                    rows in TABLE (default connection)
  token-info DB CONN_ID FIELD         which key of FERNET_KEY opens the field, and when the
                                      token was made (FIELD: password, extra; or val, with
                                      CONN_ID naming a variable key)

Keys come from the environment only, never from argv:
  FERNET_KEY     Airflow's [core] fernet_key: "new,old". Split on "," without trimming,
                 as Airflow does; the first key encrypts, any key decrypts. Empty or
                 unset: values are stored in plain text with their flags 0.
  DEMO_OLD_KEY   the key for rows with storage "old" (they need a rotation)
  DEMO_LOST_KEY  the key for rows with storage "lost" (undecryptable); unset: a fresh
                 key that is thrown away
Storage: "primary" (default) = first key of FERNET_KEY, "old" (token time 400 days
ago), "lost" (token time 2021-03-15), and "plain" (as written while fernet_key was
empty: plain text, flags 0).

Airflow's write rules kept here: an empty password is never stored (NULL, flag 0); an
empty extra is stored as is with is_extra_encrypted 0; a variable value is encrypted
when a key is set; trigger kwargs are the token of json.dumps(serialize(kwargs)), with
no flag. Rows are inserted by column name (the schemas order columns differently),
flags are written as 0/1 (booleans on PostgreSQL; dumps show 0/1 on both), and
team_name/team_id are left NULL.

Run with the Debian python3 (/usr/bin/python3) that has python3-cryptography.
"""

import argparse
import base64
import datetime
import json
import os
import random
import sqlite3
import string
import struct
import sys
import time

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


# -- keys --------------------------------------------------------------------

def key_list():
    """The Fernet objects of FERNET_KEY, in order; [] when it is empty."""
    value = os.environ.get("FERNET_KEY", "")
    if not value:
        return []
    return [Fernet(part.encode("utf-8")) for part in value.split(",")]


OLD_AGE = 400 * 86400          # "old" tokens were made 400 days ago
LOST_AT = 1615766400           # "lost" tokens: 2021-03-15, under a key since lost


class Sealer:
    """Encrypts like get_fernet().encrypt, with the token time set for old rows."""

    def __init__(self, fernet, at=None):
        self.fernet, self.at = fernet, at

    def encrypt(self, data):
        if self.at is None:
            return self.fernet.encrypt(data)
        return self.fernet.encrypt_at_time(data, self.at)


def storage_fernet(storage, keys):
    """The object that encrypts a row of this storage, or None for plain text."""
    if storage == "primary":
        return MultiFernet(keys) if keys else None
    if storage == "plain":
        return None
    if storage == "old":
        old = os.environ.get("DEMO_OLD_KEY")
        if not old:
            sys.exit("airflow_db: storage 'old' needs DEMO_OLD_KEY")
        return Sealer(Fernet(old.encode("utf-8")), int(time.time()) - OLD_AGE)
    if storage == "lost":
        lost = os.environ.get("DEMO_LOST_KEY") or Fernet.generate_key().decode()
        return Sealer(Fernet(lost.encode("utf-8")), LOST_AT)
    sys.exit("airflow_db: unknown storage %r" % storage)


def seal(fernet, value):
    """(stored text, flag) for a non-empty value, as Airflow's setters do."""
    if fernet is None:
        return value, 0
    return fernet.encrypt(value.encode("utf-8")).decode("utf-8"), 1


# -- Airflow's write rules ---------------------------------------------------

def connection_row(c, fernet):
    row = {k: c.get(k) for k in ("conn_id", "conn_type", "description", "host",
                                 "schema", "login", "port")}
    row["password"], row["is_encrypted"] = None, 0
    if c.get("password"):                       # set_password ignores ""/None
        row["password"], row["is_encrypted"] = seal(fernet, c["password"])
    row["extra"], row["is_extra_encrypted"] = c.get("extra"), 0
    if c.get("extra"):                          # set_extra stores ""/None as is
        row["extra"], row["is_extra_encrypted"] = seal(fernet, c["extra"])
    return row


def variable_row(v, fernet):
    row = {"key": v["key"], "description": v.get("description"),
           "val": None, "is_encrypted": 0}
    if v.get("val") is not None:                # set_val acts on any non-None value
        row["val"], row["is_encrypted"] = seal(fernet, v["val"])
    return row


def serialize(value):
    """BaseSerialization.serialize for the plain types trigger kwargs use."""
    if isinstance(value, dict):
        return {"__var": {str(k): serialize(v) for k, v in value.items()}, "__type": "dict"}
    if isinstance(value, list):
        return [serialize(v) for v in value]
    if isinstance(value, datetime.datetime):
        return {"__var": value.timestamp(), "__type": "datetime"}
    return value


def trigger_row(i, fernet):
    moment = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.timezone.utc)
    kwargs = {"moment": moment + datetime.timedelta(minutes=i), "end_from_trigger": False}
    text = json.dumps(serialize(kwargs))
    return {"classpath": "airflow.triggers.temporal.DateTimeTrigger",
            "kwargs": seal(fernet, text)[0],     # no flag: plain text only without a key
            "created_date": "2026-05-01 11:00:00.000000", "triggerer_id": None}


# -- the database ------------------------------------------------------------

FLAGS = ("is_encrypted", "is_extra_encrypted")


def is_pg(target):
    return target.split("://", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")


def is_my(target):
    return target.split("://", 1)[0].split("+", 1)[0] == "mysql"


class PgDB:
    """A psycopg2 connection that takes SQLite's "?" placeholders."""

    pg = True

    def __init__(self, url):
        import psycopg2                            # python3-psycopg2 (Debian)
        scheme, rest = url.split("://", 1)
        # libpq reads the URL itself; only SQLAlchemy's "+driver" must go.
        self.conn = psycopg2.connect("postgresql://" + rest, application_name="airflow_db")

    def execute(self, sql, params=()):
        cur = self.conn.cursor()
        cur.execute(sql.replace("?", "%s"), params)
        return cur

    def executemany(self, sql, rows):
        from psycopg2.extras import execute_batch
        execute_batch(self.conn.cursor(), sql.replace("?", "%s"), rows, page_size=1000)

    def executescript(self, ddl):
        self.conn.cursor().execute(ddl)

    def commit(self):
        self.conn.commit()

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            self.conn.commit()
        else:
            self.conn.rollback()


class MyDB(PgDB):
    """A PyMySQL connection, as Airflow's mysql+pymysql writes: flags as 1/0.

    The session quotes identifiers with double quotes (ANSI_QUOTES) so that
    this tool's SQL is the same on every backend; Airflow's own statements
    use backquotes, which mean the same.
    """

    my = True

    def __init__(self, url):
        import urllib.parse
        import pymysql                             # python3-pymysql (Debian)
        from pymysql.constants import CLIENT
        u = urllib.parse.urlsplit(url)
        q = dict(urllib.parse.parse_qsl(u.query))
        args = {"user": urllib.parse.unquote(u.username or ""),
                "password": urllib.parse.unquote(u.password or ""),
                "database": urllib.parse.unquote(u.path.lstrip("/")),
                "charset": q.get("charset", "utf8mb4"),
                "client_flag": CLIENT.MULTI_STATEMENTS | CLIENT.FOUND_ROWS,
                "init_command": "SET SESSION sql_mode = CONCAT_WS(',', "
                                "NULLIF(@@SESSION.sql_mode, ''), 'ANSI_QUOTES')"}
        if "unix_socket" in q:
            args["unix_socket"] = q["unix_socket"]
        else:
            args["host"] = u.hostname or "localhost"
            args["port"] = u.port or 3306
        self.conn = pymysql.connect(**args)

    def executemany(self, sql, rows):
        rows = list(rows)
        cur = self.conn.cursor()
        for i in range(0, len(rows), 1000):
            cur.executemany(sql.replace("?", "%s"), rows[i:i + 1000])

    def executescript(self, ddl):
        cur = self.conn.cursor()
        cur.execute(ddl)
        while cur.nextset():
            pass


class SqliteDB(sqlite3.Connection):
    pg = False


def open_db(target, must_exist=True):
    if target == "-":
        target = os.environ.get("AIRFLOW_DB_URL", "")
    if is_pg(target):
        return PgDB(target)
    if is_my(target):
        return MyDB(target)
    if must_exist and not os.path.exists(target):
        sys.exit("airflow_db: no database %r" % target)
    db = sqlite3.connect(target, factory=SqliteDB)
    db.execute("PRAGMA foreign_keys=ON")          # as Airflow's connect hook
    return db


def columns(db, table):
    if getattr(db, "my", False):
        return [r[0] for r in db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = DATABASE() ORDER BY ordinal_position", (table,))]
    if getattr(db, "pg", False):
        return [r[0] for r in db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = current_schema() ORDER BY ordinal_position", (table,))]
    return [r[1] for r in db.execute('PRAGMA table_info("%s")' % table)]


def db_value(db, name, value):
    """A value as the driver must get it: flags are booleans on PostgreSQL."""
    if db.pg and not getattr(db, "my", False) and name in FLAGS and value is not None:
        return bool(value)
    return value


def insert_sql(db, table, names):
    """INSERT by column NAME, keeping only the columns this schema has."""
    have = set(columns(db, table))
    if not have:
        sys.exit("airflow_db: the database has no table %r" % table)
    names = [n for n in names if n in have]
    sql = 'INSERT INTO "%s" (%s) VALUES (%s)' % (
        table, ", ".join('"%s"' % n for n in names), ", ".join("?" * len(names)))
    return sql, names


def insert_rows(db, table, rows):
    rows = list(rows)
    if not rows:
        return 0
    sql, names = insert_sql(db, table, rows[0].keys())
    db.executemany(sql, [[db_value(db, n, r[n]) for n in names] for r in rows])
    return len(rows)


# -- commands ----------------------------------------------------------------

def cmd_create(a):
    if a.db != "-" and not is_pg(a.db) and not is_my(a.db) and os.path.exists(a.db):
        sys.exit("airflow_db: %r exists already" % a.db)
    with open(a.schema, encoding="utf-8") as f:
        ddl = f.read()
    db = open_db(a.db, must_exist=False)
    if db.pg and columns(db, "connection"):
        sys.exit("airflow_db: the database has a connection table already")
    if a.wal and not db.pg:
        db.execute("PRAGMA journal_mode=WAL")
    db.executescript(ddl)
    db.commit()


def cmd_fill(a):
    keys = key_list()
    db = open_db(a.db)
    with open(a.connections, encoding="utf-8") as f:
        conns = json.load(f)
    n = insert_rows(db, "connection", (
        connection_row(c, storage_fernet(c.get("storage", "primary"), keys)) for c in conns))
    counts = ["%d connections" % n]
    if a.variables:
        with open(a.variables, encoding="utf-8") as f:
            variables = json.load(f)
        n = insert_rows(db, "variable", (
            variable_row(v, storage_fernet(v.get("storage", "primary"), keys)) for v in variables))
        counts.append("%d variables" % n)
    if a.triggers:
        primary = storage_fernet("primary", keys)
        n = insert_rows(db, "trigger", (trigger_row(i, primary) for i in range(a.triggers)))
        counts.append("%d triggers" % n)
    db.commit()
    print("filled: " + ", ".join(counts), file=sys.stderr)


CONN_FIELDS = ["conn_id", "conn_type", "description", "host", "schema", "login", "password",
               "port", "is_encrypted", "extra", "is_extra_encrypted"]
BULK_TYPES = [
    ("postgres", 5432, '{"sslmode": "require"}'),
    ("mysql", 3306, '{"charset": "utf8mb4"}'),
    ("http", 443, '{"Content-Type": "application/json", "timeout": 30}'),
    ("aws", None, '{"region_name": "eu-west-1", "role_arn": "arn:aws:iam::123456789012:role/demo-%d"}'),
    ("ssh", 22, '{"no_host_key_check": false, "conn_timeout": 20}'),
    ("snowflake", None, '{"account": "demo%05d", "warehouse": "DEMO_WH", "role": "ETL"}'),
]


def cmd_bulk(a):
    keys = key_list()
    primary = keys[0] if keys else None          # what MultiFernet.encrypt uses
    rng = random.Random(a.seed)
    alphabet = string.ascii_letters + string.digits
    db = open_db(a.db)
    if not db.pg:
        db.execute("PRAGMA synchronous=OFF")

    def secret():
        return "".join(rng.choice(alphabet) for _ in range(24))

    def conns(start):
        for i in range(start, start + a.n):
            ctype, port, extra = BULK_TYPES[i % len(BULK_TYPES)]
            password, is_enc = seal(primary, secret())
            row = {"conn_id": "bulk_%s_%07d" % (ctype, i), "conn_type": ctype,
                   "description": "bulk demo connection %d" % i,
                   "host": "%s-%d.demo.internal" % (ctype, i % 997), "schema": "demo",
                   "login": "svc_%04d" % (i % 10000), "password": password, "port": port,
                   "is_encrypted": is_enc, "extra": None, "is_extra_encrypted": 0}
            if a.extra:
                text = extra % i if "%" in extra else extra
                row["extra"], row["is_extra_encrypted"] = seal(primary, text)
            yield row

    def variables(start):
        for i in range(start, start + a.n):
            val, is_enc = seal(primary, secret())
            yield {"key": "bulk_var_%07d" % i, "val": val, "description": None,
                   "is_encrypted": is_enc}

    def next_id(table):
        return db.execute('SELECT COALESCE(MAX(id), 0) + 1 FROM "%s"' % table).fetchone()[0]

    with db:                                     # one transaction
        sql, names = insert_sql(db, "connection", CONN_FIELDS)
        db.executemany(sql, ([db_value(db, n, r[n]) for n in names]
                             for r in conns(next_id("connection"))))
        if a.variables:
            sql, names = insert_sql(db, "variable", ["key", "val", "description", "is_encrypted"])
            db.executemany(sql, ([db_value(db, n, r[n]) for n in names]
                                 for r in variables(next_id("variable"))))


def opener(keys):
    multi = MultiFernet(keys) if keys else None

    def open_value(value, flag):
        """Decrypt as Airflow reads; an unopenable value becomes a marker."""
        if not value or not flag:
            return value
        if multi is None:
            return {"undecryptable": True}
        try:
            return multi.decrypt(value.encode("utf-8")).decode("utf-8")
        except (InvalidToken, UnicodeDecodeError):
            return {"undecryptable": True}
    return open_value


def print_rows(db, table, fields, order, decrypt):
    have = set(columns(db, table))
    cols = [f for f in fields if f in have]
    if getattr(db, "my", False) and order != "id":
        order = "CAST(%s AS BINARY)" % order      # byte order, as SQLite sorts
    elif db.pg and order != "id":                 # byte order, as SQLite sorts
        order += ' COLLATE "C"'
    sql = 'SELECT %s FROM "%s" ORDER BY %s' % (", ".join('"%s"' % c for c in cols), table, order)
    for r in db.execute(sql):
        row = dict(zip(cols, r))
        for k in FLAGS:                           # 0/1 on both backends
            if isinstance(row.get(k), bool):
                row[k] = int(row[k])
        decrypt(row)
        print(json.dumps(row, ensure_ascii=False, default=str))


def cmd_dump(a):
    open_value = opener(key_list())

    def decrypt(row):
        row["password"] = open_value(row["password"], row["is_encrypted"])
        row["extra"] = open_value(row["extra"], row["is_extra_encrypted"])
    print_rows(open_db(a.db), "connection",
               ["id", "conn_id", "conn_type", "description", "host", "schema", "login",
                "password", "port", "extra", "is_encrypted", "is_extra_encrypted"],
               "conn_id", decrypt)


def cmd_dump_variables(a):
    open_value = opener(key_list())

    def decrypt(row):
        row["val"] = open_value(row["val"], row["is_encrypted"])
    print_rows(open_db(a.db), "variable", ["id", "key", "val", "description", "is_encrypted"],
               '"key"', decrypt)


def cmd_dump_triggers(a):
    open_value = opener(key_list())

    def decrypt(row):
        if not row["kwargs"].startswith("{"):   # pre-2.9 rows are plain JSON
            row["kwargs"] = open_value(row["kwargs"], 1)
    print_rows(open_db(a.db), "trigger", ["id", "classpath", "kwargs", "created_date"],
               "id", decrypt)


def cmd_count(a):
    db = open_db(a.db)
    print(db.execute('SELECT count(*) FROM "%s"' % a.table).fetchone()[0])


def cmd_token_info(a):
    db = open_db(a.db)
    if a.field in ("password", "extra"):
        flag = "is_encrypted" if a.field == "password" else "is_extra_encrypted"
        row = db.execute('SELECT "%s", "%s" FROM connection WHERE conn_id = ?' % (a.field, flag),
                         (a.conn_id,)).fetchone()
    elif a.field == "val":
        row = db.execute('SELECT val, is_encrypted FROM variable WHERE "key" = ?',
                         (a.conn_id,)).fetchone()
    else:
        sys.exit("airflow_db: FIELD is password, extra or val")
    if row is None:
        sys.exit("airflow_db: no row %r" % a.conn_id)
    value, flag = row
    info = {"id": a.conn_id, "field": a.field, "encrypted": bool(flag and value)}
    if info["encrypted"]:
        token = value.encode("utf-8")
        info["key_index"] = info["timestamp"] = None
        for i, f in enumerate(key_list()):
            try:
                f.decrypt(token)
            except InvalidToken:
                continue
            info["key_index"], info["timestamp"] = i, f.extract_timestamp(token)
            break
        try:   # the token's own clock field, unverified: for rows no key opens
            info["timestamp_unverified"] = struct.unpack(
                ">Q", base64.urlsafe_b64decode(token)[1:9])[0]
        except (ValueError, struct.error):
            info["timestamp_unverified"] = None
    print(json.dumps(info))


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("create")
    s.add_argument("db")
    s.add_argument("--schema", required=True)
    s.add_argument("--wal", action="store_true")
    s.set_defaults(func=cmd_create)
    s = sub.add_parser("fill")
    s.add_argument("db")
    s.add_argument("--connections", required=True)
    s.add_argument("--variables")
    s.add_argument("--triggers", type=int, default=0)
    s.set_defaults(func=cmd_fill)
    s = sub.add_parser("bulk")
    s.add_argument("db")
    s.add_argument("n", type=int)
    s.add_argument("--variables", action="store_true")
    s.add_argument("--extra", action="store_true")
    s.add_argument("--seed", type=int, default=1)
    s.set_defaults(func=cmd_bulk)
    for name, func in (("dump", cmd_dump), ("dump-variables", cmd_dump_variables),
                       ("dump-triggers", cmd_dump_triggers)):
        s = sub.add_parser(name)
        s.add_argument("db")
        s.set_defaults(func=func)
    s = sub.add_parser("count")
    s.add_argument("db")
    s.add_argument("table", nargs="?", default="connection")
    s.set_defaults(func=cmd_count)
    s = sub.add_parser("token-info")
    s.add_argument("db")
    s.add_argument("conn_id")
    s.add_argument("field")
    s.set_defaults(func=cmd_token_info)
    a = p.parse_args()
    a.func(a)


if __name__ == "__main__":
    main()
