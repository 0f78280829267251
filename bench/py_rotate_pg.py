"""py_rotate_pg.py: the Python reference for bench/pg_rotate_bench.sh.

bench/py_rotate.py on PostgreSQL, on Airflow's own stack there: Debian's
python3-cryptography and python3-psycopg2 (Airflow's default PostgreSQL
driver). What `airflow rotate-fernet-key` (2.10+) does, without the ORM:
one transaction; connection password and extra, variable values and
trigger kwargs each go through MultiFernet.rotate (any key decrypts, the
first encrypts, the timestamp is kept) and are written back. Connections
are read where a flag is set, variables where is_encrypted is set, in pages
of 100 rows (Airflow's batch_size), paged by id; the rows of a page are
read FOR UPDATE, as ferncon reads them, so a concurrent write cannot be
lost. A password or extra is rotated only when it is non-empty and its
flag is set; trigger rows that are still plain `{...}` JSON are left alone.

How the updates of a page are sent (PY_UPDATES in the environment):
  executemany  (default) cursor.executemany(), one statement and one round
               trip per row: what SQLAlchemy's ORM flush does on psycopg2
               (executemany_mode "values_only" batches INSERTs only), so
               what `airflow rotate-fernet-key` does on PostgreSQL
  batch        psycopg2.extras.execute_batch(), the page in one round trip:
               a faster Python than Airflow's
Neither loads ORM objects, which favours Python.

  FERNET_KEY=new,old AIRFLOW_DB_URL=postgresql://... python3 py_rotate_pg.py

The key list and the URL (it holds the password) come from the
environment, never from argv. Prints one line: "tokens N seconds S" where S
covers BEGIN to COMMIT (interpreter start-up, imports and connecting are
not counted: this favours Python).
"""
import os
import time

import psycopg2
from psycopg2.extras import execute_batch
from cryptography.fernet import Fernet, MultiFernet

BATCH = 100


def pages(cur, sql):
    """Rows of sql (which takes the last id as its one parameter), by id."""
    last = 0
    while True:
        cur.execute(sql, (last,))
        rows = cur.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def update(cur, sql, rows):
    if os.environ.get("PY_UPDATES", "executemany") == "batch":
        execute_batch(cur, sql, rows, page_size=BATCH)
    else:
        cur.executemany(sql, rows)


def main():
    mf = MultiFernet([Fernet(k.encode("utf-8")) for k in os.environ["FERNET_KEY"].split(",")])
    url = os.environ["AIRFLOW_DB_URL"]
    db = psycopg2.connect("postgresql://" + url.split("://", 1)[1])   # drop "+psycopg2"
    cur = db.cursor()
    cur.execute("SELECT to_regclass('variable') IS NOT NULL, to_regclass('trigger') IS NOT NULL")
    has_variable, has_trigger = cur.fetchone()
    db.commit()
    n = 0
    t0 = time.perf_counter()
    for rows in pages(cur, "SELECT id, password, is_encrypted, extra, is_extra_encrypted "
                      "FROM connection WHERE id > %%s AND (is_encrypted OR "
                      "is_extra_encrypted) ORDER BY id LIMIT %d FOR UPDATE" % BATCH):
        upd = []
        for cid, pw, pw_enc, extra, extra_enc in rows:
            if pw and pw_enc:
                pw = mf.rotate(pw.encode("utf-8")).decode("utf-8")
                n += 1
            if extra and extra_enc:
                extra = mf.rotate(extra.encode("utf-8")).decode("utf-8")
                n += 1
            upd.append((pw, extra, cid))
        update(cur, "UPDATE connection SET password = %s, extra = %s WHERE id = %s", upd)
    if has_variable:
        for rows in pages(cur, "SELECT id, val FROM variable WHERE id > %%s AND is_encrypted "
                          "ORDER BY id LIMIT %d FOR UPDATE" % BATCH):
            upd = [(mf.rotate(val.encode("utf-8")).decode("utf-8"), vid)
                   for vid, val in rows if val]
            n += len(upd)
            update(cur, "UPDATE variable SET val = %s WHERE id = %s", upd)
    if has_trigger:
        for rows in pages(cur, "SELECT id, kwargs FROM trigger WHERE id > %%s "
                          "ORDER BY id LIMIT %d FOR UPDATE" % BATCH):
            upd = [(mf.rotate(kw.encode("utf-8")).decode("utf-8"), tid)
                   for tid, kw in rows if kw and not kw.startswith("{")]
            n += len(upd)
            update(cur, "UPDATE trigger SET kwargs = %s WHERE id = %s", upd)
    db.commit()
    dt = time.perf_counter() - t0
    print("tokens %d seconds %.6f" % (n, dt))


if __name__ == "__main__":
    main()
