"""crosscheck.py: ferncon's Fernet against Python cryptography (the oracle).

Tokens made by either side must open in the other, byte for byte:
ferncon encrypts and Python decrypts; Python encrypts and ferncon
decrypts; MultiFernet.rotate and ferncon's rotation both keep the
original timestamp and move the token to the primary key; keys made by
either side work in the other; tampered tokens are refused by both.
Prints TAP. Run by tests/crosscheck.sh with the Debian python3 that has
python3-cryptography.
"""

import base64
import os
import random
import subprocess
import sys

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

FERNCON = os.environ.get("FERNCON", "./ferncon")
TOOL = os.environ.get("FERNET_TOOL", "./tests/fernet_tool")

_n = 0
_failed = 0


def ok(cond, desc, diag=None):
    global _n, _failed
    _n += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (_n, desc))
    if not cond:
        _failed += 1
        if diag:
            for line in str(diag).splitlines():
                print("#   " + line)
    sys.stdout.flush()


def ferncon(args, data, keys=None):
    """Run ferncon with stdin data; return (exit code, stdout bytes)."""
    argv = [FERNCON] + args
    if keys is not None:
        argv += ["--keys", keys]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env["AIRFLOW_HOME"] = "/nonexistent"
    p = subprocess.run(argv, input=data, capture_output=True, env=env)
    return p.returncode, p.stdout, p.stderr


def corpus(rng):
    msgs = [b"", b"x", b"hello", b"%s %n %x", b"\x00\x01\x00", "pässwörd ✓".encode(),
            b"a" * 15, b"a" * 16, b"a" * 17, b"a" * 31, b"a" * 32, b"a" * 33]
    for _ in range(36):
        msgs.append(bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 300))))
    return msgs


def main():
    rng = random.Random(20261122)
    msgs = corpus(rng)
    print("1..12")

    key = Fernet.generate_key().decode()
    f = Fernet(key.encode())

    # 1. ferncon encrypts, Python decrypts.
    bad = []
    for m in msgs:
        rc, out, err = ferncon(["token", "encrypt"], m, keys=key)
        tok = out.strip()
        try:
            if rc != 0 or f.decrypt(tok) != m:
                bad.append((m, rc, err))
        except InvalidToken:
            bad.append((m, "InvalidToken", err))
    ok(not bad, "%d ferncon tokens decrypt in Python to the same bytes" % len(msgs), bad[:3])

    # 2. Python encrypts, ferncon decrypts.
    bad = []
    for m in msgs:
        rc, out, err = ferncon(["token", "decrypt"], f.encrypt(m), keys=key)
        if rc != 0 or out != m:
            bad.append((m, rc, out, err))
    ok(not bad, "%d Python tokens decrypt in ferncon to the same bytes" % len(msgs), bad[:3])

    # 3. ferncon's tokens are canonical Fernet: the version, a current timestamp.
    rc, out, _ = ferncon(["token", "encrypt"], b"pw", keys=key)
    tok = out.strip()
    raw = base64.urlsafe_b64decode(tok)
    ts = f.extract_timestamp(tok)
    import time
    ok(rc == 0 and raw[0] == 0x80 and abs(ts - int(time.time())) < 60
       and base64.urlsafe_b64encode(raw) == tok and b"+" not in tok and b"/" not in tok,
       "ferncon writes canonical base64url with the current time")

    # 4. Python's MultiFernet.rotate: ferncon sees the primary key and the old timestamp.
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    t_old = Fernet(old.encode()).encrypt_at_time(b"rotate me", 1234567890)
    t_rot = MultiFernet([Fernet(new.encode()), Fernet(old.encode())]).rotate(t_old)
    rc, out, err = ferncon(["token", "inspect"], t_rot, keys=new + "," + old)
    ok(rc == 0 and b"timestamp:  1234567890 " in out and b"key 1 of 2 (primary)" in out,
       "Python-rotated token: ferncon inspect shows key 1 and the original timestamp", out + err)

    # 5. ferncon rotates, Python checks: opens with new alone, old timestamp kept.
    stamps = [0, 1, 10**9, 1234567890, 2**32 + 5]
    toks = [Fernet(old.encode()).encrypt_at_time(b"v%d" % i, s) for i, s in enumerate(stamps)]
    toks.append(Fernet(new.encode()).encrypt_at_time(b"already new", 42))
    env = dict(os.environ, FERNET_KEYS=new + "," + old)
    p = subprocess.run([TOOL, "rotate"], input=b"\n".join(toks) + b"\n",
                       capture_output=True, env=env)
    rotated = p.stdout.split()
    fnew, fold = Fernet(new.encode()), Fernet(old.encode())
    good = len(rotated) == len(toks)
    diag = []
    for i, (t, r) in enumerate(zip(toks, rotated)):
        try:
            want = b"v%d" % i if i < len(stamps) else b"already new"
            good &= fnew.decrypt(r) == want and r != t
            good &= fnew.extract_timestamp(r) == fold_or_new_ts(fnew, fold, t)
        except InvalidToken:
            good = False
            diag.append(r)
        try:
            fold.decrypt(r)
            good = False
        except InvalidToken:
            pass
    ok(good, "ferncon-rotated tokens open in Python with the new key only, timestamps kept", diag)

    # 6. A token no key opens is refused by the rotation and by decrypt (exit 1).
    lost = Fernet(Fernet.generate_key()).encrypt(b"lost")
    p = subprocess.run([TOOL, "rotate"], input=lost + b"\n", capture_output=True, env=env)
    rc, out, _ = ferncon(["token", "decrypt"], lost, keys=new + "," + old)
    ok(p.stdout.strip() == b"INVALID" and rc == 1 and out == b"",
       "a token under an unknown key: rotation refuses it, decrypt exits 1 with no output")

    # 7. Keys: ferncon's generated keys work in Python, and the reverse.
    rc, out, _ = ferncon(["key", "generate"], b"")
    k = out.strip()
    try:
        tok = Fernet(k).encrypt(b"from python")
        rc2, out2, _ = ferncon(["token", "decrypt"], tok, keys=k.decode())
        good = rc == 0 and len(k) == 44 and rc2 == 0 and out2 == b"from python"
    except ValueError as e:
        good, out2 = False, e
    ok(good, "a key from 'ferncon key generate' is a Python Fernet key", out2)

    # 8. A key in the standard alphabet (openssl rand -base64 32) works in both.
    std = base64.b64encode(os.urandom(30) + b"\xfb\xff").decode()
    assert "+" in std or "/" in std
    tok = Fernet(std.encode()).encrypt(b"std alphabet")
    rc, out, err = ferncon(["token", "decrypt"], tok, keys=std)
    ok(rc == 0 and out == b"std alphabet", "a +/ key from openssl rand -base64 32 opens Python's token", err)

    # 9. Tampered tokens: both sides refuse every one.
    tok = f.encrypt_at_time(b"tamper target value", 1700000000)
    agree = True
    diag = []
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for _ in range(40):
        pos = rng.randrange(0, len(tok) - 4)
        c = alphabet[rng.randrange(len(alphabet))]
        if c == tok[pos]:
            continue
        t = tok[:pos] + bytes([c]) + tok[pos + 1:]
        try:
            f.decrypt(t)
            py_ok = True
        except InvalidToken:
            py_ok = False
        rc, _, _ = ferncon(["token", "decrypt"], t, keys=key)
        if py_ok or rc != 1:
            agree = False
            diag.append((pos, py_ok, rc))
    ok(agree, "tampered tokens are refused by Python and ferncon alike (exit 1)", diag)

    # 10. inspect reports Python's timestamp for any time.
    good = True
    for s in [0, 499162800, 1700000000, 2**40]:
        t = f.encrypt_at_time(b"x", s)
        rc, out, _ = ferncon(["token", "inspect"], t, keys=key)
        good &= rc == 0 and (b"timestamp:  %d " % s) in out
    ok(good, "token inspect shows the same timestamp as Python's extract_timestamp")

    # 11. A bad key is a configuration error (exit 2) with Airflow's message.
    rc, out, err = ferncon(["token", "decrypt"], f.encrypt(b"x"), keys=key + ",")
    ok(rc == 2 and b"Fernet key must be 32 url-safe base64-encoded bytes" in err
       and key.encode() not in err,
       "a trailing comma in the key list: exit 2, Airflow's message, no key text", err)

    # 12. Airflow's own key parsing agrees on whitespace around keys.
    spaced = " %s , %s\n" % (new, old)
    mf = MultiFernet([Fernet(p.encode("utf-8")) for p in spaced.split(",")])
    t = mf.encrypt(b"spaced")
    rc, out, err = ferncon(["token", "decrypt"], t, keys=spaced)
    ok(rc == 0 and out == b"spaced", "' new , old\\n' parses as Airflow parses it", err)

    return 1 if _failed else 0


def fold_or_new_ts(fnew, fold, t):
    try:
        return fold.extract_timestamp(t)
    except InvalidToken:
        return fnew.extract_timestamp(t)


if __name__ == "__main__":
    sys.exit(main())
