"""py_rotate_my.py: the Python reference for bench/my_rotate_bench.sh.

bench/py_rotate_pg.py on MySQL, on a stack Airflow runs there: Debian's
python3-cryptography and python3-pymysql (mysql+pymysql://). What
`airflow rotate-fernet-key` does, without the ORM: one transaction;
connection password and extra, variable values and trigger kwargs each go
through MultiFernet.rotate (any key decrypts, the first encrypts, the
timestamp is kept) and are written back. Rows are read in pages of 100
(Airflow's batch_size), by id, FOR UPDATE as ferncon reads them.

How the updates of a page are sent (PY_UPDATES in the environment):
  executemany  (default) cursor.executemany(): PyMySQL batches only INSERT
               and REPLACE, so an UPDATE is one statement and one round trip
               per row, as SQLAlchemy's ORM flush sends it on PyMySQL: what
               `airflow rotate-fernet-key` does on MySQL
  batch        the page as one UPDATE ... JOIN (SELECT ... UNION ALL ...):
               one round trip per page, a faster Python than Airflow's
Neither loads ORM objects, which favours Python.

  FERNET_KEY=new,old AIRFLOW_DB_URL=mysql+pymysql://... python3 py_rotate_my.py

The key list and the URL (it holds the password) come from the environment,
never from argv. Prints one line: "tokens N seconds S" where S covers BEGIN
to COMMIT (start-up, imports and connecting are not counted).
"""
import os
import sys
import time

from cryptography.fernet import Fernet, MultiFernet

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from airflow_db import MyDB                     # noqa: E402  (PyMySQL, ANSI_QUOTES)

BATCH = 100


def pages(cur, sql):
    last = 0
    while True:
        cur.execute(sql, (last,))
        rows = cur.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def update(cur, table, cols, rows):
    """rows: (value..., id) tuples; cols: the columns the values go to."""
    if os.environ.get("PY_UPDATES", "executemany") == "batch":
        sel = " UNION ALL ".join(
            ["SELECT %s AS id, " + ", ".join("%%s AS v%d" % i for i in range(len(cols)))] +
            ["SELECT %s, " + ", ".join(["%s"] * len(cols))] * (len(rows) - 1))
        args = []
        for r in rows:
            args.append(r[-1])
            args.extend(r[:-1])
        sets = ", ".join('t."%s" = v.v%d' % (c, i) for i, c in enumerate(cols))
        args += [rows[0][-1], rows[-1][-1]]
        cur.execute('UPDATE "%s" AS t JOIN (%s) AS v ON t.id = v.id SET %s '
                    'WHERE t.id BETWEEN %%s AND %%s' % (table, sel, sets), args)
    else:
        cur.executemany('UPDATE "%s" SET %s WHERE id = %%s'
                        % (table, ", ".join('"%s" = %%s' % c for c in cols)), rows)


def main():
    mf = MultiFernet([Fernet(k.encode("utf-8")) for k in os.environ["FERNET_KEY"].split(",")])
    db = MyDB(os.environ["AIRFLOW_DB_URL"])
    cur = db.conn.cursor()
    cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")
    have = {r[0] for r in cur.fetchall()}
    db.conn.commit()
    n = 0
    t0 = time.perf_counter()
    cur.execute("START TRANSACTION")
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
        update(cur, "connection", ["password", "extra"], upd)
    if "variable" in have:
        for rows in pages(cur, "SELECT id, val FROM variable WHERE id > %%s AND is_encrypted "
                          "ORDER BY id LIMIT %d FOR UPDATE" % BATCH):
            upd = [(mf.rotate(val.encode("utf-8")).decode("utf-8"), vid)
                   for vid, val in rows if val]
            n += len(upd)
            if upd:
                update(cur, "variable", ["val"], upd)
    if "trigger" in have:
        for rows in pages(cur, 'SELECT id, kwargs FROM "trigger" WHERE id > %%s '
                          "ORDER BY id LIMIT %d FOR UPDATE" % BATCH):
            upd = [(mf.rotate(kw.encode("utf-8")).decode("utf-8"), tid)
                   for tid, kw in rows if kw and not kw.startswith("{")]
            n += len(upd)
            if upd:
                update(cur, "trigger", ["kwargs"], upd)
    db.conn.commit()
    dt = time.perf_counter() - t0
    print("tokens %d seconds %.6f" % (n, dt))


if __name__ == "__main__":
    main()
