/*
 * transfer_tool.c: a tiny driver for tests/transfer_oracle.sh. It reads
 * connections as JSON lines on stdin, one object per line with the fields
 * of struct conn (conn_id, conn_type, description, host, schema, login,
 * password, port, extra; a missing field or null is None; a \u0000 in
 * the password is the byte 0, conn.h's password_len), and writes them
 * with the transfer writer to stdout:
 *
 *   transfer_tool json|yaml|env-uri|env-json [MAJOR.MINOR.PATCH]
 *
 * The optional version selects get_uri()'s rules (default: unknown, the
 * newest). Exit 0, or 1 with a message on stderr.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "buf.h"
#include "conn.h"
#include "pyjson.h"
#include "transfer.h"

/* Set a string field from a JSON member (missing or null is NULL). */
static int
set_field(struct conn *c, char **field, const cJSON *obj, const char *name,
    struct err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (v == NULL || cJSON_IsNull(v))
		return conn_set_str(c, field, NULL, e);
	if (!cJSON_IsString(v)) {
		err_set(e, ERR_INVALID, "field %s is not a string", name);
		return -1;
	}
	return conn_set_str(c, field, v->valuestring, e);
}

/* The password of line, read as json.loads reads it: NUL bytes kept. */
static int
set_password(struct conn *c, const char *line, struct err *e)
{
	cJSON *obj = pyjson_loads_kept(line, strlen(line));
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "password");
	struct buf raw;
	int rc = -1;

	buf_init(&raw, 1);
	if (!cJSON_IsString(v))
		rc = conn_set_str(c, &c->password, NULL, e);
	else if (pyjson_kept_utf8(v->valuestring, 0, &raw) == 0 &&
	    buf_check(&raw, e) == 0)
		rc = conn_set(c, &c->password, raw.len > 0 ? raw.p : "",
		    raw.len, e);
	else
		err_set(e, ERR_INVALID, "the password is not UTF-8");
	buf_release(&raw);
	pyjson_free(obj);
	return rc;
}

static int
conn_from_line(struct conn *c, const char *line, struct err *e)
{
	cJSON *obj = cJSON_Parse(line);
	const cJSON *port;
	int rc = -1;

	if (obj == NULL || !cJSON_IsObject(obj)) {
		err_set(e, ERR_INVALID, "a line is not a JSON object");
		goto out;
	}
	if (set_field(c, &c->conn_id, obj, "conn_id", e) != 0 ||
	    set_field(c, &c->conn_type, obj, "conn_type", e) != 0 ||
	    set_field(c, &c->description, obj, "description", e) != 0 ||
	    set_field(c, &c->host, obj, "host", e) != 0 ||
	    set_field(c, &c->schema, obj, "schema", e) != 0 ||
	    set_field(c, &c->login, obj, "login", e) != 0 ||
	    set_password(c, line, e) != 0 ||
	    set_field(c, &c->extra, obj, "extra", e) != 0)
		goto out;
	port = cJSON_GetObjectItemCaseSensitive(obj, "port");
	if (port != NULL && cJSON_IsNumber(port)) {
		c->has_port = 1;
		c->port = (long)port->valuedouble;
	}
	rc = 0;
out:
	cJSON_Delete(obj);
	return rc;
}

int
main(int argc, char **argv)
{
	struct airflow_version v = { 0, 0, 0 };
	struct transfer_writer *w = NULL;
	enum transfer_format fmt;
	enum transfer_serialization ser = TRANSFER_SER_URI;
	struct conn *c = NULL;
	struct err e;
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	int rc = 1;

	err_clear(&e);
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: transfer_tool json|yaml|env-uri|env-json "
		    "[version]\n");
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "transfer_tool: sodium_init failed\n");
		return 1;
	}
	if (strcmp(argv[1], "json") == 0) {
		fmt = TRANSFER_JSON;
	} else if (strcmp(argv[1], "yaml") == 0) {
		fmt = TRANSFER_YAML;
	} else if (strcmp(argv[1], "env-uri") == 0) {
		fmt = TRANSFER_ENV;
	} else if (strcmp(argv[1], "env-json") == 0) {
		fmt = TRANSFER_ENV;
		ser = TRANSFER_SER_JSON;
	} else {
		fprintf(stderr, "transfer_tool: unknown format %s\n", argv[1]);
		return 2;
	}
	if (argc == 3 && sscanf(argv[2], "%d.%d.%d", &v.major, &v.minor,
	    &v.patch) != 3) {
		fprintf(stderr, "transfer_tool: bad version %s\n", argv[2]);
		return 2;
	}
	if ((c = conn_new()) == NULL ||
	    transfer_writer_new(&w, stdout, fmt, ser, &v, &e) != 0)
		goto out;
	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (len == 1 && line[0] == '\n')
			continue;
		conn_reset(c);
		if (conn_from_line(c, line, &e) != 0 ||
		    transfer_writer_add(w, c, &e) != 0)
			goto out;
	}
	if (transfer_writer_finish(w, &n, &e) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "transfer_tool: %s\n",
		    e.code != ERR_NONE ? e.msg : "out of memory");
	transfer_writer_free(w);
	conn_free(c);
	free(line);
	return rc;
}
