"""transfer_bench.py: `ferncon connections import` and `export` against
the Python reference, side by side, on N = 1 k, 10 k and 100 k connections.

Each N starts from an empty Airflow 2.10 DB (tests/airflow_db.py create) and
one json file of N connections, each with a password and an extra, in
Airflow's export format. The reference does what `airflow connections
import` and `export` do without the ORM: json.load, MultiFernet.encrypt of
password and extra, INSERT in one transaction; then SELECT, decrypt and
yaml.safe_dump (PyYAML's C dumper when present) of the same dicts. It
prints seconds, the ratio and the peak RSS of each side, and ferncon's RSS
per connection: it must grow with the data, not with the mappings (one
sodium_malloc per secret ran out of vm.max_map_count at 10 k).

  python3 transfer_bench.py BUILDDIR [N ...]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable
FIELDS = ("conn_type", "description", "host", "login", "password", "schema", "port", "extra")


def run(argv, env):
    """Run argv; return (seconds, peak RSS KiB, exit code). The RSS comes
    from /usr/bin/time when there is one: os.wait4() would count the pages
    the forked child had before exec (this Python process)."""
    rssfile = None
    if os.access("/usr/bin/time", os.X_OK):
        fd, rssfile = tempfile.mkstemp()
        os.close(fd)
        argv = ["/usr/bin/time", "-f", "%M", "-o", rssfile] + argv
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    elapsed = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    if rc != 0:
        sys.stderr.write(err.decode(errors="replace"))
    rss = ru.ru_maxrss
    if rssfile is not None:
        with open(rssfile) as f:
            rss = int(f.read().split()[-1])
        os.remove(rssfile)
    return elapsed, rss, rc


def py_import(db, path):
    import sqlite3
    from cryptography.fernet import Fernet, MultiFernet
    mf = MultiFernet([Fernet(k.encode()) for k in os.environ["FERNET_KEY"].split(",")])
    data = json.load(open(path))
    con = sqlite3.connect(db)
    rows = []
    for cid, c in data.items():
        pw, ex = c.get("password"), c.get("extra")
        rows.append((cid, c.get("conn_type"), c.get("description"), c.get("host"),
                     c.get("schema"), c.get("login"),
                     mf.encrypt(pw.encode()).decode() if pw else pw, c.get("port"),
                     mf.encrypt(ex.encode()).decode() if ex else ex, bool(pw), bool(ex)))
    con.executemany(
        "INSERT INTO connection (conn_id, conn_type, description, host, schema, login, "
        "password, port, extra, is_encrypted, is_extra_encrypted) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.commit()


def py_export(db, path):
    import sqlite3
    import yaml
    from cryptography.fernet import Fernet, MultiFernet
    mf = MultiFernet([Fernet(k.encode()) for k in os.environ["FERNET_KEY"].split(",")])
    out = {}
    for r in sqlite3.connect(db).execute(
            "SELECT conn_id, conn_type, description, host, login, password, schema, port, "
            "extra, is_encrypted, is_extra_encrypted FROM connection ORDER BY conn_id"):
        pw = mf.decrypt(r[5].encode()).decode() if r[9] and r[5] else r[5]
        ex = mf.decrypt(r[8].encode()).decode() if r[10] and r[8] else r[8]
        out[r[0]] = dict(zip(FIELDS, (r[1], r[2], r[3], r[4], pw, r[6], r[7], ex)))
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    with open(path, "w") as f:
        yaml.dump(out, f, Dumper=dumper, sort_keys=False)


def make_file(path, n):
    d = {}
    for i in range(n):
        d["bulk_%07d" % i] = {
            "conn_type": "postgres", "description": None, "host": "db%d.example.com" % i,
            "login": "user%d" % i, "password": "pw-%d-%s" % (i, "s" * 20), "schema": "s",
            "port": 5432, "extra": json.dumps({"token": "t%d" % i, "region": "eu-west-1"})}
    with open(path, "w") as f:
        json.dump(d, f)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "py-import":
        py_import(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "py-export":
        py_export(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "make-file":
        make_file(sys.argv[2], int(sys.argv[3]))
        return
    build = sys.argv[1]
    sizes = [int(x) for x in sys.argv[2:]] or [1000, 10000, 100000]
    from cryptography.fernet import Fernet
    key = Fernet.generate_key().decode()
    tmp = tempfile.mkdtemp(prefix="ferncon-transferbench.")
    env = dict(os.environ, FERNET_KEY=key)
    env.pop("AIRFLOW_CONFIG", None)
    mkdb = [PY, os.path.join(HERE, "..", "tests", "airflow_db.py"), "create"]
    schema = ["--schema", os.path.join(HERE, "..", "data", "schema-2.10.sql")]
    print("== connections import (json) and export (yaml): ferncon vs json/PyYAML + MultiFernet")
    print("%8s %-7s %10s %10s %7s %11s %11s %12s" % (
        "N", "", "ferncon s", "python s", "ratio", "fc RSS KiB", "py RSS KiB", "fc B/conn"))
    for n in sizes:
        home = os.path.join(tmp, str(n))
        os.makedirs(home)
        db, pydb = os.path.join(home, "airflow.db"), os.path.join(home, "py.db")
        src = os.path.join(home, "in.json")
        # in a child: this process stays small, and so do the children it
        # forks (ru_maxrss counts the pages a child had before exec)
        subprocess.run([PY, os.path.abspath(__file__), "make-file", src, str(n)], check=True)
        subprocess.run(mkdb + [db] + schema, env=env, check=True)
        shutil.copy(db, pydb)
        with open(os.path.join(home, "airflow.cfg"), "w") as f:
            f.write("[core]\nfernet_key = %s\n[database]\nsql_alchemy_conn = sqlite:///%s\n" % (key, db))
        fenv = dict(env, AIRFLOW_HOME=home)
        fc = os.path.join(build, "ferncon")
        _, base, _ = run([fc, "--version"], fenv)
        for what, fcv, pyv in (
                ("import", [fc, "connections", "import", src],
                 [PY, os.path.abspath(__file__), "py-import", pydb, src]),
                ("export", [fc, "connections", "export", os.path.join(home, "fc.yaml")],
                 [PY, os.path.abspath(__file__), "py-export", pydb, os.path.join(home, "py.yaml")])):
            t_fc, rss_fc, rc = run(fcv, fenv)
            t_py, rss_py, _ = run(pyv, env)
            per = (rss_fc - base) * 1024 / n
            print("%8d %-7s %10.3f %10.3f %6.1fx %11d %11d %12.0f%s" % (
                n, what, t_fc, t_py, t_py / t_fc, rss_fc, rss_py, per,
                "" if rc == 0 else "  (ferncon exit %d)" % rc))
            sys.stdout.flush()
    print("(fc B/conn: ferncon's peak RSS above that of `ferncon --version`, per connection)")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
