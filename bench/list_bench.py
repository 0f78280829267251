"""list_bench.py: `ferncon connections list -o plain` against the Python
reference, side by side, on DBs of 1 k, 100 k and 1 M connections.

The reference (py_list) does what `airflow connections list` does without
the ORM: read every row with sqlite3, decrypt password and extra with
MultiFernet, print one line per connection. For each N it prints the time
to list everything, the time to the first 50 rows (the output read through
a pipe that closes after 50 lines), and the peak RSS of each side.
Targets: ferncon's RSS flat from 1 k to 1 M; first 50 rows of 1 M < 50 ms.

  python3 list_bench.py BUILDDIR [N ...]
"""
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable


def run(argv, env, first=None):
    """Run argv; return (seconds, peak RSS KiB). first: stop after that many lines."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    n = 0
    for _ in p.stdout:
        n += 1
        if first is not None and n >= first:
            break
    elapsed = time.perf_counter() - t0
    p.stdout.close()
    _, _, ru = os.wait4(p.pid, 0)
    return elapsed, ru.ru_maxrss


def py_list(db):
    import sqlite3
    from cryptography.fernet import MultiFernet, Fernet
    mf = MultiFernet([Fernet(k.encode()) for k in os.environ["FERNET_KEY"].split(",")])
    out = sys.stdout
    for row in sqlite3.connect(db).execute(
            "SELECT conn_id, conn_type, host, port, login, password, is_encrypted, extra, "
            "is_extra_encrypted FROM connection ORDER BY conn_id"):
        pw = mf.decrypt(row[5].encode()).decode() if row[6] and row[5] else row[5]
        ex = mf.decrypt(row[7].encode()).decode() if row[8] and row[7] else row[7]
        out.write("%s\t%s\t%s\t%s\t%s\t%d\t%d\n" % (row[0], row[1], row[2] or "", row[3] or "",
                                                   row[4] or "", len(pw or ""), len(ex or "")))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "py-list":
        py_list(sys.argv[2])
        return
    build = sys.argv[1]
    sizes = [int(x) for x in sys.argv[2:]] or [1000, 100000, 1000000]
    from cryptography.fernet import Fernet
    key = Fernet.generate_key().decode()
    tmp = tempfile.mkdtemp(prefix="ferncon-listbench.")
    env = dict(os.environ, FERNET_KEY=key)
    env.pop("AIRFLOW_CONFIG", None)
    print("== connections list -o plain (ferncon) vs sqlite3 + MultiFernet (Python)")
    print("%9s %12s %12s %8s %14s %14s %12s %12s" % (
        "N", "ferncon s", "python s", "ratio", "first50 fc ms", "first50 py ms",
        "fc RSS KiB", "py RSS KiB"))
    for n in sizes:
        home = os.path.join(tmp, str(n))
        os.makedirs(home)
        db = os.path.join(home, "airflow.db")
        subprocess.run([PY, os.path.join(HERE, "..", "tests", "airflow_db.py"), "create", db,
                        "--schema", os.path.join(HERE, "..", "data", "schema-2.10.sql")],
                       env=env, check=True)
        subprocess.run([PY, os.path.join(HERE, "..", "tests", "airflow_db.py"), "bulk", db,
                        str(n), "--extra"], env=env, check=True)
        with open(os.path.join(home, "airflow.cfg"), "w") as f:
            f.write("[core]\nfernet_key = %s\n[database]\nsql_alchemy_conn = sqlite:///%s\n" % (key, db))
        fenv = dict(env, AIRFLOW_HOME=home)
        fc = [os.path.join(build, "ferncon"), "connections", "list", "-o", "plain"]
        py = [PY, os.path.abspath(__file__), "py-list", db]
        t_fc, rss_fc = run(fc, fenv)
        t_py, rss_py = run(py, env)
        f_fc, _ = run(fc, fenv, first=50)
        f_py, _ = run(py, env, first=50)
        print("%9d %12.3f %12.3f %7.1fx %14.1f %14.1f %12d %12d" % (
            n, t_fc, t_py, t_py / t_fc, f_fc * 1000, f_py * 1000, rss_fc, rss_py))
        sys.stdout.flush()
        os.remove(db)
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
