#!/bin/sh
# cli_keytext.sh: issue 14 items 4 and 17, with Python's cryptography as
# the oracle. Airflow builds its ring as MultiFernet([Fernet(part.encode(
# "utf-8")) for part in fernet_key.split(",")]) (apache/airflow commit
# c873bd5, 2.10: airflow/models/crypto.py lines 85-86, get_fernet());
# Fernet() decodes each part with base64.urlsafe_b64decode(),
# which is not strict (Lib/base64.py; binascii.a2b_base64 with
# strict_mode=False drops bytes outside the alphabet and stops at the '='
# that completes a quad) and wants 32 bytes. For each fernet_key text below,
# ferncon must accept it exactly when Python does, use the same keys (a
# token ferncon makes opens in Python's MultiFernet of the same text), and
# say that a text other than clean keys is not a clean key. Fernet.decrypt()
# decodes tokens the same way, so a token written with '+' and '/' opens.
. "$top_srcdir/tests/lib.sh"
plan 6

"$PYTHON3" - "$T" <<'PY'
import base64, sys
from cryptography.fernet import Fernet
K1 = Fernet.generate_key().decode()
K2 = Fernet.generate_key().decode()
# The last data character with bits no byte uses (Python ignores them).
alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
i = alpha.index(K1[42])
odd = K1[:42] + alpha[i | 1] + "="
std = K1.replace("-", "+").replace("_", "/")
cases = [
    ("clean", K1), ("clean", K1 + "," + K2),
    ("dirty", K1 + "  # comment"), ("dirty", K1 + " ; note"), ("dirty", '"' + K1 + '"'),
    ("dirty", K1 + "\nsecond line"), ("dirty", K1 + "\n" + K1), ("dirty", K1 + "=AAAA"),
    ("dirty", K1[:20] + "\t" + K1[20:]), ("dirty", K1[:10] + "\u00e9" + K1[10:]),
    ("dirty", odd), ("dirty", '"' + K1 + '","' + K2 + '"'),
    ("std", std),
    ("refused", "x" + K1), ("refused", K1[:-1]), ("refused", K1[:-1] + "#"),
    ("refused", K1 + ","), ("refused", "AB==" + K1), ("refused", K1[:40] + "=" + K1[40:]),
    ("refused", "  "), ("refused", K1 + ",#"),
]
with open(sys.argv[1] + "/cases", "w", encoding="utf-8") as f:
    for n, (kind, text) in enumerate(cases, 1):
        try:
            for part in text.split(","):
                Fernet(part.encode("utf-8"))
            py = "ok"
        except ValueError:
            py = "refused"
        # One case per line: its kind, Python's answer; the text in its file.
        f.write("%s %s\n" % (kind, py))
        with open("%s/text%d" % (sys.argv[1], n), "w", encoding="utf-8") as t:
            t.write(text)
# A token with a '-' or '_' to turn into '+' or '/' (a random one has
# neither about one time in 25).
tok = ""
while "-" not in tok and "_" not in tok:
    tok = Fernet(K1.encode()).encrypt(b"std-alphabet-plain").decode()
with open(sys.argv[1] + "/stdtok", "w") as f:
    f.write(K1 + "\n" + tok.replace("-", "+").replace("_", "/") + "\n")
PY

agree="" same="" warned="" n=0
while read -r kind py; do
	n=$((n + 1))
	text=$(cat "$T/text$n")
	tok=$(printf 'plain-%s' "$n" | "$FERNCON" token encrypt --keys "$text" 2>"$T/err"); rc=$?
	fc=$([ "$rc" -eq 0 ] && echo ok || echo refused)
	[ "$fc" = "$py" ] || agree="$agree case$n($kind: python $py, ferncon $fc)"
	[ "$py" = ok ] || continue
	got=$(printf '%s' "$tok" | FK="$text" "$PYTHON3" -c 'import os,sys
from cryptography.fernet import Fernet, MultiFernet
mf = MultiFernet([Fernet(p.encode("utf-8")) for p in os.environ["FK"].split(",")])
print(mf.decrypt(sys.stdin.read().encode()).decode())' 2>&1)
	[ "$got" = "plain-$n" ] || same="$same case$n"
	case $kind in
	dirty) grep -q "not a clean key" "$T/err" || warned="$warned case$n(no warning)" ;;
	clean) [ -s "$T/err" ] && warned="$warned case$n(warned: $(cat "$T/err"))" ;;
	esac
done < "$T/cases"
is "$agree" "" "every fernet_key text: ferncon accepts exactly what Python's Fernet() accepts ($n cases)"
is "$same" "" "and each accepted text gives the keys Python's MultiFernet uses"
is "$warned" "" "texts that are not clean keys are said to be so; clean ones are not"
ok "the cases include accepted texts that are not clean" grep -q '^dirty ok' "$T/cases"

key=$(sed -n 1p "$T/stdtok"); stdtok=$(sed -n 2p "$T/stdtok")
ok "the test token uses the standard alphabet" sh -c 'printf "%s" "$1" | grep -q "[+/]"' - "$stdtok"
got=$(printf '%s' "$stdtok" | "$FERNCON" token decrypt --keys "$key" 2>&1)
is "$got" "std-alphabet-plain" "a token in the standard alphabet ('+/') opens, as Fernet.decrypt() opens it"
