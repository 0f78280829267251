#!/usr/bin/python3
"""tui_bench.py: how fast the console paints on a big metadata DB.

  tui_bench.py BUILDDIR [N ...]        (default: 1000 1000000)

For each N it makes a DB of N connections with tests/airflow_db.py (`bulk N
--extra`, ~1 minute for a million), opens `ferncon` on it in a tmux pane of
100x30, and measures, from the console's own frame trace (FERNCON_UI_TRACE:
one line per key read and per frame painted, with CLOCK_MONOTONIC times,
never a typed character):

  first paint     from typing the command line into a shell (Enter) to the
                  first painted list, and from the console's start (the
                  trace's clock is CLOCK_MONOTONIC, as time.monotonic())
  End             from the key to the painted last page
  Home            from the key to the painted first page
  filter key      from one filter keystroke to the painted result ("/" then
                  "9": most rows match); filters run on a thread of their own
                  and the screen says "searching" meanwhile
  rare filter     the same for a text nothing matches ("x"): the whole table
                  is read (the console stays responsive)
  scan            the background key-status scan, until the status line has
                  the counts
  peak RSS        VmHWM of the process after all of that

Targets (the console's issue): first paint 150 ms, End 50 ms, one filter
keystroke 100 ms, and a peak RSS that does not grow with N. Not a test:
it prints numbers and asserts nothing. TUI_BENCH_DIR=DIR keeps the DBs there
between runs (made once per N).
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
PY = os.environ.get("PYTHON3", sys.executable)


def run(*args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw)


def make_db(d, n):
    """A DB of n bulk connections and its airflow.cfg, in d (kept if there)."""
    db, cfg, keyf = (os.path.join(d, "bench-%d.%s" % (n, x)) for x in ("db", "cfg", "key"))
    if not os.path.exists(cfg):
        key = run(PY, "-c", "from cryptography.fernet import Fernet; "
                  "print(Fernet.generate_key().decode())").stdout.strip()
        for p in (db, cfg, keyf):
            if os.path.exists(p):
                os.unlink(p)
        tool = os.path.join(TOP, "tests", "airflow_db.py")
        run(PY, tool, "create", db, "--schema", os.path.join(TOP, "data", "schema-3.2.sql"))
        t = time.monotonic()
        run(PY, tool, "bulk", db, str(n), "--extra", env=dict(os.environ, FERNET_KEY=key))
        print("  made %d connections in %.0f s" % (n, time.monotonic() - t), flush=True)
        with open(cfg, "w") as f:
            f.write("[core]\nfernet_key = %s\n[database]\nsql_alchemy_conn = sqlite:///%s\n"
                    "[console]\naction_log = %s\n" % (key, db, os.path.join(d, "actions.log")))
    return cfg


class Pane:
    def __init__(self, ferncon, cfg, trace):
        self.sock = os.path.join(os.path.dirname(trace), "tmux-%d" % os.getpid())
        self.trace = trace
        self.seen = 0
        cmd = "exec env FERNCON_UI_TRACE=%s TERM=tmux-256color LC_ALL=C.UTF-8 %s --config %s" % (
            trace, ferncon, cfg)
        # A shell first, then the command typed into it: the time measured
        # is the shell's exec and ferncon's start, not tmux making a pane.
        self.tm("new-session", "-d", "-x", "100", "-y", "30", "-s", "b",
                "exec env PS1='ready$ ' sh -i")
        while "ready$" not in self.screen():
            time.sleep(0.01)
        self.pid = int(self.tm("display", "-p", "-t", "b", "#{pane_pid}").stdout)
        self.t_launch = time.monotonic()
        self.tm("send-keys", "-t", "b", "-l", cmd)
        self.tm("send-keys", "-t", "b", "Enter")

    def tm(self, *args):
        return run("tmux", "-S", self.sock, "-f", "/dev/null", *args)

    def events(self):
        try:
            with open(self.trace) as f:
                return [(float(t), what) for t, what in
                        (line.rstrip("\n").split(" ", 1) for line in f if " " in line)]
        except FileNotFoundError:
            return []

    def wait_paint(self, after=None, timeout=600.0):
        """The next paint after the events already seen (and after an event
        named `after`, when given): (its time, the first key's time or None)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            ev = self.events()
            key = None
            ready = after is None
            for i in range(self.seen, len(ev)):
                if ev[i][1].startswith("key") and key is None:
                    key = ev[i][0]
                if ev[i][1] == after:
                    ready = True
                if ev[i][1] == "paint" and ready:
                    self.seen = i + 1
                    return ev[i][0], key
            time.sleep(0.002)
        raise RuntimeError("no frame painted in %.0f s" % timeout)

    def settle(self, quiet=0.3):
        """Wait until no frame was painted for `quiet` seconds."""
        while True:
            n = len(self.events())
            time.sleep(quiet)
            if len(self.events()) == n:
                self.seen = n
                return

    def key(self, *keys, after=None):
        """Send keys; the ms from the (first) key read to the frame that shows
        its result (the first frame after the event `after`, when given)."""
        self.tm("send-keys", "-t", "b", *keys)
        t_paint, t_key = self.wait_paint(after)
        return (t_paint - t_key) * 1000.0 if t_key is not None else float("nan")

    def screen(self):
        return self.tm("capture-pane", "-p", "-t", "b").stdout

    def rss_kib(self):
        with open("/proc/%d/status" % self.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        return 0

    def close(self):
        try:
            self.tm("send-keys", "-t", "b", "q")
            time.sleep(0.3)
        finally:
            subprocess.run(["tmux", "-S", self.sock, "kill-server"], capture_output=True)
            if os.path.exists(self.sock):
                os.unlink(self.sock)


def median_ms(samples):
    return "%.1f ms" % statistics.median(samples)


def bench(ferncon, d, n):
    print("== %d connections" % n, flush=True)
    cfg = make_db(d, n)
    trace = os.path.join(d, "trace-%d" % n)
    if os.path.exists(trace):
        os.unlink(trace)
    p = Pane(ferncon, cfg, trace)
    try:
        t_paint, _ = p.wait_paint()
        start = next(t for t, what in p.events() if what == "start")
        first = (t_paint - p.t_launch) * 1000.0
        inside = (t_paint - start) * 1000.0
        # The background scan: until the status line has the counts.
        while "conns" not in p.screen().splitlines()[0]:
            time.sleep(0.05)
            if time.monotonic() - t_paint > 600:
                break
        scan = time.monotonic() - t_paint
        p.settle()
        end, home = [], []
        for _ in range(5):
            end.append(p.key("End"))
            home.append(p.key("Home"))
        p.key("/")
        filt = [p.key("9", after="filtered")]
        for _ in range(4):
            p.key("BSpace")
            filt.append(p.key("9", after="filtered"))
        p.key("BSpace")
        rare = [p.key("x", after="filtered")]
        p.key("Escape")
        rss = p.rss_kib()
        print("first paint:   %.1f ms from the command line (%.1f ms from ferncon's start)  target 150 ms" % (first, inside))
        print("End:           %s (median of 5)  target 50 ms" % median_ms(end))
        print("Home:          %s (median of 5)" % median_ms(home))
        print("filter key:    %s (median of 5, '9')  target 100 ms" % median_ms(filt))
        print("rare filter:   %s ('x': no row matches, the whole table is read; keys work meanwhile)" % median_ms(rare))
        print("scan:          %.1f s in the background (status line counts)" % scan)
        print("peak RSS:      %.1f MiB" % (rss / 1024.0), flush=True)
        return rss
    finally:
        p.close()


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    ferncon = os.path.join(os.path.abspath(sys.argv[1]), "ferncon")
    sizes = [int(x) for x in sys.argv[2:]] or [1000, 1000000]
    keep = os.environ.get("TUI_BENCH_DIR")
    d = keep or tempfile.mkdtemp(prefix="ferncon-tui-bench.")
    os.makedirs(d, exist_ok=True)
    try:
        rss = [(n, bench(ferncon, d, n)) for n in sizes]
        if len(rss) > 1:
            print("peak RSS from %d to %d rows: %.1f -> %.1f MiB" % (
                rss[0][0], rss[-1][0], rss[0][1] / 1024.0, rss[-1][1] / 1024.0))
    finally:
        if not keep:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
