"""var_bench.py: the variables at 1 k and 1 M rows, beside the connections.

For each N a DB of N connections and N variables (tests/airflow_db.py bulk
N --variables --extra, written as Airflow writes them), then:

  - `ferncon variables list -o plain` against the Python reference (what
    `airflow variables list --show-values` reads: sqlite3 and MultiFernet
    over the variable table in key order), and `ferncon connections list
    -o plain` on the same DB: seconds for everything, ms to the first 50
    rows, peak RSS;
  - the Variables screen through tmux and the console's frame trace
    (bench/tui_bench.py's Pane): ms from the V key to the painted screen,
    End (the last page), Home, PgDn, one filter keystroke, peak RSS.

Not a test: it prints figures and asserts nothing about time.

  python3 var_bench.py BUILDDIR [N ...]
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from list_bench import run  # noqa: E402
from tui_bench import Pane  # noqa: E402

PY = sys.executable
TOOL = os.path.join(HERE, "..", "tests", "airflow_db.py")


def py_vars(db):
    import sqlite3
    from cryptography.fernet import MultiFernet, Fernet
    mf = MultiFernet([Fernet(k.encode()) for k in os.environ["FERNET_KEY"].split(",")])
    out = sys.stdout
    for key, val, enc in sqlite3.connect(db).execute(
            'SELECT "key", val, is_encrypted FROM variable ORDER BY "key"'):
        v = mf.decrypt(val.encode()).decode() if enc and val else val
        out.write("%s\t%d\n" % (key, len(v or "")))


def ms(xs):
    return "%.1f ms" % statistics.median(xs)


def screen(ferncon, cfg, d, n):
    trace = os.path.join(d, "trace-%d" % n)
    p = Pane(ferncon, cfg, trace)
    try:
        p.wait_paint()
        p.settle()
        open_ms = p.key("V")
        p.settle()
        end, home, pgdn, filt = [], [], [], []
        for _ in range(5):
            end.append(p.key("End"))
            home.append(p.key("Home"))
            pgdn.append(p.key("NPage"))
        p.key("Home")
        p.key("/")
        for _ in range(3):
            filt.append(p.key("9"))
            p.key("BSpace")
        p.key("Enter")
        rss = p.rss_kib()
        print("  screen: V %.1f ms  End %s  Home %s  PgDn %s  filter key %s  peak RSS %.1f MiB"
              % (open_ms, ms(end), ms(home), ms(pgdn), ms(filt), rss / 1024.0), flush=True)
    finally:
        p.close()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "py-vars":
        py_vars(sys.argv[2])
        return
    build = os.path.abspath(sys.argv[1])
    ferncon = os.path.join(build, "ferncon")
    sizes = [int(x) for x in sys.argv[2:]] or [1000, 1000000]
    from cryptography.fernet import Fernet
    key = Fernet.generate_key().decode()
    tmp = tempfile.mkdtemp(prefix="ferncon-varbench.")
    env = dict(os.environ, FERNET_KEY=key)
    env.pop("AIRFLOW_CONFIG", None)
    print("== variables list -o plain (ferncon) vs sqlite3 + MultiFernet (Python); "
          "connections list beside")
    print("%9s %-22s %10s %10s %8s %12s %12s %11s %11s" % (
        "N", "what", "ferncon s", "python s", "ratio", "first50 fc", "first50 py",
        "fc RSS KiB", "py RSS KiB"))
    for n in sizes:
        home = os.path.join(tmp, str(n))
        os.makedirs(home)
        db = os.path.join(home, "airflow.db")
        subprocess.run([PY, TOOL, "create", db, "--schema",
                        os.path.join(HERE, "..", "data", "schema-2.10.sql")], env=env, check=True)
        t = time.monotonic()
        subprocess.run([PY, TOOL, "bulk", db, str(n), "--variables", "--extra"], env=env,
                       check=True)
        print("  (made %d connections and %d variables in %.0f s)" % (n, n, time.monotonic() - t),
              flush=True)
        cfg = os.path.join(home, "airflow.cfg")
        with open(cfg, "w") as f:
            f.write("[core]\nfernet_key = %s\n[database]\nsql_alchemy_conn = sqlite:///%s\n"
                    "[console]\naction_log = %s\n" % (key, db, os.path.join(home, "actions.log")))
        fenv = dict(env, AIRFLOW_HOME=home)
        fv = [ferncon, "variables", "list", "-o", "plain"]
        fc = [ferncon, "connections", "list", "-o", "plain"]
        pv = [PY, os.path.abspath(__file__), "py-vars", db]
        t_fv, rss_fv = run(fv, fenv)
        t_pv, rss_pv = run(pv, env)
        f_fv, _ = run(fv, fenv, first=50)
        f_pv, _ = run(pv, env, first=50)
        t_fc, rss_fc = run(fc, fenv)
        f_fc, _ = run(fc, fenv, first=50)
        print("%9d %-22s %10.3f %10.3f %7.1fx %10.1fms %10.1fms %11d %11d" % (
            n, "variables list", t_fv, t_pv, t_pv / t_fv, f_fv * 1000, f_pv * 1000, rss_fv,
            rss_pv))
        print("%9d %-22s %10.3f %10s %8s %10.1fms %12s %11d %11s" % (
            n, "connections list", t_fc, "-", "-", f_fc * 1000, "-", rss_fc, "-"), flush=True)
        screen(ferncon, cfg, home, n)
        os.remove(db)
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
