"""rotate_bench.py: `ferncon rotate-fernet-key` against the Python reference
(bench/py_rotate.py: what `airflow rotate-fernet-key` does, without the
ORM), side by side, on the same metadata DB of N connections (password and
extra) and N variables, written by Python the way Airflow writes them, every
value under the old key of the ring new,old. For each N it prints:

  tokens         values rotated (3 N)
  py tok/s       Python, BEGIN to COMMIT (interpreter start-up not counted)
  fc tok/s       ferncon's rotation, BEGIN to COMMIT (from its summary)
  ratio          fc / py: the target is >= 20x
  fc e2e tok/s   the whole ferncon command, process start to exit: start-up,
                 the one pass that checks and rotates, COMMIT, and the check
                 after COMMIT (the values read back, their digest compared)
  e2e ratio      fc e2e / py: the target is >= 20x
  floor tok/s    the machine's floor: the same rows read and written back
                 unchanged in one transaction, COMMIT, and read back once,
                 through ferncon's store with no cryptography
                 (bench/floor_bench.c)
  py RSS, fc RSS peak resident memory of each process, MiB (target for
                 ferncon: < 32 MiB at 1 M, flat with N)

and, under it, the seconds of each phase of the whole command: start-up
(process start to the first row, and exit), rotate (the one pass), commit,
verify (the check after COMMIT), and the floor's write, commit and
read-back; with the load average when the row was measured.

Both sides run on copies of one DB, in one run, on the same machine.

  python3 rotate_bench.py BUILDDIR [N ...]   (default: $ROTATE_SIZES, else
                                              10000 100000 1000000)
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable


TIME = "/usr/bin/time"


def run(argv, env):
    """Run argv; return (stdout, seconds, peak RSS KiB). Exits on failure.

    The peak RSS comes from GNU time when it is there: a child that Python
    spawns inherits, in its rusage, the resident size of the Python process
    it was forked from, which would hide ferncon's own figure."""
    wrap = [TIME, "-f", "rotate_bench maxrss %M"] if os.access(TIME, os.X_OK) else []
    with tempfile.TemporaryFile() as errf:
        t0 = time.perf_counter()
        p = subprocess.Popen(wrap + argv, env=env, stdout=subprocess.PIPE, stderr=errf)
        out = p.stdout.read()
        p.stdout.close()
        _, status, ru = os.wait4(p.pid, 0)
        elapsed = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        errf.seek(0)
        err = errf.read().decode(errors="replace")
    if p.returncode != 0:
        sys.exit("rotate_bench: %s failed (%d): %s" % (argv[0], p.returncode, err))
    m = re.search(r"rotate_bench maxrss (\d+)", err)
    return out.decode(), elapsed, int(m.group(1)) if m else ru.ru_maxrss


def load():
    """The 1-minute load average, as uptime prints it."""
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def key():
    from cryptography.fernet import Fernet
    return Fernet.generate_key().decode()


def main():
    build = sys.argv[1]
    sizes = [int(x) for x in sys.argv[2:]] or \
        [int(x) for x in os.environ.get("ROTATE_SIZES", "10000 100000 1000000").split()]
    new, old = key(), key()
    tmp = tempfile.mkdtemp(prefix="ferncon-rotatebench.")
    base = dict(os.environ)
    for k in list(base):
        if k.startswith("AIRFLOW"):
            del base[k]
    print("== rotate-fernet-key: ferncon vs MultiFernet.rotate over sqlite3 (Python), "
          "N connections (password, extra) + N variables under the old key")
    print("%9s %9s %10s %10s %7s %12s %9s %11s %8s %8s" % (
        "N", "tokens", "py tok/s", "fc tok/s", "ratio", "fc e2e tok/s", "e2e ratio",
        "floor tok/s", "py MiB", "fc MiB"))
    sys.stdout.flush()
    try:
        for n in sizes:
            home = os.path.join(tmp, str(n))
            os.makedirs(home)
            ref = os.path.join(home, "ref.db")
            subprocess.run([PY, os.path.join(HERE, "..", "tests", "airflow_db.py"), "create",
                            ref, "--schema", os.path.join(HERE, "..", "data",
                                                          "schema-2.10.sql")],
                           env=base, check=True)
            subprocess.run([PY, os.path.join(HERE, "..", "tests", "airflow_db.py"), "bulk",
                            ref, str(n), "--variables", "--extra"],
                           env=dict(base, FERNET_KEY=old), check=True)
            db_py = os.path.join(home, "py.db")
            db_fc = os.path.join(home, "airflow.db")
            db_fl = os.path.join(home, "floor.db")
            shutil.copyfile(ref, db_py)
            shutil.copyfile(ref, db_fc)
            shutil.copyfile(ref, db_fl)
            os.remove(ref)
            with open(os.path.join(home, "airflow.cfg"), "w") as f:
                f.write("[core]\nfernet_key = %s,%s\n[database]\nsql_alchemy_conn = "
                        "sqlite:///%s\n" % (new, old, db_fc))

            out, _, rss_py = run([PY, os.path.join(HERE, "py_rotate.py"), db_py],
                                 dict(base, FERNET_KEY="%s,%s" % (new, old)))
            m = re.search(r"tokens (\d+) seconds ([0-9.]+)", out)
            tokens, py_s = int(m.group(1)), float(m.group(2))
            os.remove(db_py)

            out, fc_wall, rss_fc = run([os.path.join(build, "ferncon"), "rotate-fernet-key"],
                                       dict(base, AIRFLOW_HOME=home))
            m = re.search(r"^rotated (\d+) values in ([0-9.]+) s .*commit ([0-9.]+) s", out, re.M)
            fc_tokens, fc_rot, fc_commit = int(m.group(1)), float(m.group(2)), float(m.group(3))
            if fc_tokens != tokens:
                sys.exit("rotate_bench: ferncon rotated %d values, Python %d" % (fc_tokens, tokens))
            m = re.search(r"^verify: +(\d+) of \1 values.*\(([0-9.]+) s\)", out, re.M)
            if not m:
                sys.exit("rotate_bench: ferncon's verify pass failed:\n" + out)
            fc_verify = float(m.group(2))

            out, _, _ = run([os.path.join(build, "bench", "floor_bench"),
                             "sqlite:///" + db_fl], base)
            m = re.search(r"write ([0-9.]+) s commit ([0-9.]+) s read-back ([0-9.]+) s", out)
            fl_write, fl_commit, fl_read = (float(x) for x in m.groups())
            py_rate = tokens / py_s
            fc_rate = tokens / (fc_rot + fc_commit)
            e2e_rate = tokens / fc_wall
            print("%9d %9d %10.0f %10.0f %6.1fx %12.0f %8.1fx %11.0f %8.1f %8.1f" % (
                n, tokens, py_rate, fc_rate, fc_rate / py_rate, e2e_rate, e2e_rate / py_rate,
                tokens / (fl_write + fl_commit + fl_read), rss_py / 1024.0, rss_fc / 1024.0))
            print("%9s phases (s): start-up %.3f, rotate %.3f, commit %.3f, verify %.3f;"
                  " floor: write %.3f, commit %.3f, read-back %.3f; load %s" % (
                      "", fc_wall - fc_rot - fc_commit - fc_verify, fc_rot, fc_commit,
                      fc_verify, fl_write, fl_commit, fl_read, load()))
            sys.stdout.flush()
            shutil.rmtree(home)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
