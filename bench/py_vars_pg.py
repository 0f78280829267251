"""py_vars_pg.py: the Python reference for bench/pg_var_bench.sh.

What `airflow variables list --show-values` reads, on Airflow's own stack
for PostgreSQL (python3-psycopg2, python3-cryptography), without the ORM:
every variable's key and value, decrypted with MultiFernet, one line each
(key, a tab, the value's length), in ferncon's order: the key's bytes
(ORDER BY "key" COLLATE "C", one sort on the server; Airflow itself asks
for no order). psycopg2's default cursor fetches every row at once, which
favours Python's speed over its memory.

  FERNET_KEY=k1,k2 AIRFLOW_DB_URL=postgresql://... python3 py_vars_pg.py

The key list and the URL (it holds the password) come from the
environment, never from argv.
"""
import os
import sys

import psycopg2
from cryptography.fernet import Fernet, MultiFernet


def main():
    mf = MultiFernet([Fernet(k.encode("utf-8")) for k in os.environ["FERNET_KEY"].split(",")])
    url = os.environ["AIRFLOW_DB_URL"]
    db = psycopg2.connect("postgresql://" + url.split("://", 1)[1])   # drop "+psycopg2"
    cur = db.cursor()
    cur.execute('SELECT "key", val, is_encrypted FROM variable ORDER BY "key" COLLATE "C"')
    out = sys.stdout
    for key, val, enc in cur:
        v = mf.decrypt(val.encode("utf-8")).decode("utf-8") if enc and val else val
        out.write("%s\t%d\n" % (key, len(v or "")))
    db.close()


if __name__ == "__main__":
    main()
