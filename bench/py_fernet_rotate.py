"""py_fernet_rotate.py: the Python reference for bench/fernet_bench.

  py_fernet_rotate.py make N FILE   write N tokens under the old key to FILE
  py_fernet_rotate.py rotate FILE   time MultiFernet([new, old]).rotate on each

Keys come from the environment: BENCH_NEW and BENCH_OLD. The plaintexts are
26-byte passwords, as in doc/perf.md section 1. Prints "python tokens/s: R"
for rotate.
"""
import os
import random
import string
import sys
import time

from cryptography.fernet import Fernet, MultiFernet


def main():
    new = Fernet(os.environ["BENCH_NEW"].encode())
    old = Fernet(os.environ["BENCH_OLD"].encode())
    if sys.argv[1] == "make":
        n, path = int(sys.argv[2]), sys.argv[3]
        rng = random.Random(1)
        alphabet = string.ascii_letters + string.digits
        with open(path, "wb") as f:
            for _ in range(n):
                pw = "".join(rng.choice(alphabet) for _ in range(26)).encode()
                f.write(old.encrypt(pw) + b"\n")
        return
    toks = open(sys.argv[2], "rb").read().split()
    mf = MultiFernet([new, old])
    t0 = time.perf_counter()
    out = [mf.rotate(t) for t in toks]
    dt = time.perf_counter() - t0
    assert len(out) == len(toks)
    print("python tokens/s: %.0f" % (len(toks) / dt))


if __name__ == "__main__":
    main()
