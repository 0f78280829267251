/*
 * test_conn_json.c: conn_parse_json(), ferncon's Connection.from_json for
 * `connections add --conn-json` (issue 11: the CLI read it with cJSON, so
 * an extra {"retries": 3} was stored as {"retries": 3.0}).
 *
 * Airflow's rules, read in apache/airflow: Connection.from_json in
 * airflow/models/connection.py (2.x, the stored version at commit
 * 0e5662cf053e, lines 523-539; 2.10's commit c873bd5, lines 568-582) and
 * airflow-core/src/airflow/models/connection.py (3.x: commit e0b55c2,
 * lines 604-617 after the Task SDK branch at 592-602), the same body in
 * all: json.loads(value); pop "extra" and, when true,
 * keep a str or json.dumps anything else; pop "conn_type" and, when true,
 * normalise it; pop "port" and, when true, int() it, a ValueError giving
 * "Expected integer value for `port`, but got {port!r} instead."; pass
 * the rest to Connection(conn_id=..., **kwargs), whose __init__ takes
 * description, host, login, password, schema and uri. The CLI then
 * refuses a connection without conn_type ("conn-json is invalid; must
 * supply conn-type"). tests/conn_json_oracle.sh checks the same rules
 * against python3 case by case; this file pins the messages, ferncon's
 * deliberate differences, and the Python int() rules of the port.
 *
 * Expected JSON texts were produced by python3 3.11.7 as
 * json.dumps(json.loads(extra)).
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "conn.h"
#include "err.h"

struct ok_case {
	const char	*text;
	const char	*conn_type;
	const char	*host;
	int		 has_port;
	long		 port;
	const char	*extra;		/* NULL: no extra */
};

struct err_case {
	const char	*text;
	const char	*msg;
};

struct port_case {
	const char	*s;
	int		 ok;
	long		 port;
};

static const struct ok_case ok_cases[] = {
	/* the example: integers exact, as Airflow stores them */
	{ "{\"conn_type\":\"http\",\"extra\":{\"retries\":3,"
	    "\"big\":12345678901234567890}}", "http", NULL, 0, 0,
	    "{\"retries\": 3, \"big\": 12345678901234567890}" },
	/* duplicate keys: the last one wins, at the top and in the extra */
	{ "{\"conn_type\":\"a\",\"conn_type\":\"b\",\"extra\":{\"k\":1,"
	    "\"k\":2.50}}", "b", NULL, 0, 0, "{\"k\": 2.5}" },
	/* json.loads takes NaN and Infinity; floats in repr() form */
	{ "{\"conn_type\":\"http\",\"extra\":[NaN,Infinity,-Infinity,1e400,"
	    "-0.0,1E+2]}", "http", NULL, 0, 0,
	    "[NaN, Infinity, -Infinity, Infinity, -0.0, 100.0]" },
	/* ensure_ascii, surrogate pairs */
	{ "{\"conn_type\":\"http\",\"extra\":{\"\\u00e9\":\"\\ud83d\\ude00\"}}",
	    "http", NULL, 0, 0, "{\"\\u00e9\": \"\\ud83d\\ude00\"}" },
	/* a str extra is stored as it is, JSON or not */
	{ "{\"conn_type\":\"http\",\"extra\":\"{\\\"a\\\": 1.0}\"}", "http", NULL,
	    0, 0, "{\"a\": 1.0}" },
	{ "{\"conn_type\":\"http\",\"extra\":\"not json\"}", "http", NULL, 0, 0,
	    "not json" },
	/* a false extra is no extra */
	{ "{\"conn_type\":\"http\",\"extra\":{}}", "http", NULL, 0, 0, NULL },
	{ "{\"conn_type\":\"http\",\"extra\":\"\"}", "http", NULL, 0, 0, NULL },
	{ "{\"conn_type\":\"http\",\"extra\":0}", "http", NULL, 0, 0, NULL },
	{ "{\"conn_type\":\"http\",\"extra\":null}", "http", NULL, 0, 0, NULL },
	{ "{\"conn_type\":\"http\",\"extra\":true}", "http", NULL, 0, 0, "true" },
	/* conn_type normalised */
	{ "{\"conn_type\":\"postgresql\",\"host\":\"db\"}", "postgres", "db", 0,
	    0, NULL },
	{ "{\"conn_type\":\"google-cloud-platform\"}", "google_cloud_platform",
	    NULL, 0, 0, NULL },
	/* port through int() when true */
	{ "{\"conn_type\":\"x\",\"port\":5432}", "x", NULL, 1, 5432, NULL },
	{ "{\"conn_type\":\"x\",\"port\":\" +5_432\\n\"}", "x", NULL, 1, 5432,
	    NULL },
	{ "{\"conn_type\":\"x\",\"port\":5432.9}", "x", NULL, 1, 5432, NULL },
	{ "{\"conn_type\":\"x\",\"port\":-0.5}", "x", NULL, 1, 0, NULL },
	{ "{\"conn_type\":\"x\",\"port\":true}", "x", NULL, 1, 1, NULL },
	{ "{\"conn_type\":\"x\",\"port\":-1}", "x", NULL, 1, -1, NULL },
	{ "{\"conn_type\":\"x\",\"port\":0}", "x", NULL, 0, 0, NULL },
	{ "{\"conn_type\":\"x\",\"port\":\"\"}", "x", NULL, 0, 0, NULL },
	{ "{\"conn_type\":\"x\",\"port\":false}", "x", NULL, 0, 0, NULL },
	{ "{\"conn_type\":\"x\",\"port\":[]}", "x", NULL, 0, 0, NULL },
	/* blanks around the text, "" and null fields */
	{ " \t\r\n{\"conn_type\":\"x\",\"host\":\"\",\"login\":null} \n", "x", "",
	    0, 0, NULL },
};

static const struct err_case err_cases[] = {
	{ "", "--conn-json is not a JSON object" },
	{ "not json", "--conn-json is not a JSON object" },
	{ "{\"conn_type\":\"http\",}", "--conn-json is not a JSON object" },
	{ "{\"conn_type\":\"http\"} x", "--conn-json is not a JSON object" },
	{ "[\"conn_type\",\"http\"]", "--conn-json is not a JSON object" },
	{ "\"http\"", "--conn-json is not a JSON object" },
	{ "{\"host\":\"h\"}", "conn-json is invalid; must supply conn-type" },
	{ "{\"conn_type\":\"\"}", "conn-json is invalid; must supply conn-type" },
	{ "{\"conn_type\":null}", "conn-json is invalid; must supply conn-type" },
	{ "{\"conn_type\":0}", "conn-json is invalid; must supply conn-type" },
	/* Airflow's ValueError, word for word */
	{ "{\"conn_type\":\"x\",\"port\":\"54.32\"}",
	    "Expected integer value for `port`, but got '54.32' instead." },
	{ "{\"conn_type\":\"x\",\"port\":\"1__0\"}",
	    "Expected integer value for `port`, but got '1__0' instead." },
	{ "{\"conn_type\":\"x\",\"port\":\"it's\\t\"}",
	    "Expected integer value for `port`, but got \"it's\\t\" instead." },
	{ "{\"conn_type\":\"x\",\"port\":NaN}",
	    "Expected integer value for `port`, but got nan instead." },
	/* Python's TypeError and OverflowError, refused with a message */
	{ "{\"conn_type\":\"x\",\"port\":-Infinity}",
	    "Expected integer value for `port`, but got -inf instead." },
	{ "{\"conn_type\":\"x\",\"port\":[1]}", "Expected integer value for "
	    "`port`, but got a value of type list instead." },
	{ "{\"conn_type\":5}", "conn-json is invalid; conn_type must be a "
	    "string" },
	{ "{\"conn_type\":\"x\",\"foo\":1}",
	    "conn-json is invalid; unexpected key 'foo'" },
	{ "{\"conn_type\":\"x\",\"conn_id\":\"other\"}",
	    "conn-json is invalid; unexpected key 'conn_id'" },
	/* ferncon's differences: Airflow would store these */
	{ "{\"conn_type\":\"x\",\"host\":5}",
	    "conn-json is invalid; `host` must be a string or null" },
	{ "{\"conn_type\":\"x\",\"password\":[\"p\"]}",
	    "conn-json is invalid; `password` must be a string or null" },
	{ "{\"conn_type\":\"x\",\"port\":12345678901234567890}",
	    "conn-json is invalid; port 12345678901234567890 is out of range" },
	{ "{\"conn_type\":\"x\",\"port\":1e300}",
	    "conn-json is invalid; port 1e+300 is out of range" },
	{ "{\"uri\":\"http://h\"}", "conn-json is invalid; give a URI with "
	    "--conn-uri, not in the JSON" },
	/* Python's int() takes Unicode digits (U+0665); we do not */
	{ "{\"conn_type\":\"x\",\"port\":\"\\u0665\"}",
	    "Expected integer value for `port`, but got '\xd9\xa5' instead." },
};

/* Python's int(str), as checked with python3 3.11.7. */
static const struct port_case port_cases[] = {
	{ "5432", 1, 5432 },
	{ "  -7\t", 1, -7 },
	{ "+0080", 1, 80 },
	{ "1_000", 1, 1000 },
	{ "\v\f9\r\n", 1, 9 },
	{ "\xc2\xa0" "9" "\xe3\x80\x80\xe2\x80\x8a", 1, 9 },
	{ "\x1c" "9", 0, 0 },
	{ "9" "\x1f", 0, 0 },
	{ "\xc2", 0, 0 },
	{ "9223372036854775807", 1, LONG_MAX },
	{ "-9223372036854775808", 1, LONG_MIN },
	{ "9223372036854775808", 0, 0 },
	{ "", 0, 0 },
	{ " ", 0, 0 },
	{ "-", 0, 0 },
	{ "_1", 0, 0 },
	{ "1_", 0, 0 },
	{ "1__0", 0, 0 },
	{ "+_1", 0, 0 },
	{ "1 0", 0, 0 },
	{ "0x10", 0, 0 },
	{ "1.0", 0, 0 },
	{ "--1", 0, 0 },
};

static void
test_ok_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(ok_cases); i++) {
		const struct ok_case *k = &ok_cases[i];
		struct conn *c = conn_new();
		struct err e;

		err_clear(&e);
		assert_non_null(c);
		if (conn_parse_json(c, k->text, &e) != 0)
			fail_msg("case %zu (%s): %s", i, k->text, e.msg);
		assert_string_equal(c->conn_type, k->conn_type);
		if (k->host == NULL)
			assert_null(c->host);
		else
			assert_string_equal(c->host, k->host);
		assert_int_equal(c->has_port, k->has_port);
		assert_int_equal(c->port, k->port);
		if (k->extra == NULL)
			assert_null(c->extra);
		else
			assert_string_equal(c->extra, k->extra);
		/* from_json never sets these */
		assert_null(c->conn_id);
		assert_null(c->team_name);
		assert_int_equal(c->id, 0);
		conn_free(c);
	}
}

static void
test_err_cases(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(err_cases); i++) {
		struct conn *c = conn_new();
		struct err e;

		err_clear(&e);
		assert_non_null(c);
		if (conn_parse_json(c, err_cases[i].text, &e) == 0)
			fail_msg("case %zu (%s) was taken", i, err_cases[i].text);
		assert_int_equal(e.code, ERR_USAGE);
		assert_string_equal(e.msg, err_cases[i].msg);
		conn_free(c);
	}
}

/* Every field lands in its place; the password in locked memory. */
static void
test_all_fields(void **state)
{
	struct conn *c = conn_new();
	struct err e;

	(void)state;
	err_clear(&e);
	assert_non_null(c);
	assert_int_equal(conn_parse_json(c, "{\"schema\":\"s\",\"password\":"
	    "\"p\\u00e4ss\",\"login\":\"l\",\"host\":\"h\",\"description\":\"d\","
	    "\"conn_type\":\"my-type\",\"port\":\"22\",\"extra\":{\"a\":[1]}}",
	    &e), 0);
	assert_string_equal(c->conn_type, "my_type");
	assert_string_equal(c->description, "d");
	assert_string_equal(c->host, "h");
	assert_string_equal(c->login, "l");
	assert_string_equal(c->password, "p\xc3\xa4ss");
	assert_string_equal(c->schema, "s");
	assert_int_equal(c->port, 22);
	assert_string_equal(c->extra, "{\"a\": [1]}");
	assert_ptr_equal(c->password, c->secret_mem[0]);
	assert_ptr_equal(c->extra, c->secret_mem[1]);
	conn_free(c);
}

static void
test_port_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(port_cases); i++) {
		const struct port_case *k = &port_cases[i];
		long port = 12345;
		int rc = conn_port_parse(k->s, strlen(k->s), &port);

		if (rc != (k->ok ? 0 : -1))
			fail_msg("case %zu ('%s'): rc %d", i, k->s, rc);
		assert_int_equal(port, k->ok ? k->port : 12345);
	}
	/* len bounds the text: "12" of "123" */
	{
		long port = 0;

		assert_int_equal(conn_port_parse("123", 2, &port), 0);
		assert_int_equal(port, 12);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_cases),
		cmocka_unit_test(test_err_cases),
		cmocka_unit_test(test_all_fields),
		cmocka_unit_test(test_port_parse),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
