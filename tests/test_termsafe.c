/*
 * test_termsafe.c: src/termsafe.c, the terminal-safe form of a data field
 * (issue 13, part 1): every C0 and C1 control, DEL and bidi formatting
 * character written as a visible escape and every other character as it
 * is; bad UTF-8 as \xNN per byte; git-style quotes only when something is
 * escaped; widths of ASCII, CJK and combining marks; a cell cut by display
 * width that never splits an escape or a UTF-8 sequence and keeps its '~'.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "buf.h"
#include "termsafe.h"
#include "utf8.h"

static char *
safe(const char *s, size_t len, int flags)
{
	static char out[512];
	struct buf b;

	buf_init(&b, 0);
	termsafe_add(&b, s, len, flags);
	assert_false(b.failed);
	snprintf(out, sizeof out, "%s", buf_str(&b));
	buf_release(&b);
	return out;
}

#define SAFE(s, f) safe((s), sizeof(s) - 1, (f))

static char *
cell(const char *s, int w, int flags)
{
	static char out[512];
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(termsafe_cell(&b, s, strlen(s), w, flags), w);
	snprintf(out, sizeof out, "%s", buf_str(&b));
	buf_release(&b);
	return out;
}

/* 1 if s (NUL-terminated) has a byte below 0x20, DEL or a C1/bidi character. */
static int
has_raw_control(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, n, len = strlen(s);
	uint32_t cp;

	for (i = 0; i < len; i += n) {
		n = utf8_decode(p + i, len - i, &cp);
		if (cp == UTF8_BAD || termsafe_unsafe(cp))
			return 1;
	}
	return 0;
}

static void
test_escapes(void **state)
{
	(void)state;
	/* OSC 2 (title), OSC 52 (clipboard), CSI, CR, BS, DEL. */
	assert_string_equal(SAFE("h\033]2;PWNED\007", 0), "h\\x1b]2;PWNED\\x07");
	assert_string_equal(SAFE("\033]52;c;aGk=\033\\", 0),
	    "\\x1b]52;c;aGk=\\x1b\\");
	assert_string_equal(SAFE("a\033[31mb", 0), "a\\x1b[31mb");
	assert_string_equal(SAFE("a\rb\bc\x7f", 0), "a\\rb\\x08c\\x7f");
	assert_string_equal(SAFE("t\tn\n", 0), "t\\tn\\n");
	assert_string_equal(SAFE("\0x", 0), "\\x00x");
	/* C1 as code points (U+009B is a one-character CSI). */
	assert_string_equal(SAFE("x\xc2\x9b" "1m", 0), "x\\u009b1m");
	assert_string_equal(SAFE("\xc2\x80\xc2\x9f", 0), "\\u0080\\u009f");
	/* Bidi formatting characters. */
	assert_string_equal(SAFE("abc\xe2\x80\xaetxt.exe", 0),
	    "abc\\u202etxt.exe");
	assert_string_equal(SAFE("\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9", 0),
	    "\\u202a\\u2066\\u2069");
	assert_string_equal(SAFE("\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 0),
	    "\\u200e\\u200f\\u061c");
	/* Bad UTF-8: each byte of it; never mistaken for a control. */
	assert_string_equal(SAFE("a\xff" "b", 0), "a\\xffb");
	assert_string_equal(SAFE("\xe2\x80", 0), "\\xe2\\x80");
	assert_string_equal(SAFE("\xed\xa0\x80", 0), "\\xed\\xa0\\x80");
	assert_string_equal(SAFE("\xc0\xaf", 0), "\\xc0\\xaf");
	/* Left as they are: text, other Unicode, ZWJ, a backslash unquoted. */
	assert_string_equal(SAFE("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", 0),
	    "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
	assert_string_equal(SAFE("C:\\dir \"q\"", 0), "C:\\dir \"q\"");
	assert_false(termsafe_needed("C:\\dir \"q\" \xc3\xa9", 11));
	assert_true(termsafe_needed("\xe2\x80\xae", 3));
	assert_true(termsafe_needed("\xc3", 1));
}

static void
test_quote(void **state)
{
	(void)state;
	/* Nothing to escape: as it is, backslash and quote included. */
	assert_string_equal(SAFE("C:\\dir \"q\"", TERMSAFE_QUOTE),
	    "C:\\dir \"q\"");
	/* Something to escape: git style, so the quoted form reads back. */
	assert_string_equal(SAFE("a\\\x1b\"", TERMSAFE_QUOTE),
	    "\"a\\\\\\x1b\\\"\"");
	assert_string_equal(SAFE("\xe2\x80\xae", TERMSAFE_QUOTE), "\"\\u202e\"");
	assert_int_equal(termsafe_columns("a\\\x1b\"", 4, TERMSAFE_QUOTE), 11);
	assert_int_equal(termsafe_columns("abc", 3, TERMSAFE_QUOTE), 3);
	assert_string_equal(safe(NULL, 0, TERMSAFE_QUOTE), "");
}

/* Every byte value alone and after a lead byte: nothing raw comes out. */
static void
test_no_raw_control(void **state)
{
	char in[2];
	unsigned b, lead;

	(void)state;
	for (b = 0; b < 256; b++) {
		in[0] = (char)b;
		assert_false(has_raw_control(safe(in, 1, 0)));
		assert_false(has_raw_control(safe(in, 1, TERMSAFE_QUOTE)));
	}
	for (lead = 0xC2; lead <= 0xC3; lead++)
		for (b = 0; b < 256; b++) {
			in[0] = (char)lead;
			in[1] = (char)b;
			assert_false(has_raw_control(safe(in, 2, 0)));
		}
}

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(termsafe_width('a'), 1);
	assert_int_equal(termsafe_width(0x65E5), 2);	/* 日 */
	assert_int_equal(termsafe_width(0xAC00), 2);	/* 가 */
	assert_int_equal(termsafe_width(0xFF21), 2);	/* full-width A */
	assert_int_equal(termsafe_width(0x0301), 0);	/* combining acute */
	assert_int_equal(termsafe_width(0x00E9), 1);	/* é */
	/* "日本" is 4 columns in 6 bytes; "e" + U+0301 is 1 column. */
	assert_int_equal(termsafe_columns("\xe6\x97\xa5\xe6\x9c\xac", 6, 0), 4);
	assert_int_equal(termsafe_columns("e\xcc\x81", 3, 0), 1);
	assert_int_equal(termsafe_columns("\x1b", 1, 0), 4);
}

static void
test_cell(void **state)
{
	(void)state;
	/* Fits: padded to the width in columns, not bytes. */
	assert_string_equal(cell("ab", 5, 0), "ab   ");
	assert_string_equal(cell("\xe6\x97\xa5\xe6\x9c\xac", 5, 0),
	    "\xe6\x97\xa5\xe6\x9c\xac ");
	assert_string_equal(cell("e\xcc\x81", 3, 0), "e\xcc\x81  ");
	assert_string_equal(cell("abcde", 5, 0), "abcde");
	/* Cut: '~' in the last column. */
	assert_string_equal(cell("abcdef", 5, 0), "abcd~");
	/* A wide character that would straddle the edge goes; padded. */
	assert_string_equal(cell("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, 0),
	    "\xe6\x97\xa5\xe6\x9c\xac~");
	assert_string_equal(cell("a\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 5, 0),
	    "a\xe6\x97\xa5~ ");
	/* A combining mark stays with its letter. */
	assert_string_equal(cell("abe\xcc\x81xyz", 4, 0), "abe\xcc\x81~");
	/* Never inside an escape: \x1b is 4 columns, kept whole or dropped. */
	assert_string_equal(cell("ab\x1b]2;x", 5, 0), "ab~  ");
	assert_string_equal(cell("ab\x1b]2;x", 7, 0), "ab\\x1b~");
	assert_string_equal(cell("a\xe2\x80\xae" "bcdefgh", 8, 0),
	    "a\\u202e~");
	assert_string_equal(cell("a\xe2\x80\xae" "bcdefgh", 7, 0), "a~     ");
	/* Quoted and cut: the opening quote, whole units, the marker. */
	assert_string_equal(cell("h\x1b]2;PWNED\x07ost", 10, TERMSAFE_QUOTE),
	    "\"h\\x1b]2;~");
	assert_string_equal(cell("h\x1b]", 8, TERMSAFE_QUOTE), "\"h\\x1b]\"");
	/* Width 1: only the marker. */
	assert_string_equal(cell("abc", 1, TERMSAFE_QUOTE), "~");
	assert_string_equal(cell("\x1b", 1, TERMSAFE_QUOTE), "~");
	assert_string_equal(cell("", 3, TERMSAFE_QUOTE), "   ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_no_raw_control),
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_cell),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
