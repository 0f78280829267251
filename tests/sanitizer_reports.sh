#!/bin/sh
# sanitizer_reports.sh: in a build configured with --enable-sanitizers,
# the last test of `make check`: every other test has run (Makefile.am
# makes this one wait for their logs) with ASan, UBSan and LSan writing
# any report to $SAN_LOG_DIR instead of stderr (AM_TESTS_ENVIRONMENT).
# One TAP result: passes when no program wrote a report; otherwise fails
# and shows each report (a leak, an overflow, undefined behaviour), which
# names the code in its stack. A report also aborts the program
# (abort_on_error), so the test that ran it usually fails as well.
: "${top_srcdir:=.}"
. "$top_srcdir/tests/lib.sh"

if [ -z "${SAN_LOG_DIR:-}" ]; then
	echo "1..0 # SKIP not a sanitizer build (configure --enable-sanitizers)"
	exit 0
fi
plan 1
reports=$(find "$SAN_LOG_DIR" -type f 2>/dev/null | sort)
if [ -z "$reports" ]; then
	ok "no sanitizer report in the whole test suite" true
else
	for f in $reports; do
		echo "# == $f"
		sed 's/^/# /' "$f" | head -n 60
	done
	ok "no sanitizer report in the whole test suite ($(echo "$reports" |
	    wc -l) found)" false
fi
done_testing
