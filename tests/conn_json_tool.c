/*
 * conn_json_tool.c: a tiny driver for tests/conn_json_oracle.sh. Each
 * line of stdin is one --conn-json text; for each, conn_parse_json()
 * runs on an empty record and one line goes to stdout:
 *
 *   ok {"conn_type": ..., "description": ..., "host": ..., "login": ...,
 *       "password": ..., "schema": ..., "port": ..., "extra": ...}
 *   error MESSAGE
 *
 * the object written by pyjson_dumps (None for an unset field, the port
 * as an int, the extra as the text that would be stored), so that the
 * script can compare it with what Python's json.dumps writes for the
 * values Airflow's Connection.from_json produces. Exit 0, or 1 when
 * memory ran out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "conn.h"
#include "core.h"
#include "pyjson.h"

static cJSON *
str_or_null(const char *s)
{
	return s != NULL ? cJSON_CreateString(s) : cJSON_CreateNull();
}

/* The ok line of one parsed record, appended to out. */
static int
record_line(const struct conn *c, struct buf *out, struct err *e)
{
	struct pyjson_opts po = { -1, 0, 1 };
	cJSON *o = cJSON_CreateObject();
	int rc;

	if (o == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	cJSON_AddItemToObject(o, "conn_type", str_or_null(c->conn_type));
	cJSON_AddItemToObject(o, "description", str_or_null(c->description));
	cJSON_AddItemToObject(o, "host", str_or_null(c->host));
	cJSON_AddItemToObject(o, "login", str_or_null(c->login));
	cJSON_AddItemToObject(o, "password", str_or_null(c->password));
	cJSON_AddItemToObject(o, "schema", str_or_null(c->schema));
	cJSON_AddItemToObject(o, "port", c->has_port ?
	    pyjson_create_int(c->port) : cJSON_CreateNull());
	cJSON_AddItemToObject(o, "extra", str_or_null(c->extra));
	buf_adds(out, "ok ");
	rc = pyjson_dumps(o, &po, out, e);
	pyjson_free(o);
	return rc;
}

int
main(void)
{
	struct conn *c = NULL;
	struct buf out;
	struct err e;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 1;

	err_clear(&e);
	buf_init(&out, 1);
	if (core_init(&e) != 0 || (c = conn_new()) == NULL)
		goto out;
	while ((len = getline(&line, &cap, stdin)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		conn_clear(c);
		buf_reset(&out);
		err_clear(&e);
		if (conn_parse_json(c, line, &e) != 0) {
			if (e.code == ERR_NOMEM)
				goto out;
			buf_addf(&out, "error %s", e.msg);
		} else if (record_line(c, &out, &e) != 0) {
			goto out;
		}
		if (buf_check(&out, &e) != 0)
			goto out;
		printf("%s\n", buf_str(&out));
	}
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	if (rc != 0 && e.code != ERR_NONE)
		fprintf(stderr, "conn_json_tool: %s\n", e.msg);
	free(line);
	buf_release(&out);
	conn_free(c);
	return rc;
}
