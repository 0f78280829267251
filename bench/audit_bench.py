"""audit_bench.py: `ferncon audit` over DBs of N connections with realistic
extras (tests/airflow_db.py bulk N --extra, plus the 42 demo connections
with their PEM keys, service-account JSON and tokens, so that every rule
path runs).

For each N it prints the wall time of the whole audit (configuration
checks, decrypting and walking every connection, the JSON report written
to a pipe and read), its CPU time (user + sys, steadier on a busy
machine), connections per second (wall), the number of findings and the
peak RSS. There is no Python reference for the audit
(detect-secrets and gitleaks are not installed); the target is 100 k
connections in under 2 s with an RSS that does not grow with N.

  python3 audit_bench.py BUILDDIR [N ...]      (default N: 1000 100000)
"""
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..")
PY = sys.executable


def run(argv, env):
    """Run argv, read its stdout; return (seconds, CPU seconds, peak RSS KiB, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    elapsed = time.perf_counter() - t0
    p.stdout.close()
    _, status, ru = os.wait4(p.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit("audit_bench: ferncon audit exited %d" % code)
    return elapsed, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, out


def tool(args, env):
    subprocess.run([PY, os.path.join(TOP, "tests", "airflow_db.py")] + args, env=env, check=True)


def main():
    build = sys.argv[1]
    sizes = [int(x) for x in sys.argv[2:]] or [1000, 100000]
    from cryptography.fernet import Fernet
    key, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    tmp = tempfile.mkdtemp(prefix="ferncon-auditbench.")
    env = dict(os.environ, FERNET_KEY=key, DEMO_OLD_KEY=old)
    for v in [k for k in env if k.startswith("AIRFLOW")]:
        del env[v]
    print("== audit: N connections with realistic extras (+42 demo connections); target 100 k < 2 s")
    print("%9s %10s %10s %12s %10s %12s" % ("N", "seconds", "cpu s", "conns/s", "findings",
                                            "RSS KiB"))
    for n in sizes:
        home = os.path.join(tmp, str(n))
        os.makedirs(home)
        db = os.path.join(home, "airflow.db")
        tool(["create", db, "--schema", os.path.join(TOP, "data", "schema-3.2.sql")], env)
        tool(["bulk", db, str(n), "--extra"], env)
        subprocess.run([PY, os.path.join(TOP, "tests", "airflow_db.py"), "fill", db,
                        "--connections", os.path.join(TOP, "data", "demo-connections.json")],
                       env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cfg = os.path.join(home, "airflow.cfg")
        with open(cfg, "w") as f:
            f.write("[core]\nfernet_key = %s,%s\n[database]\nsql_alchemy_conn = sqlite:///%s\n"
                    % (key, old, db))
        os.chmod(cfg, 0o600)
        fenv = dict(env, AIRFLOW_HOME=home)
        del fenv["FERNET_KEY"], fenv["DEMO_OLD_KEY"]
        argv = [os.path.join(build, "ferncon"), "audit", "--format", "json", "--fail-on", "none"]
        t, cpu, rss, out = run(argv, fenv)
        summary = json.loads(out)["summary"]
        conns = summary["connections"]
        print("%9d %10.3f %10.3f %12.0f %10d %12d" % (conns, t, cpu, conns / t,
                                                   summary["findings"], rss))
        sys.stdout.flush()
        os.remove(db)
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
