/*
 * test_pyjson.c: pyjson.c against Python's json module: float repr (the
 * shortest round trip, exponent thresholds, the power-of-two cases where
 * the nearest p-digit string is not the shortest, -0.0, NaN, Infinity),
 * integers beyond 2^53 kept exact at any depth, string escapes with and
 * without ensure_ascii (é, emoji as a surrogate pair, control characters,
 * quotes, backslash, '/', U+2028, ill-formed UTF-8), containers with
 * indent=None, 0, 2 and 4 and sort_keys, duplicate keys, the inputs
 * json.loads rejects although cJSON would take them, and the strings with
 * \u0000 or a lone surrogate that pyjson_loads_kept() keeps.
 *
 * Every expected string was produced by /usr/bin/python3 (3.11.2):
 * json.dumps(x) for floats given as exact hex literals, and
 * json.dumps(json.loads(text), indent=..., sort_keys=..., ensure_ascii=...)
 * for texts; NULL means json.loads raises.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "testutil.h"
#include "buf.h"
#include "err.h"
#include "pyjson.h"

struct float_case {
	double		 d;
	const char	*repr;
};

struct loads_case {
	const char	*text;
	int		 indent;
	int		 sort_keys;
	int		 ensure_ascii;
	const char	*dumps;		/* NULL: json.loads raises */
};

struct str_case {
	const char	*s;
	size_t		 len;
	const char	*ascii;		/* json.dumps(s.decode("utf-8", "replace")) */
	const char	*utf8;		/* ... with ensure_ascii=False */
};

/* -- expected values (generated with /usr/bin/python3, see above) -------- */

static const struct float_case float_cases[] = {
	{ 0x1.999999999999ap-4, "0.1" },
	{ 0x1.1c37937e08000p+53, "1e+16" },
	{ 0x1.4f8b588e368f1p-17, "1e-05" },
	{ 0x1.d6f34547df3b6p+26, "123456789.123" },
	{ 0x0.0000000000001p-1022, "5e-324" },
	{ 0x1.fffffffffffffp+1023, "1.7976931348623157e+308" },
	{ -0x0p+0, "-0.0" },
	{ 0x1.9000000000000p+6, "100.0" },
	{ 0x0.0p+0, "0.0" },
	{ 0x1.0000000000000p+0, "1.0" },
	{ -0x1.8000000000000p+0, "-1.5" },
	{ 0x1.c6bf526340000p+49, "1000000000000000.0" },
	{ 0x1.a36e2eb1c432dp-14, "0.0001" },
	{ 0x1.02c9dedbc309dp-13, "0.0001234" },
	{ 0x1.421f5f40d8376p-23, "1.5e-07" },
	{ 0x1.c12218377de40p+46, "123456789012345.0" },
	{ 0x1.18b54f22aeb00p+50, "1234567890123456.0" },
	{ 0x1.5ee2a2eb5a5c4p+53, "1.2345678901234568e+16" },
	{ 0x1.0000000000000p+53, "9007199254740992.0" },
	{ 0x1.0000000000000p+53, "9007199254740992.0" },
	{ 0x1.0f0cf064dd592p+73, "1e+22" },
	{ 0x1.52d02c7e14af6p+76, "1e+23" },
	{ 0x1.3333333333333p-2, "0.3" },
	{ 0x1.5666666666666p+1, "2.675" },
	{ 0x1.5555555555555p-2, "0.3333333333333333" },
	{ 0x1.0000000000000p-24, "5.960464477539063e-08" },
	{ 0x1.0000000000000p-44, "5.684341886080802e-14" },
	{ 0x1.0000000000000p+89, "6.189700196426902e+26" },
	{ 0x1.0000000000000p-1022, "2.2250738585072014e-308" },
	{ 0x0.0000000000001p-1022, "5e-324" },
	{ 0x1.249ad2594c37dp+332, "1e+100" },
	{ 0x1.1eb2d66005835p+997, "1.5e+300" },
	{ -0x1.56e1fc2f8f359p-997, "-1e-300" },
	{ 0x1.0000000000000p-1, "0.5" },
	{ 0x1.9000000000000p+4, "25.0" },
	{ 0x1.ad7f29abcaf48p-24, "1e-07" },
	{ NAN, "NaN" },
	{ INFINITY, "Infinity" },
	{ -INFINITY, "-Infinity" },
};

static const struct loads_case loads_cases[] = {
	{ "1", -1, 0, 1,
	    "1" },
	{ "-0", -1, 0, 1,
	    "0" },
	{ "-0.0", -1, 0, 1,
	    "-0.0" },
	{ "1.0", -1, 0, 1,
	    "1.0" },
	{ "1E5", -1, 0, 1,
	    "100000.0" },
	{ "2.50", -1, 0, 1,
	    "2.5" },
	{ "9007199254740993", -1, 0, 1,
	    "9007199254740993" },
	{ "-123456789012345678901234567890", -1, 0, 1,
	    "-123456789012345678901234567890" },
	{ "100000000000000000000000000000000000000000000000000000000000000000000000000000000", -1, 0, 1,
	    "100000000000000000000000000000000000000000000000000000000000000000000000000000000" },
	{ "1.55555555555555555555555555555555555555555555555555555555555555555555555555555555e-3", -1, 0, 1,
	    "0.0015555555555555555" },
	{ "12345678901234567890.0", -1, 0, 1,
	    "1.2345678901234567e+19" },
	{ "1e400", -1, 0, 1,
	    "Infinity" },
	{ "-1e400", -1, 0, 1,
	    "-Infinity" },
	{ "NaN", -1, 0, 1,
	    "NaN" },
	{ "Infinity", -1, 0, 1,
	    "Infinity" },
	{ "-Infinity", -1, 0, 1,
	    "-Infinity" },
	{ " \t\r\nNaN \n", -1, 0, 1,
	    "NaN" },
	{ "[NaN, Infinity, -Infinity]", -1, 0, 1,
	    "[NaN, Infinity, -Infinity]" },
	{ "{\"n\": NaN}", -1, 0, 1,
	    "{\"n\": NaN}" },
	{ "true", -1, 0, 1,
	    "true" },
	{ "false", -1, 0, 1,
	    "false" },
	{ "null", -1, 0, 1,
	    "null" },
	{ "\"abc\"", -1, 0, 1,
	    "\"abc\"" },
	{ "[1,2]", -1, 0, 1,
	    "[1, 2]" },
	{ "[1, 2.0, [3, [4.5]]]", -1, 0, 1,
	    "[1, 2.0, [3, [4.5]]]" },
	{ "[]", -1, 0, 1,
	    "[]" },
	{ "{}", -1, 0, 1,
	    "{}" },
	{ "[]", 2, 0, 1,
	    "[]" },
	{ "{}", 2, 0, 1,
	    "{}" },
	{ "[[]]", 2, 0, 1,
	    "[\n  []\n]" },
	{ "[{}]", 0, 0, 1,
	    "[\n{}\n]" },
	/*
	 * 20 members and more fold through a hashed index (src/pyjson.c,
	 * fold_indexed): the same order and values as Python's dict
	 */
	{ "{\"k0\": 0,\"k1\": 1,\"k2\": 2,\"k3\": 3,\"k4\": 4,\"k5\": 5,"
	    "\"k6\": 6,\"k7\": 7,\"k8\": 8,\"k9\": 9,\"k10\": 10,\"k11\": 11,"
	    "\"k12\": 12,\"k13\": 13,\"k14\": 14,\"k15\": 15,\"k16\": 16,"
	    "\"k17\": 17,\"k18\": 18,\"k19\": 19, \"k5\": \"five\", "
	    "\"k0\": [0], \"k19\": null, \"k5\": 55}", -1, 0, 1,
	    "{\"k0\": [0], \"k1\": 1, \"k2\": 2, \"k3\": 3, \"k4\": 4, "
	    "\"k5\": 55, \"k6\": 6, \"k7\": 7, \"k8\": 8, \"k9\": 9, "
	    "\"k10\": 10, \"k11\": 11, \"k12\": 12, \"k13\": 13, \"k14\": 14, "
	    "\"k15\": 15, \"k16\": 16, \"k17\": 17, \"k18\": 18, "
	    "\"k19\": null}" },
	{ "{\"a\": 1, \"a\": 2, \"b\": 3}", -1, 0, 1,
	    "{\"a\": 2, \"b\": 3}" },
	{ "{\"a\": {\"x\": 1, \"x\": [2]}, \"b\": 0, \"a\": {\"y\": 3}}", -1, 0, 1,
	    "{\"a\": {\"y\": 3}, \"b\": 0}" },
	{ "\"\\u00e9\\u20ac\\ud83d\\ude00\"", -1, 0, 1,
	    "\"\\u00e9\\u20ac\\ud83d\\ude00\"" },
	{ "\"\\u00e9\\u20ac\\ud83d\\ude00\"", -1, 0, 0,
	    "\"\303\251\342\202\254\360\237\230\200\"" },
	{ "\"\303\251\342\202\254\360\237\230\200\"", -1, 0, 1,
	    "\"\\u00e9\\u20ac\\ud83d\\ude00\"" },
	{ "\"\303\251\342\202\254\360\237\230\200\"", -1, 0, 0,
	    "\"\303\251\342\202\254\360\237\230\200\"" },
	{ "\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\\u0080\\u2028\"", -1, 0, 0,
	    "\"\\b\\f\\n\\r\\t\\u0001\\u001f\177\302\200\342\200\250\"" },
	{ "\"\\\"\\\\\\/\"", -1, 0, 1,
	    "\"\\\"\\\\/\"" },
	{ "{\"\\u00e9\": \"\303\251\", \"a\\\"b\": \"\\\\\"}", -1, 0, 1,
	    "{\"\\u00e9\": \"\\u00e9\", \"a\\\"b\": \"\\\\\"}" },
	{ "{\"b\": [1, 2.5, {\"c\": null, \"a\": true, \"B\": false}], \"a\": {}, \"\\u00e9\": \"x\\ny\", \"d\": [], \"z\": [[], {}], \"big\": 123456789012345678901234567890, \"neg\": -9007199254740993, \"f\": [0.1, 1e16, -0.0, 1E5], \"s\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\\u007f\\u2028\"}", -1, 0, 1,
	    "{\"b\": [1, 2.5, {\"c\": null, \"a\": true, \"B\": false}], \"a\": {}, \"\\u00e9\": \"x\\ny\", \"d\": [], \"z\": [[], {}], \"big\": 123456789012345678901234567890, \"neg\": -9007199254740993, \"f\": [0.1, 1e+16, -0.0, 100000.0], \"s\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\\u007f\\u2028\"}" },
	{ "{\"b\": [1, 2.5, {\"c\": null, \"a\": true, \"B\": false}], \"a\": {}, \"\\u00e9\": \"x\\ny\", \"d\": [], \"z\": [[], {}], \"big\": 123456789012345678901234567890, \"neg\": -9007199254740993, \"f\": [0.1, 1e16, -0.0, 1E5], \"s\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\\u007f\\u2028\"}", -1, 1, 1,
	    "{\"a\": {}, \"b\": [1, 2.5, {\"B\": false, \"a\": true, \"c\": null}], \"big\": 123456789012345678901234567890, \"d\": [], \"f\": [0.1, 1e+16, -0.0, 100000.0], \"neg\": -9007199254740993, \"s\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\\u007f\\u2028\", \"z\": [[], {}], \"\\u00e9\": \"x\\ny\"}" },
	{ "{\"b\": [1, 2.5, {\"c\": null, \"a\": true, \"B\": false}], \"a\": {}, \"\\u00e9\": \"x\\ny\", \"d\": [], \"z\": [[], {}], \"big\": 123456789012345678901234567890, \"neg\": -9007199254740993, \"f\": [0.1, 1e16, -0.0, 1E5], \"s\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\\u007f\\u2028\"}", 0, 0, 1,
	    "{\n\"b\": [\n1,\n2.5,\n{\n\"c\": null,\n\"a\": true,\n\"B\": false\n}\n],\n\"a\": {},\n\"\\u00e9\": \"x\\ny\",\n\"d\": [],\n\"z\": [\n[],\n{}\n],\n\"big\": 123456789012345678901234567890,\n\"neg\": -9007199254740993,\n\"f\": [\n0.1,\n1e+16,\n-0.0,\n100000.0\n],\n\"s\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\\u007f\\u2028\"\n}" },
	{ "{\"b\": [1, 2.5, {\"c\": null, \"a\": true, \"B\": false}], \"a\": {}, \"\\u00e9\": \"x\\ny\", \"d\": [], \"z\": [[], {}], \"big\": 123456789012345678901234567890, \"neg\": -9007199254740993, \"f\": [0.1, 1e16, -0.0, 1E5], \"s\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\\u007f\\u2028\"}", 2, 0, 1,
	    "{\n  \"b\": [\n    1,\n    2.5,\n    {\n      \"c\": null,\n      \"a\": true,\n      \"B\": false\n    }\n  ],\n  \"a\": {},\n  \"\\u00e9\": \"x\\ny\",\n  \"d\": [],\n  \"z\": [\n    [],\n    {}\n  ],\n  \"big\": 123456789012345678901234567890,\n  \"neg\": -9007199254740993,\n  \"f\": [\n    0.1,\n    1e+16,\n    -0.0,\n    100000.0\n  ],\n  \"s\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\\u007f\\u2028\"\n}" },
	{ "{\"b\": [1, 2.5, {\"c\": null, \"a\": true, \"B\": false}], \"a\": {}, \"\\u00e9\": \"x\\ny\", \"d\": [], \"z\": [[], {}], \"big\": 123456789012345678901234567890, \"neg\": -9007199254740993, \"f\": [0.1, 1e16, -0.0, 1E5], \"s\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\\u007f\\u2028\"}", 2, 1, 0,
	    "{\n  \"a\": {},\n  \"b\": [\n    1,\n    2.5,\n    {\n      \"B\": false,\n      \"a\": true,\n      \"c\": null\n    }\n  ],\n  \"big\": 123456789012345678901234567890,\n  \"d\": [],\n  \"f\": [\n    0.1,\n    1e+16,\n    -0.0,\n    100000.0\n  ],\n  \"neg\": -9007199254740993,\n  \"s\": \"\360\237\230\200 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\177\342\200\250\",\n  \"z\": [\n    [],\n    {}\n  ],\n  \"\303\251\": \"x\\ny\"\n}" },
	{ "{\"b\": [1, 2.5, {\"c\": null, \"a\": true, \"B\": false}], \"a\": {}, \"\\u00e9\": \"x\\ny\", \"d\": [], \"z\": [[], {}], \"big\": 123456789012345678901234567890, \"neg\": -9007199254740993, \"f\": [0.1, 1e16, -0.0, 1E5], \"s\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\\u007f\\u2028\"}", 4, 1, 1,
	    "{\n    \"a\": {},\n    \"b\": [\n        1,\n        2.5,\n        {\n            \"B\": false,\n            \"a\": true,\n            \"c\": null\n        }\n    ],\n    \"big\": 123456789012345678901234567890,\n    \"d\": [],\n    \"f\": [\n        0.1,\n        1e+16,\n        -0.0,\n        100000.0\n    ],\n    \"neg\": -9007199254740993,\n    \"s\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\\u007f\\u2028\",\n    \"z\": [\n        [],\n        {}\n    ],\n    \"\\u00e9\": \"x\\ny\"\n}" },
	{ "{\"b\": [1, 2.5, {\"c\": null, \"a\": true, \"B\": false}], \"a\": {}, \"\\u00e9\": \"x\\ny\", \"d\": [], \"z\": [[], {}], \"big\": 123456789012345678901234567890, \"neg\": -9007199254740993, \"f\": [0.1, 1e16, -0.0, 1E5], \"s\": \"\\ud83d\\ude00 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\\u007f\\u2028\"}", 4, 0, 0,
	    "{\n    \"b\": [\n        1,\n        2.5,\n        {\n            \"c\": null,\n            \"a\": true,\n            \"B\": false\n        }\n    ],\n    \"a\": {},\n    \"\303\251\": \"x\\ny\",\n    \"d\": [],\n    \"z\": [\n        [],\n        {}\n    ],\n    \"big\": 123456789012345678901234567890,\n    \"neg\": -9007199254740993,\n    \"f\": [\n        0.1,\n        1e+16,\n        -0.0,\n        100000.0\n    ],\n    \"s\": \"\360\237\230\200 \\\"q\\\" \\\\ / \\t\\u0001\\u001f\177\342\200\250\"\n}" },
	{ "{\"b\": 1, \"a\": 2, \"B\": 3, \"\303\251\": 4, \"\": 5, \"aa\": 6}", -1, 1, 1,
	    "{\"\": 5, \"B\": 3, \"a\": 2, \"aa\": 6, \"b\": 1, \"\\u00e9\": 4}" },
	{ "", -1, 0, 1,
	    NULL },
	{ "   ", -1, 0, 1,
	    NULL },
	{ "01", -1, 0, 1,
	    NULL },
	{ "1.", -1, 0, 1,
	    NULL },
	{ ".5", -1, 0, 1,
	    NULL },
	{ "+1", -1, 0, 1,
	    NULL },
	{ "1e", -1, 0, 1,
	    NULL },
	{ "-", -1, 0, 1,
	    NULL },
	{ "--1", -1, 0, 1,
	    NULL },
	{ "1-2", -1, 0, 1,
	    NULL },
	{ "0x10", -1, 0, 1,
	    NULL },
	{ "\0141", -1, 0, 1,
	    NULL },
	{ "\0131", -1, 0, 1,
	    NULL },
	{ "1 2", -1, 0, 1,
	    NULL },
	{ "[1,]", -1, 0, 1,
	    NULL },
	{ "{\"a\"}", -1, 0, 1,
	    NULL },
	{ "{'a': 1}", -1, 0, 1,
	    NULL },
	{ "nan", -1, 0, 1,
	    NULL },
	{ "-NaN", -1, 0, 1,
	    NULL },
	{ "NaNa", -1, 0, 1,
	    NULL },
	{ "1NaN", -1, 0, 1,
	    NULL },
	{ "[1Infinity]", -1, 0, 1,
	    NULL },
	{ "Infinity1", -1, 0, 1,
	    NULL },
	{ "tru", -1, 0, 1,
	    NULL },
	{ "True", -1, 0, 1,
	    NULL },
	{ "\"a\tb\"", -1, 0, 1,
	    NULL },
	{ "\"a\001\"", -1, 0, 1,
	    NULL },
	{ "\"\\x41\"", -1, 0, 1,
	    NULL },
	{ "\"abc", -1, 0, 1,
	    NULL },
	{ "\"\\u12\"", -1, 0, 1,
	    NULL },
	{ "[1] x", -1, 0, 1,
	    NULL },
	{ "\357\273\2771", -1, 0, 1,
	    NULL },
};

static const struct str_case str_cases[] = {
	{ "", 0, "\"\"", "\"\"" },
	{ "plain", 5, "\"plain\"", "\"plain\"" },
	{ "a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"", "\"a\\\"b\\\\c/d\"" },
	{ "\000\001\037\177", 4, "\"\\u0000\\u0001\\u001f\\u007f\"", "\"\\u0000\\u0001\\u001f\177\"" },
	{ "\303\251", 2, "\"\\u00e9\"", "\"\303\251\"" },
	{ "\342\202\254", 3, "\"\\u20ac\"", "\"\342\202\254\"" },
	{ "\360\237\230\200", 4, "\"\\ud83d\\ude00\"", "\"\360\237\230\200\"" },
	{ "\377", 1, "\"\\ufffd\"", "\"\357\277\275\"" },
	{ "\303", 1, "\"\\ufffd\"", "\"\357\277\275\"" },
	{ "\342\202", 2, "\"\\ufffd\"", "\"\357\277\275\"" },
	{ "\355\240\200", 3, "\"\\ufffd\\ufffd\\ufffd\"", "\"\357\277\275\357\277\275\357\277\275\"" },
	{ "\360\200\200\200", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "\"\357\277\275\357\277\275\357\277\275\357\277\275\"" },
	{ "\364\220\200\200", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "\"\357\277\275\357\277\275\357\277\275\357\277\275\"" },
	{ "a\303(b", 4, "\"a\\ufffd(b\"", "\"a\357\277\275(b\"" },
	{ "\357\277\275", 3, "\"\\ufffd\"", "\"\357\277\275\"" },
	{ "\342\200\250\302\200", 5, "\"\\u2028\\u0080\"", "\"\342\200\250\302\200\"" },
};

/* -- tests --------------------------------------------------------------- */

static const struct pyjson_opts one_line = { -1, 0, 1 };

static void
test_float_repr(void **state)
{
	const struct float_case *fc;
	cJSON *v;
	struct buf b;
	struct err e;

	(void)state;
	for (fc = float_cases; fc < float_cases + ARRAY_LEN(float_cases); fc++) {
		v = cJSON_CreateNumber(fc->d);
		assert_non_null(v);
		buf_init(&b, 0);
		assert_int_equal(pyjson_dumps(v, &one_line, &b, &e), 0);
		assert_string_equal(buf_str(&b), fc->repr);
		buf_release(&b);
		cJSON_Delete(v);
	}
}

/* json.dumps(json.loads(text), ...) for each text, or NULL from loads. */
static void
test_loads_dumps(void **state)
{
	const struct loads_case *lc;
	struct pyjson_opts o;
	struct buf b;
	struct err e;
	cJSON *v;
	int failures = 0;

	(void)state;
	for (lc = loads_cases; lc < loads_cases + ARRAY_LEN(loads_cases); lc++) {
		v = pyjson_loads(lc->text, strlen(lc->text));
		if (lc->dumps == NULL) {
			if (v != NULL) {
				print_error("loads accepted '%s'\n", lc->text);
				failures++;
			}
			pyjson_free(v);
			continue;
		}
		if (v == NULL) {
			print_error("loads refused '%s'\n", lc->text);
			failures++;
			continue;
		}
		o.indent = lc->indent;
		o.sort_keys = lc->sort_keys;
		o.ensure_ascii = lc->ensure_ascii;
		buf_init(&b, 0);
		assert_int_equal(pyjson_dumps(v, &o, &b, &e), 0);
		if (strcmp(buf_str(&b), lc->dumps) != 0) {
			print_error("'%s' (indent %d, sort_keys %d, ensure_ascii "
			    "%d): expected '%s', got '%s'\n", lc->text,
			    lc->indent, lc->sort_keys, lc->ensure_ascii,
			    lc->dumps, buf_str(&b));
			failures++;
		}
		buf_release(&b);
		pyjson_free(v);
	}
	assert_int_equal(failures, 0);
}

static void
test_dump_str(void **state)
{
	const struct str_case *sc;
	struct buf b;

	(void)state;
	for (sc = str_cases; sc < str_cases + ARRAY_LEN(str_cases); sc++) {
		buf_init(&b, 0);
		pyjson_dump_str(&b, sc->s, sc->len, 1);
		assert_string_equal(buf_str(&b), sc->ascii);
		buf_reset(&b);
		pyjson_dump_str(&b, sc->s, sc->len, 0);
		assert_memory_equal(buf_str(&b), sc->utf8, strlen(sc->utf8) + 1);
		buf_release(&b);
	}
}

/* Integers come back as cJSON_Raw nodes holding Python's repr. */
static void
test_loads_int_nodes(void **state)
{
	cJSON *v, *x;

	(void)state;
	v = pyjson_loads("-0", 2);
	assert_non_null(v);
	assert_true(cJSON_IsRaw(v));
	assert_string_equal(v->valuestring, "0");
	pyjson_free(v);

	v = pyjson_loads("[18446744073709551617, 1.0, -0.0]", 33);
	assert_non_null(v);
	x = cJSON_GetArrayItem(v, 0);
	assert_true(cJSON_IsRaw(x));
	assert_string_equal(x->valuestring, "18446744073709551617");
	x = cJSON_GetArrayItem(v, 1);
	assert_true(cJSON_IsNumber(x));
	assert_true(x->valuedouble == 1.0);
	x = cJSON_GetArrayItem(v, 2);
	assert_true(cJSON_IsNumber(x));
	assert_true(signbit(x->valuedouble));
	pyjson_free(v);

	/* Only len bytes are read; a NUL inside is never JSON. */
	v = pyjson_loads("12345", 3);
	assert_non_null(v);
	assert_string_equal(v->valuestring, "123");
	pyjson_free(v);
	assert_null(pyjson_loads("1\0", 2));
	assert_null(pyjson_loads(NULL, 0));
}

/*
 * The documented limits: Python reads these, cJSON cannot hold them
 * (NUL-terminated UTF-8), so they are refused rather than cut short.
 */
static void
test_known_limits(void **state)
{
	static const char *const texts[] = {
		"\"a\\u0000b\"",		/* Python: 'a\x00b' */
		"\"\\ud800\"",		/* Python: a lone surrogate */
		"{\"\\udc00\": 1}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(texts); i++)
		assert_null(pyjson_loads(texts[i], strlen(texts[i])));
}

/*
 * Ill-formed UTF-8 is not text for Python, which decodes before it parses
 * (json.loads(b'"\\x93"') raises UnicodeDecodeError); read as U+FFFD it
 * would make two keys one and sort apart from its own dump (found by
 * tests/fuzz/fuzz_pyjson: {"\x93b": 1, "\xedb": 2} dumped with sort_keys
 * did not load back to the same dump).
 */
static void
test_bad_utf8(void **state)
{
	static const char *const texts[] = {
		"\"\x93\"",			/* a lone continuation byte */
		"{\"\x93" "b\": 1, \"\xed" "b\": 2}",
		"[\"\xc3\"]",			/* cut short */
		"\"\xed\xa0\x80\"",		/* an encoded surrogate */
		"\"\xc0\xaf\"",			/* overlong */
		"\"\xf4\x90\x80\x80\"",		/* past U+10FFFF */
	};
	cJSON *v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(texts); i++) {
		errno = 0;
		assert_null(pyjson_loads(texts[i], strlen(texts[i])));
		assert_int_equal(errno, EINVAL);
	}
	/* well-formed multi-byte text still loads */
	v = pyjson_loads("\"\xc3\xa9\xf0\x9f\x98\x80\"", 8);
	assert_non_null(v);
	pyjson_free(v);
}

/* Trees built in C: Python types map as documented. */
static void
test_built_trees(void **state)
{
	static const struct pyjson_opts indent2 = { 2, 0, 1 };
	cJSON *o, *a, *bad;
	struct buf b;
	struct err e;

	(void)state;
	o = cJSON_CreateObject();
	assert_non_null(o);
	cJSON_AddItemToObject(o, "port", pyjson_create_int(5432));
	cJSON_AddItemToObject(o, "min", pyjson_create_int(-9223372036854775807LL - 1));
	cJSON_AddNumberToObject(o, "float", 1);
	cJSON_AddNullToObject(o, "none");
	cJSON_AddBoolToObject(o, "t", 1);
	a = cJSON_AddArrayToObject(o, "list");
	cJSON_AddItemToArray(a, cJSON_CreateString("x"));
	cJSON_AddItemToArray(a, cJSON_CreateFalse());

	buf_init(&b, 0);
	assert_int_equal(pyjson_dumps(o, NULL, &b, &e), 0);
	assert_string_equal(buf_str(&b), "{\"port\": 5432, \"min\": "
	    "-9223372036854775808, \"float\": 1.0, \"none\": null, \"t\": true, "
	    "\"list\": [\"x\", false]}");
	buf_reset(&b);
	assert_int_equal(pyjson_dumps(o, &indent2, &b, &e), 0);
	assert_string_equal(buf_str(&b), "{\n  \"port\": 5432,\n  \"min\": "
	    "-9223372036854775808,\n  \"float\": 1.0,\n  \"none\": null,\n  "
	    "\"t\": true,\n  \"list\": [\n    \"x\",\n    false\n  ]\n}");

	/* A node of no known type is an error, not silent output. */
	bad = cJSON_CreateNull();
	bad->type = cJSON_Invalid;
	cJSON_AddItemToArray(a, bad);
	buf_reset(&b);
	err_clear(&e);
	assert_int_equal(pyjson_dumps(o, NULL, &b, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_int_equal(pyjson_dumps(NULL, NULL, &b, &e), -1);
	buf_release(&b);
	pyjson_free(o);
	pyjson_free(NULL);
}

/*
 * pyjson_loads_kept(): what json.loads reads and a cJSON string cannot
 * hold (issue 14 items 11 and 12), written back by pyjson_dumps() as
 * json.dumps(json.loads(text), ...) writes it. Expected strings from
 * CPython 3.11.7. The last case is ensure_ascii=False, where Python keeps
 * é as it is and escapes the NUL as a control character.
 */
static const struct loads_case kept_cases[] = {
	{ "\"a\\u0000b\"", -1, 0, 1, "\"a\\u0000b\"" },
	{ "\"\\ud800\"", -1, 0, 1, "\"\\ud800\"" },
	{ "\"\\uDC00x\\uD800\"", -1, 0, 1, "\"\\udc00x\\ud800\"" },
	{ "{\"b\\u0000\": 1, \"b\": 2, \"a\\udfff\": \"\\u0000\\ud800\\udc00\\ud800x\"}",
	  -1, 1, 1,
	  "{\"a\\udfff\": \"\\u0000\\ud800\\udc00\\ud800x\", \"b\": 2, \"b\\u0000\": 1}" },
	{ "[\"\\u0001\\u0000\\u0001\", \"\\uDBFF\\uDBFF\\uDFFF\", \"\\\\u0000\"]", -1, 0, 1,
	  "[\"\\u0001\\u0000\\u0001\", \"\\udbff\\udbff\\udfff\", \"\\\\u0000\"]" },
	{ "{\"\\u0000\": 1, \"\\u0000\": 2, \"\\u0001\": 3}", -1, 0, 1,
	  "{\"\\u0000\": 2, \"\\u0001\": 3}" },
	{ "{\"\\ud800\": 1, \"\\ud800\\udc00\": 2, \"\\udbff\": 3}", -1, 1, 1,
	  "{\"\\ud800\": 1, \"\\udbff\": 3, \"\\ud800\\udc00\": 2}" },
	{ "{\"\\u0001\": 1, \"\\u0000\": 2, \"\": 3, \"a\": 4, \"\\u0000\\u0000\": 5}",
	  -1, 1, 1,
	  "{\"\": 3, \"\\u0000\": 2, \"\\u0000\\u0000\": 5, \"\\u0001\": 1, \"a\": 4}" },
	{ "{\"x\": [{\"\\u0000k\": \"\\udc00\", \"n\": 10000000000000000000001}]}",
	  2, 0, 1,
	  "{\n  \"x\": [\n    {\n      \"\\u0000k\": \"\\udc00\",\n"
	  "      \"n\": 10000000000000000000001\n    }\n  ]\n}" },
	{ "{\"k\": \"\\u00e9\\u0000\"}", -1, 0, 0, "{\"k\": \"\xc3\xa9\\u0000\"}" },
	/* json.loads raises on these: kept or not */
	{ "\"\\u0000", -1, 0, 1, NULL },
	{ "{\"a\": \"\\ud800\",}", -1, 0, 1, NULL },
	{ "\"\xc0\x80\"", -1, 0, 1, NULL },	/* raw bytes of the kept form */
	{ "\"\xed\xa0\x80\"", -1, 0, 1, NULL },
};

static void
test_loads_kept(void **state)
{
	const struct loads_case *lc;
	struct pyjson_opts o;
	struct buf b;
	struct err e;
	cJSON *v;

	(void)state;
	for (lc = kept_cases; lc < kept_cases + ARRAY_LEN(kept_cases); lc++) {
		v = pyjson_loads_kept(lc->text, strlen(lc->text));
		if (lc->dumps == NULL) {
			if (v != NULL)
				fail_msg("loads_kept accepted '%s'", lc->text);
			continue;
		}
		if (v == NULL)
			fail_msg("loads_kept refused '%s'", lc->text);
		o.indent = lc->indent;
		o.sort_keys = lc->sort_keys;
		o.ensure_ascii = lc->ensure_ascii;
		buf_init(&b, 0);
		assert_int_equal(pyjson_dumps(v, &o, &b, &e), 0);
		if (strcmp(buf_str(&b), lc->dumps) != 0)
			fail_msg("'%s': got '%s', want '%s'", lc->text,
			    buf_str(&b), lc->dumps);
		buf_release(&b);
		pyjson_free(v);
	}
}

/*
 * The kept forms in a tree: what pyjson_kept() finds, the bytes of
 * pyjson_kept_utf8() ('a\x00b'.encode() is b'a\x00b'; '\ud800'.encode()
 * raises, or with errors="replace" gives U+FFFD here), and a lone
 * surrogate escaped without ensure_ascii too.
 */
static int
kept_at(const cJSON *v, int i)
{
	const char *s = cJSON_GetArrayItem(v, i)->valuestring;

	return pyjson_kept(s, strlen(s));
}

static void
test_kept_strings(void **state)
{
	static const char text[] =
	    "[\"a\\u0000b\", \"\\ud800\", \"\\u0001\", \"\\u00e9\\ud83d\\ude00\"]";
	struct pyjson_opts o = { -1, 0, 0 };
	cJSON *v;
	struct buf b;
	struct err e;

	(void)state;
	v = pyjson_loads_kept(text, strlen(text));
	assert_non_null(v);
	assert_int_equal(kept_at(v, 0), PYJSON_NUL);
	assert_int_equal(kept_at(v, 1), PYJSON_SURROGATE);
	assert_int_equal(kept_at(v, 2), 0);
	assert_int_equal(kept_at(v, 3), 0);
	buf_init(&b, 0);
	assert_int_equal(pyjson_kept_utf8(cJSON_GetArrayItem(v, 0)->valuestring,
	    0, &b), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(buf_str(&b), "a\0b", 3);
	buf_reset(&b);
	assert_int_equal(pyjson_kept_utf8(cJSON_GetArrayItem(v, 1)->valuestring,
	    0, &b), -1);
	buf_reset(&b);
	assert_int_equal(pyjson_kept_utf8(cJSON_GetArrayItem(v, 1)->valuestring,
	    1, &b), 0);
	assert_string_equal(buf_str(&b), "\xef\xbf\xbd");	/* replaced */
	buf_reset(&b);
	assert_int_equal(pyjson_dumps(v, &o, &b, &e), 0);
	assert_string_equal(buf_str(&b), "[\"a\\u0000b\", \"\\ud800\", "
	    "\"\\u0001\", \"\xc3\xa9\xf0\x9f\x98\x80\"]");
	buf_release(&b);
	pyjson_free(v);
	/* pyjson_loads() still refuses them */
	assert_null(pyjson_loads(text, strlen(text)));
}

/* Appending keeps what the buffer held; a failed buffer is reported. */
/*
 * pyjson_why_refused(): which known limit explains a refusal. Each text's
 * fate in Python (json.loads accepts it or raises) is noted beside it.
 */
static void
test_why_refused(void **state)
{
	static const struct {
		const char	*text;
		int		 want;
	} cases[] = {
		{ "\"a\\u0000b\"", PYJSON_NUL },		/* 'a\x00b' */
		{ "\"\\ud800\"", PYJSON_SURROGATE },	/* '\ud800' */
		{ "\"\\uDC00x\"", PYJSON_SURROGATE },	/* '\udc00x' */
		{ "[\"\\ud800\", \"\\u0000\"]", PYJSON_NUL }, /* both */
		{ "{\"\\ud800\": 1}", PYJSON_SURROGATE },	/* a key */
		{ "\"\\ud83d\\ude00\"", 0 },		/* a pair: parses */
		{ "\"\\\\u0000\"", 0 },		/* '\\u0000': parses */
		{ "\"\\u0000", 0 },			/* raises: unterminated */
		{ "{\"a\": \"\\u0000\",}", 0 },		/* raises: trailing comma */
		{ "\"plain\"", 0 },			/* parses */
		{ "", 0 },				/* raises */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		if (pyjson_why_refused(cases[i].text, strlen(cases[i].text)) !=
		    cases[i].want)
			fail_msg("%s: want %d", cases[i].text, cases[i].want);
}

static void
test_dumps_appends(void **state)
{
	cJSON *v = pyjson_loads("[1]", 3);
	struct buf b;
	struct err e;

	(void)state;
	buf_init(&b, 1);
	buf_adds(&b, "x=");
	assert_int_equal(pyjson_dumps(v, NULL, &b, &e), 0);
	assert_string_equal(buf_str(&b), "x=[1]");
	b.failed = 1;
	err_clear(&e);
	assert_int_equal(pyjson_dumps(v, NULL, &b, &e), -1);
	assert_int_equal(e.code, ERR_NOMEM);
	buf_release(&b);
	pyjson_free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_float_repr),
		cmocka_unit_test(test_loads_dumps),
		cmocka_unit_test(test_dump_str),
		cmocka_unit_test(test_loads_int_nodes),
		cmocka_unit_test(test_known_limits),
		cmocka_unit_test(test_bad_utf8),
		cmocka_unit_test(test_built_trees),
		cmocka_unit_test(test_dumps_appends),
		cmocka_unit_test(test_why_refused),
		cmocka_unit_test(test_loads_kept),
		cmocka_unit_test(test_kept_strings),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
