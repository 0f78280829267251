"""secretlint_compare.py: `ferncon audit` side by side with secretlint (its
recommended rule preset) on the same corpus of connection extras.

The corpus: the cases of tests/audit_corpus.json (their extras; the secrets
are those the test expects, credential-file paths and transport findings
left out) and the realistic extras of bench/secret_corpus.py (planted
secrets and near misses). Each extra is written as one file, pretty-printed
JSON so that every leaf sits on its own line, for secretlint; the same
connections are written into an Airflow 3.2 SQLite DB (encrypted, through
tests/airflow_db.py) for `ferncon audit`.

Scoring, per planted secret (a JSON Pointer in an extra): found when the tool
reports it (ferncon: a finding at that pointer, inside it or around it;
secretlint: a message on the line of the leaf that holds it). A near miss
flagged is a finding on any other leaf (counted once per leaf). Time is the
wall time of one run of each tool over the whole corpus (secretlint: one
process over the directory; ferncon: one `audit` over the DB, decryption
included). Not a test: nothing here asserts; `make check` does not run it.

secretlint is installed with npm into BUILDDIR/bench/secretlint (from
bench/secretlint/package.json, exact versions) on first use.

  python3 secretlint_compare.py BUILDDIR [--list]   (--list: every miss and false positive)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.join(HERE, "..")
PY = sys.executable
sys.path.insert(0, HERE)
import secret_corpus  # noqa: E402

SKIP_RULES = {"credential-file-path"}


def test_cases():
    with open(os.path.join(TOP, "tests", "audit_corpus.json"), encoding="utf-8") as f:
        data = json.load(f)
    out = []
    for n, c in enumerate(data["cases"]):
        planted = []
        for e in c["expect"]:
            if e["rule"] in SKIP_RULES:
                continue
            if e["at"].startswith("/"):
                planted.append(e["at"])
            elif e["at"] == "extra":
                planted.append("")
        extra = c.get("extra_text", c.get("extra"))
        if extra is None:
            continue
        out.append({"conn_id": "t%03d" % n, "conn_type": c.get("conn_type", "generic"),
                    "extra": extra, "planted": planted, "host": c.get("host"),
                    "password": c.get("password"), "schema": c.get("schema"),
                    "port": c.get("port")})
    return out


def leaves(v, ptr=""):
    """The leaves of v in json.dumps order, as JSON Pointers."""
    if isinstance(v, dict) and v:
        for k, x in v.items():
            yield from leaves(x, ptr + "/" + str(k).replace("~", "~0").replace("/", "~1"))
    elif isinstance(v, list) and v:
        for i, x in enumerate(v):
            yield from leaves(x, "%s/%d" % (ptr, i))
    else:
        yield ptr


def write_extra(path, extra):
    """Write one extra; return {pointer of a leaf: its 1-based line}."""
    if isinstance(extra, str):
        with open(path, "w", encoding="utf-8") as f:
            f.write(extra + "\n")
        return {"": 1}
    text = json.dumps(extra, indent=2, ensure_ascii=False)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    lines = [i + 1 for i, line in enumerate(text.split("\n"))
             if line.strip() not in ("{", "}", "[", "]", "},", "],")
             and not line.rstrip().endswith(("{", "["))]
    ptrs = list(leaves(extra))
    assert len(ptrs) == len(lines), path
    return dict(zip(ptrs, lines))


def leaf_of(ptr, lmap):
    """The leaf that holds ptr (ptr itself, or the string it was decoded from)."""
    best = None
    for p in lmap:
        if (ptr == p or ptr.startswith(p + "/") or p == "") and (best is None or len(p) > len(best)):
            best = p
    return best


def timed(argv, env, cwd=None):
    t0 = time.perf_counter()
    p = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return time.perf_counter() - t0, p


def secretlint_bin(build):
    """secretlint in BUILDDIR/bench/secretlint, installed from bench/secretlint/package.json.

    Not in the source tree: its node_modules would be read by tests/doc_refs.sh."""
    d = os.path.join(os.path.abspath(build), "bench", "secretlint")
    exe = os.path.join(d, "node_modules", ".bin", "secretlint")
    if not os.path.exists(exe):
        os.makedirs(d, exist_ok=True)
        shutil.copyfile(os.path.join(HERE, "secretlint", "package.json"), os.path.join(d, "package.json"))
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=d, check=True)
    ver = subprocess.run([exe, "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    with open(os.path.join(d, "node_modules", "@secretlint", "secretlint-rule-preset-recommend",
                           "package.json")) as f:
        preset = json.load(f)["version"]
    return exe, ver, preset


def main():
    build = sys.argv[1]
    show = "--list" in sys.argv
    cases = test_cases() + secret_corpus.cases()
    n_test = len(test_cases())
    tmp = tempfile.mkdtemp(prefix="ferncon-slcmp.")
    files = os.path.join(tmp, "extras")
    os.makedirs(files)
    lmaps = {}
    for c in cases:
        ext = ".txt" if isinstance(c["extra"], str) else ".json"
        lmaps[c["conn_id"]] = write_extra(os.path.join(files, c["conn_id"] + ext), c["extra"])

    # -- the DB for ferncon ---------------------------------------------------
    from cryptography.fernet import Fernet
    key = Fernet.generate_key().decode()
    env = dict(os.environ, FERNET_KEY=key)
    for v in [k for k in env if k.startswith("AIRFLOW")]:
        del env[v]
    db = os.path.join(tmp, "airflow.db")
    rows = []
    for c in cases:
        rows.append({"conn_id": c["conn_id"], "conn_type": c["conn_type"], "host": c.get("host"),
                     "schema": c.get("schema"), "port": c.get("port"), "login": None,
                     "password": c.get("password"),
                     "extra": c["extra"] if isinstance(c["extra"], str) else json.dumps(c["extra"])})
    with open(os.path.join(tmp, "conns.json"), "w") as f:
        json.dump(rows, f)
    tool = [PY, os.path.join(TOP, "tests", "airflow_db.py")]
    subprocess.run(tool + ["create", db, "--schema", os.path.join(TOP, "data", "schema-3.2.sql")],
                   env=env, check=True)
    subprocess.run(tool + ["fill", db, "--connections", os.path.join(tmp, "conns.json")], env=env,
                   check=True, stderr=subprocess.DEVNULL)
    with open(os.path.join(tmp, "airflow.cfg"), "w") as f:
        f.write("[core]\nfernet_key = %s\n[database]\nsql_alchemy_conn = sqlite:///%s\n" % (key, db))
    os.chmod(os.path.join(tmp, "airflow.cfg"), 0o600)
    fenv = dict(env, AIRFLOW_HOME=tmp)
    del fenv["FERNET_KEY"]
    t_fc, p = timed([os.path.join(build, "ferncon"), "audit", "--format", "json", "--fail-on", "none"],
                    fenv)
    if p.returncode != 0:
        sys.exit("ferncon audit failed: %s" % p.stderr.decode())
    fc = {}
    for f in json.loads(p.stdout)["findings"]:
        if f["scope"] == "connection" and f["field"] == "extra":
            fc.setdefault(f["conn_id"], []).append((f["json_pointer"] or "", f["rule_id"]))

    # -- secretlint -----------------------------------------------------------
    exe, ver, preset = secretlint_bin(build)
    rc = os.path.join(tmp, "secretlintrc.json")
    with open(rc, "w") as f:
        json.dump({"rules": [{"id": "@secretlint/secretlint-rule-preset-recommend"}]}, f)
    # --output: node may cut a big report written to a pipe at exit.
    report = os.path.join(tmp, "secretlint.json")
    t_sl, p = timed([exe, "--secretlintrc", rc, "--format", "json", "--maskSecrets", "--output", report,
                     "extras/**/*"], env, cwd=tmp)
    if p.returncode not in (0, 1):
        sys.exit("secretlint failed: %s" % p.stderr.decode())
    sl = {}
    with open(report, encoding="utf-8") as f:
        text = f.read()
    for r in json.loads(text or "[]"):
        cid = os.path.splitext(os.path.basename(r["filePath"]))[0]
        for m in r["messages"]:
            sl.setdefault(cid, []).append((m["loc"]["start"]["line"], m["loc"]["end"]["line"],
                                           m["ruleId"].split("secretlint-rule-")[-1]))

    # -- score ----------------------------------------------------------------
    score = {t: {"found": 0, "fp": 0, "fp_nm": 0} for t in ("ferncon", "secretlint")}
    sl_only, fc_only, rows_out = [], [], []
    planted_total = 0
    for c in cases:
        cid, lmap = c["conn_id"], lmaps[c["conn_id"]]
        near = not c["planted"]
        planted_total += len(c["planted"])
        pl_lines = {lmap[leaf_of(q, lmap)] for q in c["planted"]}
        fc_hit_ptrs = set()
        for q in c["planted"]:
            f_fc = [r for ptr, r in fc.get(cid, []) if ptr == q or ptr.startswith(q + "/") or
                    q.startswith(ptr + "/") or q == ""]
            line = lmap[leaf_of(q, lmap)]
            f_sl = [r for a, b, r in sl.get(cid, []) if a <= line <= b]
            score["ferncon"]["found"] += bool(f_fc)
            score["secretlint"]["found"] += bool(f_sl)
            if f_sl and not f_fc:
                sl_only.append((cid, q, f_sl))
            if f_fc and not f_sl:
                fc_only.append((cid, q, f_fc))
        for ptr, r in fc.get(cid, []):
            if not any(ptr == q or ptr.startswith(q + "/") or q.startswith(ptr + "/") or q == ""
                       for q in c["planted"]):
                fc_hit_ptrs.add((ptr, r))
        fps = {(ptr) for ptr, r in fc_hit_ptrs}
        score["ferncon"]["fp"] += len(fps)
        score["ferncon"]["fp_nm"] += len(fps) if near else 0
        sl_fp_lines = {(a, r) for a, b, r in sl.get(cid, []) if not any(a <= l <= b for l in pl_lines)}
        score["secretlint"]["fp"] += len({a for a, r in sl_fp_lines})
        score["secretlint"]["fp_nm"] += len({a for a, r in sl_fp_lines}) if near else 0
        for ptr, r in sorted(fc_hit_ptrs):
            rows_out.append(("ferncon FP", cid, ptr, r))
        for a, r in sorted(sl_fp_lines):
            rows_out.append(("secretlint FP", cid, "line %d" % a, r))

    n_new = len(cases) - n_test
    print("== secret recall and false positives: ferncon audit vs secretlint %s "
          "(@secretlint/secretlint-rule-preset-recommend %s)" % (ver, preset))
    print("corpus: %d connections (%d from tests/audit_corpus.json, %d from bench/secret_corpus.py), "
          "%d planted secrets, %d connections with near misses only"
          % (len(cases), n_test, n_new, planted_total, sum(1 for c in cases if not c["planted"])))
    print()
    print("| tool | planted secrets found | near misses flagged (all leaves not planted) "
          "| of which in near-miss-only connections | time (s) |")
    print("|---|---|---|---|---|")
    for t, secs in (("ferncon audit", t_fc), ("secretlint", t_sl)):
        s = score[t.split()[0]]
        print("| %s | %d / %d (%.0f %%) | %d | %d | %.2f |" % (
            t, s["found"], planted_total, 100.0 * s["found"] / planted_total, s["fp"], s["fp_nm"],
            secs))
    print()
    print("planted secrets secretlint finds and ferncon misses: %d" % len(sl_only))
    for cid, q, rules in sl_only:
        print("  %s %s (%s)" % (cid, q, ", ".join(rules)))
    print("planted secrets ferncon finds and secretlint misses: %d" % len(fc_only))
    if show:
        for cid, q, rules in fc_only:
            print("  %s %s (%s)" % (cid, q, ", ".join(sorted(set(rules)))))
        print("false positives:")
        for row in rows_out:
            print("  %s: %s %s (%s)" % row)
        print("planted secrets both miss:")
        for c in cases:
            lmap = lmaps[c["conn_id"]]
            for q in c["planted"]:
                line = lmap[leaf_of(q, lmap)]
                if not any(a <= line <= b for a, b, r in sl.get(c["conn_id"], [])) and not any(
                        ptr == q or ptr.startswith(q + "/") or q.startswith(ptr + "/") or q == ""
                        for ptr, r in fc.get(c["conn_id"], [])):
                    print("  %s %s" % (c["conn_id"], q))
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
