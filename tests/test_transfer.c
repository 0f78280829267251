/*
 * test_transfer.c: `connections export` and `connections import` files.
 * The exact bytes of json, yaml and env (json serialisation) exports of a
 * small set, taken from real Python (json.dumps(indent=2), PyYAML's
 * CSafeDumper, which for this set equals yaml.safe_dump); round trips
 * (export, then import gives the same records) for each format; how the
 * format is picked; Airflow's import rules (apache/airflow commit c873bd5:
 * airflow/secrets/local_filesystem.py, _parse_env_file() line 56,
 * _parse_yaml_file() 102, _parse_json_file() 125, _create_connection() 189,
 * load_connections_dict() 256) for env, json and yaml files; and every
 * bad input with its message, which names the file and the line and never
 * holds a password. Also the variables
 * files of Airflow 3.1's `variables import` (transfer_read_vars()).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "conn.h"
#include "pyjson.h"
#include "transfer.h"
#include "testutil.h"

static const struct airflow_version v_new = { 0, 0, 0 };	/* newest */
static const struct airflow_version v_210 = { 2, 10, 0 };

/* -- fixtures ------------------------------------------------------------ */

struct spec {
	const char	*conn_id, *conn_type, *description, *login, *password,
			*host;
	int		 has_port;
	long		 port;
	const char	*schema, *extra;
};

/* The small set (doc/airflow-compat.md section 5, and one odd connection). */
static const struct spec small[] = {
	{ "airflow_db", "mysql", "mysql conn description", "root",
	    "plainpassword", "mysql", 0, 0, "airflow", NULL },
	{ "druid_broker_default", "druid", NULL, NULL, NULL, "druid-broker", 1,
	    8082, NULL, "{\"endpoint\": \"druid/v2/sql\"}" },
	{ "weird", "http", "line1\nline2 \xc3\xa9", "true", "p@ss 'w'", "", 1,
	    0, "123", "{\"a\": [1, 2.5, null]}" },
};

/* Python: json.dumps({conn_id: _connection_to_dict(c)...}, indent=2) */
static const char small_json[] =
	"{\n"
	"  \"airflow_db\": {\n"
	"    \"conn_type\": \"mysql\",\n"
	"    \"description\": \"mysql conn description\",\n"
	"    \"login\": \"root\",\n"
	"    \"password\": \"plainpassword\",\n"
	"    \"host\": \"mysql\",\n"
	"    \"port\": null,\n"
	"    \"schema\": \"airflow\",\n"
	"    \"extra\": null\n"
	"  },\n"
	"  \"druid_broker_default\": {\n"
	"    \"conn_type\": \"druid\",\n"
	"    \"description\": null,\n"
	"    \"login\": null,\n"
	"    \"password\": null,\n"
	"    \"host\": \"druid-broker\",\n"
	"    \"port\": 8082,\n"
	"    \"schema\": null,\n"
	"    \"extra\": \"{\\\"endpoint\\\": \\\"druid/v2/sql\\\"}\"\n"
	"  },\n"
	"  \"weird\": {\n"
	"    \"conn_type\": \"http\",\n"
	"    \"description\": \"line1\\nline2 \\u00e9\",\n"
	"    \"login\": \"true\",\n"
	"    \"password\": \"p@ss 'w'\",\n"
	"    \"host\": \"\",\n"
	"    \"port\": 0,\n"
	"    \"schema\": \"123\",\n"
	"    \"extra\": \"{\\\"a\\\": [1, 2.5, null]}\"\n"
	"  }\n"
	"}";

/* Python: yaml.dump(same, Dumper=yaml.CSafeDumper) == yaml.safe_dump(same) */
static const char small_yaml[] =
	"airflow_db:\n"
	"  conn_type: mysql\n"
	"  description: mysql conn description\n"
	"  extra: null\n"
	"  host: mysql\n"
	"  login: root\n"
	"  password: plainpassword\n"
	"  port: null\n"
	"  schema: airflow\n"
	"druid_broker_default:\n"
	"  conn_type: druid\n"
	"  description: null\n"
	"  extra: '{\"endpoint\": \"druid/v2/sql\"}'\n"
	"  host: druid-broker\n"
	"  login: null\n"
	"  password: null\n"
	"  port: 8082\n"
	"  schema: null\n"
	"weird:\n"
	"  conn_type: http\n"
	"  description: \"line1\\nline2 \\xE9\"\n"
	"  extra: '{\"a\": [1, 2.5, null]}'\n"
	"  host: ''\n"
	"  login: 'true'\n"
	"  password: p@ss 'w'\n"
	"  port: 0\n"
	"  schema: '123'\n";

/* Python: "".join(f"{id}={json.dumps(_connection_to_dict(c))}\n" ...) */
static const char small_env_json[] =
	"airflow_db={\"conn_type\": \"mysql\", \"description\": \"mysql conn "
	"description\", \"login\": \"root\", \"password\": \"plainpassword\", "
	"\"host\": \"mysql\", \"port\": null, \"schema\": \"airflow\", "
	"\"extra\": null}\n"
	"druid_broker_default={\"conn_type\": \"druid\", \"description\": "
	"null, \"login\": null, \"password\": null, \"host\": \"druid-broker\", "
	"\"port\": 8082, \"schema\": null, \"extra\": \"{\\\"endpoint\\\": "
	"\\\"druid/v2/sql\\\"}\"}\n"
	"weird={\"conn_type\": \"http\", \"description\": \"line1\\nline2 "
	"\\u00e9\", \"login\": \"true\", \"password\": \"p@ss 'w'\", \"host\": "
	"\"\", \"port\": 0, \"schema\": \"123\", \"extra\": \"{\\\"a\\\": [1, "
	"2.5, null]}\"}\n";

/* Tricky records for the json and yaml round trips (sorted by conn_id). */
static const struct spec tricky[] = {
	{ "0x10", "null", "", "~", "", "1e3", 1, -1, "yes", "" },
	{ "a", NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, NULL },
	{ "b.c-d", "postgresql", "Gr\xc3\xbc\xc3\x9f" "e \xe6\x97\xa5 "
	    "\xf0\x9f\x98\x80 \"q\" 'q' a: b #c\n\nlast\n", " lead", "tab\tcr\r",
	    "trail ", 1, 65535, "2001-12-14", "{\"long\": \"" "xxxxxxxxxx"
	    "xxxxxxxxxx xxxxxxxxxx xxxxxxxxxx xxxxxxxxxx xxxxxxxxxx xxxxxxxxxx"
	    "xxxxxxxxxx xxxxxxxxxx\", \"n\": 1, \"u\": \"\xc3\xa9\"}" },
	{ "true", "=", "<<", "- x", "? y", "1:30", 1, 0, ".inf", "{}" },
};

/*
 * URIs carry no description, and a missing schema reads back as "" (as
 * _parse_from_uri gives it): a plain set.
 */
static const struct spec uri_safe[] = {
	{ "aws_default", "aws", NULL, "AKIA", "s3cr3t/+=", "h", 0, 0, "",
	    "{\"region_name\": \"eu-west-1\"}" },
	{ "pg", "postgres", NULL, "user", "p@ss:w/rd", "db.example", 1, 5432,
	    "airflow", NULL },
};

static struct conn *
make_conn(const struct spec *s)
{
	struct conn *c = conn_new();
	struct err e;

	assert_non_null(c);
	err_clear(&e);
	assert_int_equal(conn_set_str(c, &c->conn_id, s->conn_id, &e), 0);
	assert_int_equal(conn_set_str(c, &c->conn_type, s->conn_type, &e), 0);
	assert_int_equal(conn_set_str(c, &c->description, s->description,
	    &e), 0);
	assert_int_equal(conn_set_str(c, &c->login, s->login, &e), 0);
	assert_int_equal(conn_set_str(c, &c->password, s->password, &e), 0);
	assert_int_equal(conn_set_str(c, &c->host, s->host, &e), 0);
	assert_int_equal(conn_set_str(c, &c->schema, s->schema, &e), 0);
	assert_int_equal(conn_set_str(c, &c->extra, s->extra, &e), 0);
	c->has_port = s->has_port;
	c->port = s->port;
	return c;
}

static void
str_eq(const char *field, const char *want, const char *got)
{
	if (want == NULL && got == NULL)
		return;
	if (want == NULL || got == NULL || strcmp(want, got) != 0)
		fail_msg("%s: want %s%s%s, got %s%s%s", field,
		    want ? "'" : "", want ? want : "None", want ? "'" : "",
		    got ? "'" : "", got ? got : "None", got ? "'" : "");
}

static void
conn_eq(const struct spec *s, const struct conn *c)
{
	str_eq("conn_id", s->conn_id, c->conn_id);
	str_eq("conn_type", s->conn_type, c->conn_type);
	str_eq("description", s->description, c->description);
	str_eq("login", s->login, c->login);
	str_eq("password", s->password, c->password);
	str_eq("host", s->host, c->host);
	str_eq("schema", s->schema, c->schema);
	str_eq("extra", s->extra, c->extra);
	assert_int_equal(c->has_port, s->has_port);
	if (s->has_port)
		assert_int_equal(c->port, s->port);
}

/* Export n specs in fmt/ser; the text (caller frees) and its length. */
static char *
export(const struct spec *specs, size_t n, enum transfer_format fmt,
    enum transfer_serialization ser, size_t *len)
{
	struct transfer_writer *w = NULL;
	struct err e;
	char *text = NULL;
	size_t i, count = 99;
	FILE *f = open_memstream(&text, len);

	assert_non_null(f);
	err_clear(&e);
	if (transfer_writer_new(&w, f, fmt, ser, &v_new, &e) != 0)
		fail_msg("writer_new: %s", e.msg);
	for (i = 0; i < n; i++) {
		struct conn *c = make_conn(&specs[i]);

		if (transfer_writer_add(w, c, &e) != 0)
			fail_msg("writer_add %s: %s", specs[i].conn_id, e.msg);
		conn_free(c);
	}
	if (transfer_writer_finish(w, &count, &e) != 0)
		fail_msg("writer_finish: %s", e.msg);
	assert_int_equal(count, n);
	transfer_writer_free(w);
	fclose(f);
	return text;
}

static void
expect_bytes(const char *want, const char *got, size_t gotlen)
{
	if (strlen(want) != gotlen || memcmp(want, got, gotlen) != 0)
		fail_msg("output differs:\n--- want\n%s\n--- got\n%.*s", want,
		    (int)gotlen, got);
}

/* Import text from a file called name; 0 or -1, the set and the error. */
static int
import_text(const char *name, const char *text,
    const struct airflow_version *v, struct transfer_set *set, struct err *e)
{
	char *dir = tu_tmpdir(), *path = tu_write(dir, name, text, 0600);
	int rc;

	err_clear(e);
	rc = transfer_read(path, v, set, e);
	free(path);
	tu_tmpdir_remove(dir);
	return rc;
}

/* Import text that must fail with ERR_INVALID and a message holding part. */
static void
expect_import_error(const char *name, const char *text, const char *part,
    const char *line_tag)
{
	struct transfer_set set;
	struct err e;

	if (import_text(name, text, &v_new, &set, &e) == 0)
		fail_msg("%s was accepted:\n%s", name, text);
	assert_int_equal(set.n, 0);
	assert_null(set.conns);
	assert_int_equal(e.code, ERR_INVALID);
	if (strstr(e.msg, part) == NULL)
		fail_msg("message '%s' lacks '%s'", e.msg, part);
	if (strstr(e.msg, name) == NULL)
		fail_msg("message '%s' does not name the file", e.msg);
	if (line_tag != NULL && strstr(e.msg, line_tag) == NULL)
		fail_msg("message '%s' lacks the line '%s'", e.msg, line_tag);
	if (strstr(e.msg, "S3CRET") != NULL)
		fail_msg("message '%s' shows the password", e.msg);
}

static struct conn *
expect_one(struct transfer_set *set, const char *conn_id)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->conns[i]->conn_id, conn_id) == 0)
			return set->conns[i];
	fail_msg("connection %s not imported", conn_id);
	return NULL;
}

/* -- export bytes -------------------------------------------------------- */

static void
test_export_json_bytes(void **state)
{
	size_t len;
	char *text;

	(void)state;
	text = export(small, ARRAY_LEN(small), TRANSFER_JSON, TRANSFER_SER_URI,
	    &len);
	expect_bytes(small_json, text, len);
	free(text);
	/* json.dumps({}, indent=2) */
	text = export(small, 0, TRANSFER_JSON, TRANSFER_SER_URI, &len);
	expect_bytes("{}", text, len);
	free(text);
}

static void
test_export_yaml_bytes(void **state)
{
	size_t len;
	char *text;

	(void)state;
	text = export(small, ARRAY_LEN(small), TRANSFER_YAML, TRANSFER_SER_URI,
	    &len);
	expect_bytes(small_yaml, text, len);
	free(text);
	/* yaml.safe_dump({}) */
	text = export(small, 0, TRANSFER_YAML, TRANSFER_SER_URI, &len);
	expect_bytes("{}\n", text, len);
	free(text);
}

static void
test_export_env_bytes(void **state)
{
	size_t len;
	char *text;

	(void)state;
	text = export(small, ARRAY_LEN(small), TRANSFER_ENV, TRANSFER_SER_JSON,
	    &len);
	expect_bytes(small_env_json, text, len);
	free(text);
	text = export(small, 0, TRANSFER_ENV, TRANSFER_SER_URI, &len);
	expect_bytes("", text, len);
	free(text);
}

/* yaml keys are sorted by PyYAML: the writer needs conn_id order. */
static void
test_export_yaml_order(void **state)
{
	struct transfer_writer *w = NULL;
	struct conn *b = make_conn(&small[1]), *a = make_conn(&small[0]);
	struct err e;
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	err_clear(&e);
	assert_int_equal(transfer_writer_new(&w, f, TRANSFER_YAML,
	    TRANSFER_SER_URI, &v_new, &e), 0);
	assert_int_equal(transfer_writer_add(w, b, &e), 0);
	assert_int_equal(transfer_writer_add(w, a, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_non_null(strstr(e.msg, "conn_id order"));
	/* and the writer stays failed */
	assert_int_equal(transfer_writer_finish(w, NULL, &e), -1);
	transfer_writer_free(w);
	fclose(f);
	free(text);
	conn_free(a);
	conn_free(b);
}

/* A full disk is an ERR_IO, for every format. */
static void
test_export_write_error(void **state)
{
	static const enum transfer_format fmts[] = { TRANSFER_JSON,
	    TRANSFER_YAML, TRANSFER_ENV };
	size_t i, k;

	(void)state;
	for (i = 0; i < ARRAY_LEN(fmts); i++) {
		struct transfer_writer *w = NULL;
		struct err e;
		FILE *f = fopen("/dev/full", "w");
		int rc = 0;

		if (f == NULL)
			skip();
		err_clear(&e);
		assert_int_equal(transfer_writer_new(&w, f, fmts[i],
		    fmts[i] == TRANSFER_ENV ? TRANSFER_SER_JSON :
		    TRANSFER_SER_URI, &v_new, &e), 0);
		/* enough text to get past stdio's and libyaml's buffers */
		for (k = 0; k < 2000 && rc == 0; k++) {
			struct spec s = small[0];
			struct conn *c;
			char id[32];

			snprintf(id, sizeof id, "c%06zu", k);
			s.conn_id = id;
			c = make_conn(&s);
			rc = transfer_writer_add(w, c, &e);
			conn_free(c);
		}
		if (rc == 0)
			rc = transfer_writer_finish(w, NULL, &e);
		assert_int_equal(rc, -1);
		assert_int_equal(e.code, ERR_IO);
		assert_null(strstr(e.msg, "plainpassword"));
		transfer_writer_free(w);
		fclose(f);
	}
}

/* ser=json is only for env */
static void
test_writer_rejects_json_serialization(void **state)
{
	struct transfer_writer *w = (struct transfer_writer *)1;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(transfer_writer_new(&w, stdout, TRANSFER_YAML,
	    TRANSFER_SER_JSON, &v_new, &e), -1);
	assert_null(w);
	assert_int_equal(e.code, ERR_USAGE);
	transfer_writer_free(NULL);
}

/* -- round trips --------------------------------------------------------- */

static void
round_trip(const struct spec *specs, size_t n, enum transfer_format fmt,
    enum transfer_serialization ser, const char *name)
{
	struct transfer_set set;
	struct err e;
	size_t len, i;
	char *text = export(specs, n, fmt, ser, &len);

	if (import_text(name, text, &v_new, &set, &e) != 0)
		fail_msg("import of %s failed: %s\n%s", name, e.msg, text);
	assert_int_equal(set.n, n);
	for (i = 0; i < n; i++)
		conn_eq(&specs[i], set.conns[i]);
	transfer_set_free(&set);
	assert_int_equal(set.n, 0);
	free(text);
}

static void
test_round_trip_json(void **state)
{
	(void)state;
	round_trip(small, ARRAY_LEN(small), TRANSFER_JSON, TRANSFER_SER_URI,
	    "c.json");
	round_trip(tricky, ARRAY_LEN(tricky), TRANSFER_JSON, TRANSFER_SER_URI,
	    "c.json");
}

static void
test_round_trip_yaml(void **state)
{
	(void)state;
	round_trip(small, ARRAY_LEN(small), TRANSFER_YAML, TRANSFER_SER_URI,
	    "c.yaml");
	round_trip(tricky, ARRAY_LEN(tricky), TRANSFER_YAML, TRANSFER_SER_URI,
	    "c.yml");
}

static void
test_round_trip_env(void **state)
{
	(void)state;
	round_trip(uri_safe, ARRAY_LEN(uri_safe), TRANSFER_ENV,
	    TRANSFER_SER_URI, "c.env");
}

/* -- picking the format -------------------------------------------------- */

struct pick_case {
	const char	*path, *fmt, *ser;
	int		 for_import;
	int		 ok;
	enum transfer_format		want;
	enum transfer_serialization	want_ser;
	const char	*msg;
};

#define EXPORT_EXT "Unsupported file format. The file must have the " \
	"extension .yaml, .json, .env."
#define IMPORT_EXT "Unsupported file format. The file must have one of " \
	"the following extensions: .env .json .yaml .yml"

static const struct pick_case picks[] = {
	{ "-", NULL, NULL, 0, 1, TRANSFER_JSON, TRANSFER_SER_URI, NULL },
	{ "-", "yaml", NULL, 0, 1, TRANSFER_YAML, TRANSFER_SER_URI, NULL },
	{ "out.json", NULL, NULL, 0, 1, TRANSFER_JSON, TRANSFER_SER_URI, NULL },
	{ "dir.d/OUT.YAML", NULL, NULL, 0, 1, TRANSFER_YAML, TRANSFER_SER_URI,
	    NULL },
	{ "a.b.env", NULL, "json", 0, 1, TRANSFER_ENV, TRANSFER_SER_JSON,
	    NULL },
	{ "a.env", NULL, "uri", 0, 1, TRANSFER_ENV, TRANSFER_SER_URI, NULL },
	{ "notes.txt", "env", NULL, 0, 1, TRANSFER_ENV, TRANSFER_SER_URI,
	    NULL },
	{ "out.yml", NULL, NULL, 0, 0, 0, 0, EXPORT_EXT },
	{ ".env", NULL, NULL, 0, 0, 0, 0, EXPORT_EXT },
	{ "dir.json/out", NULL, NULL, 0, 0, 0, 0, EXPORT_EXT },
	{ "out.json", NULL, "json", 0, 0, 0, 0, "Option "
	    "`--serialization-format` may only be used with file type `env`." },
	{ "-", NULL, "uri", 0, 0, 0, 0, "may only be used with file type" },
	{ "out.env", "xml", NULL, 0, 0, 0, 0, "argument --file-format: "
	    "invalid choice: 'xml' (choose from 'json', 'yaml', 'env')" },
	{ "out.env", NULL, "yaml", 0, 0, 0, 0, "argument "
	    "--serialization-format: invalid choice: 'yaml'" },
	{ "in.yml", NULL, NULL, 1, 1, TRANSFER_YAML, TRANSFER_SER_URI, NULL },
	{ "in.YAML", NULL, NULL, 1, 1, TRANSFER_YAML, TRANSFER_SER_URI, NULL },
	{ "in.Env", NULL, NULL, 1, 1, TRANSFER_ENV, TRANSFER_SER_URI, NULL },
	{ "in.json", NULL, NULL, 1, 1, TRANSFER_JSON, TRANSFER_SER_URI, NULL },
	{ "in.txt", NULL, NULL, 1, 0, 0, 0, IMPORT_EXT },
	{ "in.json", "json", NULL, 1, 0, 0, 0, "import takes neither" },
};

static void
test_pick_format(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(picks); i++) {
		const struct pick_case *p = &picks[i];
		enum transfer_format fmt = TRANSFER_JSON;
		enum transfer_serialization ser = TRANSFER_SER_URI;
		struct err e;
		int rc;

		err_clear(&e);
		rc = transfer_pick_format(p->path, p->fmt, p->ser,
		    p->for_import, &fmt, &ser, &e);
		if (p->ok) {
			if (rc != 0)
				fail_msg("case %zu (%s): %s", i, p->path, e.msg);
			assert_int_equal(fmt, p->want);
			assert_int_equal(ser, p->want_ser);
		} else {
			if (rc == 0)
				fail_msg("case %zu (%s) was accepted", i,
				    p->path);
			assert_int_equal(e.code, ERR_USAGE);
			if (strstr(e.msg, p->msg) == NULL)
				fail_msg("case %zu: '%s' lacks '%s'", i, e.msg,
				    p->msg);
		}
	}
}

/* -- import rules -------------------------------------------------------- */

static void
test_import_env(void **state)
{
	static const char text[] =
	    "# a comment\n"
	    "\n"
	    "   # an indented comment\r\n"
	    "pg=postgresql://user:p%40ss@db.example:5432/airflow?sslmode=require\r\n"
	    "x=ftp://h\n"
	    "spaced =s3://bucket\n";
	struct transfer_set set;
	struct conn *c;
	struct err e;

	(void)state;
	if (import_text("c.env", text, &v_new, &set, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(set.n, 3);
	/* file order */
	assert_string_equal(set.conns[0]->conn_id, "pg");
	assert_string_equal(set.conns[1]->conn_id, "x");
	/* the key is not stripped */
	assert_string_equal(set.conns[2]->conn_id, "spaced ");
	c = expect_one(&set, "pg");
	/* a URI's type is normalised by _parse_from_uri */
	assert_string_equal(c->conn_type, "postgres");
	assert_string_equal(c->login, "user");
	assert_string_equal(c->password, "p@ss");
	assert_string_equal(c->host, "db.example");
	assert_int_equal(c->has_port, 1);
	assert_int_equal(c->port, 5432);
	assert_string_equal(c->schema, "airflow");
	assert_string_equal(c->extra, "{\"sslmode\": \"require\"}");
	transfer_set_free(&set);
	/* an empty file is no connections */
	assert_int_equal(import_text("c.env", "", &v_new, &set, &e), 0);
	assert_int_equal(set.n, 0);
	transfer_set_free(&set);
}

static void
test_import_json(void **state)
{
	static const char text[] =
	    "{\n"
	    "  \"uri_conn\": \"mysql://root:S3CRET@mysql/airflow\",\n"
	    "  \"dict_conn\": {\"conn_type\": \"postgresql\", \"host\": \"h\",\n"
	    "    \"port\": \"5432\", \"extra_dejson\": {\"a\": 1, \"b\": "
	    "[true, null], \"c\": 1.0, \"d\": \"\\u00e9\"},\n"
	    "    \"description\": \"d\", \"conn_id\": \"dict_conn\"},\n"
	    "  \"extra_dict\": {\"conn_type\": \"t\", \"extra\": {\"k\": "
	    "\"v\"}, \"port\": 2.9},\n"
	    "  \"empty_uri\": \"\",\n"
	    "  \"dup\": \"http://first\",\n"
	    "  \"dup\": {\"conn_type\": \"last\", \"uri\": null}\n"
	    "}\n";
	struct transfer_set set;
	struct conn *c;
	struct err e;

	(void)state;
	if (import_text("c.json", text, &v_new, &set, &e) != 0)
		fail_msg("%s", e.msg);
	assert_int_equal(set.n, 5);
	c = expect_one(&set, "uri_conn");
	assert_string_equal(c->conn_type, "mysql");
	assert_string_equal(c->password, "S3CRET");
	c = expect_one(&set, "dict_conn");
	/* conn_type is not normalised on this path; port through int() */
	assert_string_equal(c->conn_type, "postgresql");
	assert_int_equal(c->port, 5432);
	assert_string_equal(c->description, "d");
	/* json.dumps(extra_dejson) */
	assert_string_equal(c->extra, "{\"a\": 1, \"b\": [true, null], "
	    "\"c\": 1.0, \"d\": \"\\u00e9\"}");
	c = expect_one(&set, "extra_dict");
	assert_string_equal(c->extra, "{\"k\": \"v\"}");
	assert_int_equal(c->port, 2);	/* int(2.9) */
	/* Connection(uri=""): everything None */
	c = expect_one(&set, "empty_uri");
	assert_null(c->conn_type);
	assert_null(c->host);
	/* a repeated key: the last value, at the first place */
	assert_string_equal(set.conns[4]->conn_id, "dup");
	assert_string_equal(set.conns[4]->conn_type, "last");
	transfer_set_free(&set);
}

static void
test_import_yaml(void **state)
{
	static const char text[] =
	    "base: &base\n"
	    "  conn_type: postgres\n"
	    "  host: db\n"
	    "  port: 5432\n"
	    "child:\n"
	    "  <<: *base\n"
	    "  host: other\n"
	    "  login: '123'\n"
	    "  password: !!str 0x10\n"
	    "  schema: null\n"
	    "  extra_dejson: {timeout: 30, flag: yes, ratio: 0.5, none: ~}\n"
	    "uri: 'http://u:S3CRET@h:80/s'\n"
	    "octal:\n"
	    "  conn_type: x\n"
	    "  port: 0o17\n"
	    "numeric:\n"
	    "  conn_type: x\n"
	    "  port: 0x1F\n"
	    "underscored:\n"
	    "  conn_type: x\n"
	    "  port: '1_000'\n";
	struct transfer_set set;
	struct conn *c;
	struct err e;

	(void)state;
	if (import_text("c.yaml", text, &v_new, &set, &e) == 0)
		fail_msg("'0o17' is a str in YAML 1.1 and cannot be a port");
	assert_non_null(strstr(e.msg, "Expected integer value for `port`, "
	    "but got '0o17' instead."));
	assert_non_null(strstr(e.msg, "c.yaml:15:"));
	/* without the octal one */
	{
		char *t = strdup(text), *o = strstr(t, "octal:");

		memmove(o, strstr(o, "numeric:"), strlen(strstr(o,
		    "numeric:")) + 1);
		if (import_text("c.yml", t, &v_new, &set, &e) != 0)
			fail_msg("%s", e.msg);
		free(t);
	}
	assert_int_equal(set.n, 5);
	c = expect_one(&set, "child");
	assert_string_equal(c->conn_type, "postgres");	/* merged */
	assert_string_equal(c->host, "other");		/* own value wins */
	assert_int_equal(c->port, 5432);
	assert_string_equal(c->login, "123");
	assert_string_equal(c->password, "0x10");
	assert_null(c->schema);
	assert_string_equal(c->extra, "{\"timeout\": 30, \"flag\": true, "
	    "\"ratio\": 0.5, \"none\": null}");
	c = expect_one(&set, "uri");
	assert_string_equal(c->conn_type, "http");
	assert_string_equal(c->password, "S3CRET");
	assert_int_equal(c->port, 80);
	c = expect_one(&set, "numeric");
	assert_int_equal(c->port, 31);
	c = expect_one(&set, "underscored");
	assert_int_equal(c->port, 1000);		/* int("1_000") */
	transfer_set_free(&set);
}

/* Airflow 2 takes the text after the last '.', Airflow 3 the suffix. */
static void
test_import_extension_by_version(void **state)
{
	char *dir = tu_tmpdir(), *path = tu_write(dir, ".env", "a=http://h\n",
	    0600);
	struct transfer_set set;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(transfer_read(path, &v_210, &set, &e), 0);
	assert_int_equal(set.n, 1);
	transfer_set_free(&set);
	assert_int_equal(transfer_read(path, &v_new, &set, &e), -1);
	assert_non_null(strstr(e.msg, IMPORT_EXT));
	free(path);
	tu_tmpdir_remove(dir);
}

/* Airflow 3 refuses an extra that is not a JSON object; 2.10 keeps it. */
static void
test_import_extra_validation(void **state)
{
	static const char text[] = "{\"a\": {\"conn_type\": \"t\", "
	    "\"extra\": \"[1]\"}}";
	struct transfer_set set;
	struct err e;

	(void)state;
	assert_int_equal(import_text("c.json", text, &v_210, &set, &e), 0);
	assert_string_equal(set.conns[0]->extra, "[1]");
	transfer_set_free(&set);
	assert_int_equal(import_text("c.json", text, &v_new, &set, &e), -1);
	assert_non_null(strstr(e.msg, "does not parse as a dictionary"));
	assert_non_null(strstr(e.msg, "c.json"));
}

/* -- bad input ----------------------------------------------------------- */

static void
test_missing_file(void **state)
{
	struct transfer_set set;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(transfer_read("/nonexistent/dir/c.json", &v_new, &set,
	    &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_non_null(strstr(e.msg, "Missing connections file."));
	assert_non_null(strstr(e.msg, "/nonexistent/dir/c.json"));
	assert_int_equal(set.n, 0);
}

static void
test_bad_extension(void **state)
{
	(void)state;
	expect_import_error("c.txt", "a=http://h\n", IMPORT_EXT, NULL);
	expect_import_error("c", "a=http://h\n", IMPORT_EXT, NULL);
}

static void
test_bad_env(void **state)
{
	(void)state;
	expect_import_error("c.env", "ok=http://h\nno equal sign\n",
	    "Invalid line format. The line should contain at least one equal "
	    "sign (\"=\").", "c.env:2:");
	expect_import_error("c.env", "\n\n=http://h\n",
	    "Invalid line format. Key is empty.", "c.env:3:");
	expect_import_error("c.env", "k=\n", "Invalid line format. Value is "
	    "empty.", "c.env:1:");
	/* every line is checked; the first error is reported with a count */
	expect_import_error("c.env", "a\nb\n=c\n", "(and 2 more errors)",
	    "c.env:1:");
	/* a duplicate raises ConnectionNotUnique, at the second line */
	expect_import_error("c.env", "dup=http://u:S3CRET@a\nother=http://b\n"
	    "dup=http://u:S3CRET@c\n", "Found multiple values for dup in ",
	    "c.env:3:");
	/* lines are cut like str.splitlines(): \f ends one */
	expect_import_error("c.env", "a=http://h\fb\n", "at least one equal "
	    "sign", "c.env:2:");
}

/*
 * Airflow 2's _parse_env_file() (apache/airflow commit c873bd5, 2.10:
 * airflow/secrets/local_filesystem.py lines 56-99: key, sep, value =
 * line.partition("=") at line 81; an error only when not value, worded
 * "Invalid line format. Key is empty.", lines 91-97): a line that starts
 * with '=' gives the conn_id "", which the import skips with
 * validate_key()'s message (tests/cli_compat.sh, issue 14 item 14).
 */
static void
test_env_210(void **state)
{
	struct transfer_set set;
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(import_text("c.env", "a=http://h\n=http://i\n", &v_210,
	    &set, &e), 0);
	assert_int_equal(set.n, 2);
	assert_string_equal(set.conns[1]->conn_id, "");
	assert_string_equal(set.conns[1]->host, "i");
	transfer_set_free(&set);
	/* an empty value: Airflow 2's message */
	assert_int_equal(import_text("c.env", "k=\n", &v_210, &set, &e), -1);
	assert_non_null(strstr(e.msg, "Invalid line format. Key is empty."));
	assert_non_null(strstr(e.msg, "c.env:1:"));
}

static void
test_bad_json(void **state)
{
	(void)state;
	expect_import_error("c.json", "{\"a\": \"http://h\",\n \"b\" 1}",
	    "not valid JSON", "c.json:2:");
	expect_import_error("c.json", "[1, 2]", "The file should contain the "
	    "object.", NULL);
	expect_import_error("c.json", "", "The file is empty.", "c.json:1:");
	expect_import_error("c.json", "{\"a\": 5}", "Unexpected value type: "
	    "<class 'int'>. The connection can only be defined using a string "
	    "or object.", NULL);
	expect_import_error("c.json", "{\"a\": {\"conn_type\": \"t\", "
	    "\"bogus\": 1, \"password\": \"S3CRET\"}}", "The object have "
	    "illegal keys: bogus. The dictionary can only contain the following "
	    "keys: {'conn_id', 'conn_type', 'description', 'extra', "
	    "'extra_dejson', 'host', 'login', 'password', 'port', 'schema', "
	    "'team_name', 'uri'}", NULL);
	expect_import_error("c.json", "{\"a\": {\"extra\": \"{}\", "
	    "\"extra_dejson\": {}}}", "The extra and extra_dejson parameters "
	    "are mutually exclusive. Please provide only one parameter.", NULL);
	expect_import_error("c.json", "{\"a\": {\"port\": \"abc\", "
	    "\"password\": \"S3CRET\"}}", "Expected integer value for `port`, "
	    "but got 'abc' instead.", NULL);
	expect_import_error("c.json", "{\"a\": {\"port\": [1]}}",
	    "Expected integer value for `port`", NULL);
	expect_import_error("c.json", "{\"a\": {\"uri\": \"http://h\", "
	    "\"host\": \"h\"}}", "You must create an object using the URI or "
	    "individual values", NULL);
	expect_import_error("c.json", "{\"a\": {\"conn_id\": \"b\"}}",
	    "Mismatch conn_id. The dictionary key has the value: b. The item "
	    "has the value: a.", NULL);
	expect_import_error("c.json", "{\"a\": {\"host\": 5}}", "`host` must "
	    "be a string", NULL);
	expect_import_error("c.json", "{\"a\": \"x://h:99999\"}", "could not "
	    "load connection 'a'", NULL);
}

static void
test_bad_json_210_keys(void **state)
{
	struct transfer_set set;
	struct err e;

	(void)state;
	/* team_name is a Connection() parameter from 3.2 on only */
	assert_int_equal(import_text("c.json", "{\"a\": {\"team_name\": "
	    "\"t\"}}", &v_210, &set, &e), -1);
	assert_non_null(strstr(e.msg, "illegal keys: team_name"));
	assert_null(strstr(e.msg, "'team_name'"));
	assert_int_equal(import_text("c.json", "{\"a\": {\"team_name\": "
	    "\"t\"}}", &v_new, &set, &e), 0);
	assert_string_equal(set.conns[0]->team_name, "t");
	transfer_set_free(&set);
}

static void
test_bad_yaml(void **state)
{
	(void)state;
	expect_import_error("c.yaml", "- a\n- b\n", "The file should contain "
	    "the object.", NULL);
	expect_import_error("c.yaml", "# only a comment\n", "The file should "
	    "contain the object.", NULL);
	expect_import_error("c.yaml", "just a string\n", "The file should "
	    "contain the object.", NULL);
	expect_import_error("c.yaml", "", "The file is empty.", "c.yaml:1:");
	expect_import_error("c.yaml", "a: http://h\n  b: 2\n", "mapping values "
	    "are not allowed", "c.yaml:2:");
	expect_import_error("c.yaml", "a:\n  conn_type: t\n  bogus: 1\n",
	    "The object have illegal keys: bogus.", "c.yaml:2:");
	expect_import_error("c.yaml", "a:\n  extra: '{}'\n  extra_dejson: {}\n",
	    "mutually exclusive", NULL);
	expect_import_error("c.yaml", "a:\n  password: S3CRET\n  port: abc\n",
	    "but got 'abc' instead.", "c.yaml:3:");
	expect_import_error("c.yaml", "a: 5\n", "Unexpected value type: <class "
	    "'int'>", "c.yaml:1:");
	expect_import_error("c.yaml", "a: 2001-12-14\n", "<class "
	    "'datetime.date'>", NULL);
	/*
	 * A list is the older one-value form (secrets/local_filesystem.py
	 * load_connections_dict(), commit c873bd5 lines 269-276): its one item
	 * is the value, here an int;
	 * two items are ConnectionNotUnique. The list of one that works is in
	 * tests/cli_compat.sh (issue 14 item 3).
	 */
	expect_import_error("c.yaml", "a: [1]\n", "Unexpected value type: "
	    "<class 'int'>", NULL);
	expect_import_error("c.yaml", "a: [http://h, http://i]\n",
	    "Found multiple values for a in ", NULL);
	expect_import_error("c.json", "{\"a\": [{}, {}]}",
	    "Found multiple values for a in ", NULL);
	expect_import_error("c.yaml", "a: *nothing\n", "found undefined alias",
	    NULL);
	expect_import_error("c.yaml", "a: &x http://h\nb: &x http://i\n",
	    "found duplicate anchor", NULL);
	expect_import_error("c.yaml", "a: http://h\n---\nb: http://i\n",
	    "expected a single document", NULL);
	expect_import_error("c.yaml", "a: !foo x\n", "could not determine a "
	    "constructor for the tag '!foo'", NULL);
	expect_import_error("c.yaml", "x: =\n", "could not determine a "
	    "constructor for the tag 'tag:yaml.org,2002:value'", NULL);
	expect_import_error("c.yaml", "a:\n  <<: 5\n", "expected a mapping or "
	    "list of mappings for merging", NULL);
	expect_import_error("c.yaml", "? [1]\n: http://h\n", "found "
	    "unhashable key", NULL);
	expect_import_error("c.yaml", "5: http://h\n", "a connection id must be "
	    "a string, not int", NULL);
	expect_import_error("c.yaml", "a:\n  port: !!int 09\n", "invalid "
	    "literal for int()", NULL);
}

static void
test_bad_bytes(void **state)
{
	(void)state;
	expect_import_error("c.env", "a=http://h\nb=http://\xff\n",
	    "not valid UTF-8", "c.env:2:");
	expect_import_error("c.json", "{\"a\": \"\xc0\x80\"}", "not valid "
	    "UTF-8", "c.json:1:");
}

/* -- bounds -------------------------------------------------------------- */

/*
 * A yaml document's aliases are capped before anything expands them
 * (src/transfer_int.h, README "Limits"). PyYAML shares the aliased object
 * and has no cap, so Airflow's json.dumps() of such an extra would write
 * every copy out: 9 levels of 9 aliases stand for 9^9 strings.
 */
static void
test_yaml_alias_caps(void **state)
{
	struct transfer_set set;
	struct err e;
	struct buf b;
	char c;
	int i;

	(void)state;
	/* the "billion laughs": a few hundred bytes */
	buf_init(&b, 0);
	buf_adds(&b, "x:\n  conn_type: http\n  extra:\n"
	    "    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
	for (c = 'b'; c <= 'i'; c++) {
		buf_addf(&b, "    %c: &%c [", c, c);
		for (i = 0; i < 9; i++)
			buf_addf(&b, "%s*%c", i ? ", " : "", c - 1);
		buf_adds(&b, "]\n");
	}
	assert_int_equal(buf_check(&b, &e), 0);
	assert_true(b.len < 600);
	expect_import_error("c.yaml", buf_str(&b), "the document's aliases "
	    "expand to more than 1000000 values or 64 MiB of text", "c.yaml:");
	buf_release(&b);

	/* more than 100,000 aliases, each of a single value */
	buf_init(&b, 0);
	buf_adds(&b, "x:\n  conn_type: http\n  extra:\n    v: &v 1\n    l: [*v");
	for (i = 0; i < 100000; i++)
		buf_adds(&b, ",*v");
	buf_adds(&b, "]\n");
	assert_int_equal(buf_check(&b, &e), 0);
	expect_import_error("c.yaml", buf_str(&b), "the document has more than "
	    "100000 aliases", "c.yaml:5:");
	buf_release(&b);

	/* few aliases of a long text: 65 times 1 MiB */
	buf_init(&b, 0);
	buf_adds(&b, "x:\n  conn_type: http\n  extra:\n    v: &v ");
	for (i = 0; i < (1 << 20); i++)
		buf_addc(&b, 'x');
	buf_adds(&b, "\n    l: [*v");
	for (i = 0; i < 64; i++)
		buf_adds(&b, ",*v");
	buf_adds(&b, "]\n");
	assert_int_equal(buf_check(&b, &e), 0);
	expect_import_error("c.yaml", buf_str(&b), "or 64 MiB of text",
	    "c.yaml:5:");
	buf_release(&b);

	/* within the caps aliases work: 20,000 connections merge defaults */
	buf_init(&b, 0);
	buf_adds(&b, "base: &d {conn_type: postgres, host: db, port: 5432}\n");
	for (i = 0; i < 20000; i++)
		buf_addf(&b, "c%d: {<<: *d, login: u%d}\n", i, i);
	assert_int_equal(buf_check(&b, &e), 0);
	assert_int_equal(import_text("c.yaml", buf_str(&b), &v_new, &set, &e),
	    0);
	assert_int_equal(set.n, 20001);
	assert_string_equal(expect_one(&set, "c19999")->conn_type, "postgres");
	assert_string_equal(expect_one(&set, "c19999")->login, "u19999");
	assert_int_equal(expect_one(&set, "c19999")->port, 5432);
	transfer_set_free(&set);
	buf_release(&b);
}

/*
 * Only a regular file of at most 64 MiB is imported: a FIFO (which would
 * block), a directory and a larger file get one line each, at once.
 */
static void
test_import_file_kinds(void **state)
{
	struct transfer_set set;
	struct err e;
	char *dir = tu_tmpdir(), *p, *want;
	FILE *f;

	(void)state;
	assert_true(asprintf(&p, "%s/fifo.json", dir) > 0);
	assert_int_equal(mkfifo(p, 0600), 0);
	err_clear(&e);
	assert_int_equal(transfer_read(p, &v_new, &set, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_true(asprintf(&want, "cannot read connections file '%s': is a "
	    "FIFO, not a regular file", p) > 0);
	assert_string_equal(e.msg, want);
	free(want);
	free(p);

	assert_true(asprintf(&p, "%s/dir.yaml", dir) > 0);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(transfer_read(p, &v_new, &set, &e), -1);
	assert_true(asprintf(&want, "cannot read connections file '%s': Is a "
	    "directory", p) > 0);
	assert_string_equal(e.msg, want);
	free(want);
	free(p);

	/* one byte over 64 MiB, sparse */
	assert_true(asprintf(&p, "%s/big.env", dir) > 0);
	assert_non_null(f = fopen(p, "w"));
	assert_int_equal(ftruncate(fileno(f), ((off_t)64 << 20) + 1), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(transfer_read(p, &v_new, &set, &e), -1);
	assert_true(asprintf(&want, "cannot read connections file '%s': larger "
	    "than 64 MiB", p) > 0);
	assert_string_equal(e.msg, want);
	assert_int_equal(set.n, 0);
	free(want);
	free(p);
	tu_tmpdir_remove(dir);
}

/* -- variables ---------------------------------------------------------- */

/*
 * transfer_read_vars() of text as a file called name: 0 with *json the
 * object as json.dumps(ensure_ascii=False) writes it, or -1 with e set.
 */
static int
read_vars(const char *name, const char *text, size_t len, struct buf *json,
    struct err *e)
{
	static const struct pyjson_opts one_line = { -1, 0, 0 };
	cJSON *obj = NULL;
	int rc;

	err_clear(e);
	buf_reset(json);
	rc = transfer_read_vars(name, text, len, &obj, e);
	if (rc == 0) {
		assert_int_equal(pyjson_dumps(obj, &one_line, json, e), 0);
		assert_int_equal(buf_check(json, e), 0);
	}
	pyjson_free(obj);
	return rc;
}

/*
 * load_variables() of Airflow 3.1 (airflow-core/src/airflow/secrets/
 * local_filesystem.py:239-265 at 1579160). The objects wanted are
 * json.dumps() of what Python 3 with PyYAML 6 gives for the same text:
 * env lines as str.splitlines() cuts them, every value a str; yaml merge
 * keys, YAML 1.1 scalars ("1e3" a str, 0x1F an int, .inf a float written
 * Infinity); "-" read as json; the extension case-blind (.lower()).
 */
static void
test_read_vars(void **state)
{
	static const char env[] = "A=1\r\nB=x=y\r  # c\nC= 3 \xe2\x80\xa8" "D=4";
	static const char yml[] = "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n"
	    "f: 1e3\ng: .inf\nh: 0x1F\ni: !!str 12\n";
	struct buf json;
	struct err e;

	(void)state;
	buf_init(&json, 1);
	assert_int_equal(read_vars("v.env", env, sizeof env - 1, &json, &e), 0);
	assert_string_equal(buf_str(&json),
	    "{\"A\": \"1\", \"B\": \"x=y\", \"C\": \" 3 \", \"D\": \"4\"}");
	assert_int_equal(read_vars("v.YML", yml, sizeof yml - 1, &json, &e), 0);
	assert_string_equal(buf_str(&json), "{\"base\": {\"x\": 1}, \"m\": "
	    "{\"x\": 1, \"y\": 2}, \"f\": \"1e3\", \"g\": Infinity, \"h\": 31, "
	    "\"i\": \"12\"}");
	assert_int_equal(read_vars("-", "{\"a\": [1], \"a\": \"2\"}", 20, &json,
	    &e), 0);
	assert_string_equal(buf_str(&json), "{\"a\": \"2\"}");
	assert_int_equal(read_vars("v.env", "", 0, &json, &e), 0);
	assert_string_equal(buf_str(&json), "{}");

	/* VariableNotUnique: every key given twice, in first-seen order */
	assert_int_equal(read_vars("d.env", "b=1\na=2\nb=3\na=4\nc=5\n", 20,
	    &json, &e), -1);
	assert_string_equal(e.msg, "The \"d.env\" file contains multiple "
	    "values for keys: ['b', 'a']");
	/* no value of the file in a message */
	assert_int_equal(read_vars("k.env", "ok=S3CRET\n=S3CRET\n", 18, &json,
	    &e), -1);
	assert_string_equal(e.msg, "k.env:2: Invalid line format. Key is "
	    "empty.");
	assert_int_equal(read_vars("n.yaml", "a: S3CRET\nb: x\0y\n", 17,
	    &json, &e), -1);
	assert_non_null(strstr(e.msg, "n.yaml:2: the file holds a NUL byte"));
	assert_int_equal(read_vars("u.json", "{\"a\": \"\xff\"}", 10, &json,
	    &e), -1);
	assert_non_null(strstr(e.msg, "u.json:1: the file is not valid UTF-8"));
	assert_int_equal(read_vars("v.txt", "{}", 2, &json, &e), -1);
	assert_string_equal(e.msg, "Unsupported file format. The file must "
	    "have one of the following extensions: .env .json .yaml .yml");
	assert_int_equal(read_vars("b.yaml", "a: !!binary aGk=\n", 17, &json,
	    &e), -1);
	assert_string_equal(e.msg, "b.yaml:1: Object of type bytes is not "
	    "JSON serializable");
	buf_release(&json);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export_json_bytes),
		cmocka_unit_test(test_export_yaml_bytes),
		cmocka_unit_test(test_export_env_bytes),
		cmocka_unit_test(test_export_yaml_order),
		cmocka_unit_test(test_export_write_error),
		cmocka_unit_test(test_writer_rejects_json_serialization),
		cmocka_unit_test(test_round_trip_json),
		cmocka_unit_test(test_round_trip_yaml),
		cmocka_unit_test(test_round_trip_env),
		cmocka_unit_test(test_pick_format),
		cmocka_unit_test(test_import_env),
		cmocka_unit_test(test_import_json),
		cmocka_unit_test(test_import_yaml),
		cmocka_unit_test(test_import_extension_by_version),
		cmocka_unit_test(test_import_extra_validation),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_bad_extension),
		cmocka_unit_test(test_bad_env),
		cmocka_unit_test(test_env_210),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_bad_json_210_keys),
		cmocka_unit_test(test_bad_yaml),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_yaml_alias_caps),
		cmocka_unit_test(test_import_file_kinds),
		cmocka_unit_test(test_read_vars),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
