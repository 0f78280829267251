"""py_rotate.py: the Python reference for bench/rotate_bench.py.

What `airflow rotate-fernet-key` (2.10+) does, without the ORM: one
transaction over the metadata DB; connection password and extra, variable
values and trigger kwargs each go through MultiFernet.rotate (any key
decrypts, the first encrypts, the timestamp is kept) and are written back.
Connections are read where a flag is set, variables where is_encrypted is
set, in pages of 100 rows as Airflow's batch_size (paged by id, which is
what Airflow's OFFSET paging should have been; it is no slower). A password
or extra is rotated only when it is non-empty and its flag is set, as in
Connection.rotate_fernet_key(); trigger rows that are still plain `{...}`
JSON are left alone (Airflow would fail on them).

  FERNET_KEY=new,old python3 py_rotate.py DB

The key list comes from the environment, never from argv. Prints one line:
"tokens N seconds S" where S covers BEGIN to COMMIT (interpreter start-up
and imports are not counted: this favours Python).
"""
import os
import sqlite3
import sys
import time

from cryptography.fernet import Fernet, MultiFernet

BATCH = 100


def pages(db, sql):
    """Rows of sql (which takes the last id as its one parameter), by id."""
    last = 0
    while True:
        rows = db.execute(sql, (last,)).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def main():
    mf = MultiFernet([Fernet(k.encode("utf-8")) for k in os.environ["FERNET_KEY"].split(",")])
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    n = 0
    t0 = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    for rows in pages(db, "SELECT id, password, is_encrypted, extra, is_extra_encrypted "
                      "FROM connection WHERE id > ? AND (is_encrypted = 1 OR "
                      "is_extra_encrypted = 1) ORDER BY id LIMIT %d" % BATCH):
        upd = []
        for cid, pw, pw_enc, extra, extra_enc in rows:
            if pw and pw_enc:
                pw = mf.rotate(pw.encode("utf-8")).decode("utf-8")
                n += 1
            if extra and extra_enc:
                extra = mf.rotate(extra.encode("utf-8")).decode("utf-8")
                n += 1
            upd.append((pw, extra, cid))
        db.executemany("UPDATE connection SET password = ?, extra = ? WHERE id = ?", upd)
    if "variable" in tables:
        for rows in pages(db, "SELECT id, val FROM variable WHERE id > ? AND is_encrypted = 1 "
                          "ORDER BY id LIMIT %d" % BATCH):
            upd = [(mf.rotate(val.encode("utf-8")).decode("utf-8"), vid)
                   for vid, val in rows if val]
            n += len(upd)
            db.executemany("UPDATE variable SET val = ? WHERE id = ?", upd)
    if "trigger" in tables:
        for rows in pages(db, 'SELECT id, kwargs FROM "trigger" WHERE id > ? '
                          "ORDER BY id LIMIT %d" % BATCH):
            upd = [(mf.rotate(kw.encode("utf-8")).decode("utf-8"), tid)
                   for tid, kw in rows if kw and not kw.startswith("{")]
            n += len(upd)
            db.executemany('UPDATE "trigger" SET kwargs = ? WHERE id = ?', upd)
    db.execute("COMMIT")
    dt = time.perf_counter() - t0
    print("tokens %d seconds %.6f" % (n, dt))


if __name__ == "__main__":
    main()
