/*
 * transfer.c: the files of `connections export` and `connections import`,
 * byte for byte as Airflow writes and reads them (see transfer.h and
 * doc/airflow-compat.md section 5).
 *
 * Export streams: the json and env writers format one connection at a time
 * into a locked buffer (strings through pyjson_dump_str, so the text is
 * Python's json.dumps) and write it out. The yaml writer hands Airflow's
 * dict of each connection, keys sorted as PyYAML sorts them, to the
 * emitter that pyyaml.c sets up as CSafeDumper.
 *
 * Import reads the whole file into locked memory and follows
 * airflow/secrets/local_filesystem.py (apache/airflow commit c873bd5:
 * _parse_env_file() at line 56, the split at 81; _create_connection() at
 * 189): env lines split at the first '='
 * (lines as Python's str.splitlines() cuts them), json through
 * pyjson_loads() (Python's json.loads over cJSON), yaml through pyyaml.c
 * (what CSafeLoader makes of libyaml's events). The values become a tree
 * (transfer_tree.c); each then goes through _create_connection(): a
 * string is a URI, a mapping goes through Connection(**value). A variables
 * file (transfer_read_vars()) goes through the same parsers into a JSON
 * object instead, as load_variables() takes it.
 *
 * Secrets: file contents, formatted text and decoded values stay in locked
 * memory or are wiped before they are freed, with two exceptions that are
 * libyaml's: its emitter and parser copy scalars into events they free
 * themselves without wiping (pyyaml.c wipes their I/O buffers).
 */
#include "config.h"

#include "transfer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "pyjson.h"
#include "pyyaml.h"
#include "transfer_int.h"
#include "uri.h"
#include "utf8.h"

/* The largest import file read (locked memory holds all of it). */
#define TRANSFER_MAX_FILE	((size_t)64 << 20)	/* README, Limits */

static const char export_ext_msg[] = "Unsupported file format. The file "
    "must have the extension .yaml, .json, .env.";
static const char import_ext_msg[] = "Unsupported file format. The file "
    "must have one of the following extensions: .env .json .yaml .yml";
static const char ser_only_env_msg[] = "Option `--serialization-format` may "
    "only be used with file type `env`.";

/* -- choosing the format ------------------------------------------------- */

/*
 * pathlib's PurePath(path).suffix: from the last '.' of the last component,
 * "" when there is none, when the name starts with it (".env") or ends
 * with it.
 */
static void
path_suffix(const char *path, const char **suf, size_t *len)
{
	size_t end = strlen(path), start, dot;

	while (end > 1 && path[end - 1] == '/')
		end--;
	for (start = end; start > 0 && path[start - 1] != '/'; start--)
		;
	*suf = "";
	*len = 0;
	for (dot = end; dot > start; dot--)
		if (path[dot - 1] == '.')
			break;
	if (dot == start)
		return;
	dot--;
	if (dot > start && dot < end - 1) {
		*suf = path + dot;
		*len = end - dot;
	}
}

/* Is s (len bytes) word, ignoring ASCII case? */
static int
word_eq(const char *s, size_t len, const char *word)
{
	size_t i;

	if (len != strlen(word))
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return 0;
	}
	return 1;
}

/*
 * The extension local_filesystem.py reads: Airflow 2 takes what follows
 * the last '.' of the whole path (file_path.rsplit(".", 2)[-1]), Airflow 3
 * the suffix of the last component without its dot. -1 if unsupported.
 */
static int
import_format(const char *path, const struct airflow_version *v,
    enum transfer_format *fmt)
{
	const char *ext;
	size_t len;

	if (v != NULL && v->major != 0 && v->major < 3) {
		const char *dot = strrchr(path, '.');

		ext = dot != NULL ? dot + 1 : path;
		len = strlen(ext);
	} else {
		path_suffix(path, &ext, &len);
		if (len > 0) {
			ext++;
			len--;
		}
	}
	if (word_eq(ext, len, "env"))
		*fmt = TRANSFER_ENV;
	else if (word_eq(ext, len, "json"))
		*fmt = TRANSFER_JSON;
	else if (word_eq(ext, len, "yaml") || word_eq(ext, len, "yml"))
		*fmt = TRANSFER_YAML;
	else
		return -1;
	return 0;
}

int
transfer_pick_format(const char *path, const char *explicit_format,
    const char *serialization, int for_import, enum transfer_format *fmt,
    enum transfer_serialization *ser, struct err *e)
{
	const char *suf;
	size_t len;

	*ser = TRANSFER_SER_URI;
	if (for_import) {
		if (explicit_format != NULL || serialization != NULL) {
			err_set(e, ERR_USAGE, "connections import takes neither "
			    "--file-format nor --serialization-format");
			return -1;
		}
		if (import_format(path, NULL, fmt) != 0) {
			err_set(e, ERR_USAGE, "%s", import_ext_msg);
			return -1;
		}
		return 0;
	}
	/* argparse's choices come first, as Airflow's parser checks them. */
	if (serialization != NULL && strcmp(serialization, "json") != 0 &&
	    strcmp(serialization, "uri") != 0) {
		err_set(e, ERR_USAGE, "argument --serialization-format: invalid "
		    "choice: '%s' (choose from 'json', 'uri')", serialization);
		return -1;
	}
	if (explicit_format != NULL && strcmp(explicit_format, "json") != 0 &&
	    strcmp(explicit_format, "yaml") != 0 &&
	    strcmp(explicit_format, "env") != 0) {
		err_set(e, ERR_USAGE, "argument --file-format: invalid choice: "
		    "'%s' (choose from 'json', 'yaml', 'env')", explicit_format);
		return -1;
	}
	if (explicit_format != NULL) {
		suf = explicit_format;
		len = strlen(suf);
	} else if (strcmp(path, "-") == 0) {
		suf = "json";
		len = 4;
	} else {
		path_suffix(path, &suf, &len);
		if (len > 0) {
			suf++;
			len--;
		}
	}
	if (word_eq(suf, len, "json")) {
		*fmt = TRANSFER_JSON;
	} else if (word_eq(suf, len, "yaml")) {
		*fmt = TRANSFER_YAML;
	} else if (word_eq(suf, len, "env")) {
		*fmt = TRANSFER_ENV;
	} else {
		err_set(e, ERR_USAGE, "%s", export_ext_msg);
		return -1;
	}
	if (serialization != NULL && *fmt != TRANSFER_ENV) {
		err_set(e, ERR_USAGE, "%s", ser_only_env_msg);
		return -1;
	}
	if (serialization != NULL && strcmp(serialization, "json") == 0)
		*ser = TRANSFER_SER_JSON;
	return 0;
}

/* -- export -------------------------------------------------------------- */

/* A str of len bytes (a NUL written \u0000) for json.dumps, or null. */
static void
json_bytes_or_null(struct buf *b, const char *s, size_t len)
{
	if (s == NULL)
		buf_adds(b, "null");
	else
		pyjson_dump_str(b, s, len, 1);
}

/* A str for json.dumps, or null. */
static void
json_str_or_null(struct buf *b, const char *s)
{
	json_bytes_or_null(b, s, s != NULL ? strlen(s) : 0);
}

/*
 * _connection_to_dict(c) as json.dumps writes it: on one line (indent None,
 * separators ", " and ": "), or nested one level deep in indent=2 output.
 */
static void
dict_text(struct buf *b, const struct conn *c, int nested)
{
	const char *sep = nested ? ",\n    " : ", ";

	buf_adds(b, nested ? "{\n    " : "{");
	buf_adds(b, "\"conn_type\": ");
	json_str_or_null(b, c->conn_type);
	buf_adds(b, sep);
	buf_adds(b, "\"description\": ");
	json_str_or_null(b, c->description);
	buf_adds(b, sep);
	buf_adds(b, "\"login\": ");
	json_str_or_null(b, c->login);
	buf_adds(b, sep);
	buf_adds(b, "\"password\": ");
	json_bytes_or_null(b, c->password, c->password_len);
	buf_adds(b, sep);
	buf_adds(b, "\"host\": ");
	json_str_or_null(b, c->host);
	buf_adds(b, sep);
	buf_adds(b, "\"port\": ");
	if (c->has_port)
		buf_addf(b, "%ld", c->port);
	else
		buf_adds(b, "null");
	buf_adds(b, sep);
	buf_adds(b, "\"schema\": ");
	json_str_or_null(b, c->schema);
	buf_adds(b, sep);
	buf_adds(b, "\"extra\": ");
	json_str_or_null(b, c->extra);
	buf_adds(b, nested ? "\n  }" : "}");
}

/* Write what the buffer holds and empty it (wiped). */
static int
flush_out(struct transfer_writer *w, struct err *e)
{
	if (buf_check(&w->out, e) != 0)
		return -1;
	if (w->out.len > 0 &&
	    fwrite(w->out.p, 1, w->out.len, w->f) != w->out.len) {
		err_set(e, ERR_IO, "cannot write the export: %s",
		    strerror(errno ? errno : EIO));
		buf_reset(&w->out);
		return -1;
	}
	buf_reset(&w->out);
	return 0;
}

/* key: value for one str field of c. */
static int
emit_field(struct transfer_writer *w, const char *key, const char *value,
    const struct conn *c, struct err *e)
{
	if (pyyaml_emit_str(w, key, "a key", c, e) != 0)
		return -1;
	return pyyaml_emit_str(w, value, key, c, e);
}

/* One connection: conn_id: {sorted keys}, as yaml.dump writes it. */
static int
yaml_add(struct transfer_writer *w, const struct conn *c, struct err *e)
{
	yaml_event_t ev;
	char port[32];

	if (w->last_id != NULL && strcmp(w->last_id, c->conn_id) >= 0) {
		err_set(e, ERR_INVALID, "cannot write the export as YAML: "
		    "connection '%s' comes after '%s'; connections must come "
		    "in conn_id order", c->conn_id, w->last_id);
		return -1;
	}
	free(w->last_id);
	if ((w->last_id = strdup(c->conn_id)) == NULL) {
		err_nomem(e);
		return -1;
	}
	if (pyyaml_emit_str(w, c->conn_id, "the conn_id", c, e) != 0 ||
	    pyyaml_emit_simple(w, yaml_mapping_start_event_initialize(&ev, NULL,
	    (const yaml_char_t *)TAG_MAP, 1, YAML_BLOCK_MAPPING_STYLE), &ev,
	    e) != 0)
		return -1;
	/* PyYAML sorts the keys (code point order). */
	if (emit_field(w, "conn_type", c->conn_type, c, e) != 0 ||
	    emit_field(w, "description", c->description, c, e) != 0 ||
	    emit_field(w, "extra", c->extra, c, e) != 0 ||
	    emit_field(w, "host", c->host, c, e) != 0 ||
	    emit_field(w, "login", c->login, c, e) != 0 ||
	    pyyaml_emit_str(w, "password", "a key", c, e) != 0 ||
	    pyyaml_emit_bytes(w, c->password, c->password_len, "password", c,
	    e) != 0)
		return -1;
	if (c->has_port) {
		snprintf(port, sizeof port, "%ld", c->port);
		if (pyyaml_emit_str(w, "port", "a key", c, e) != 0 ||
		    pyyaml_emit_scalar(w, TAG_INT, port, strlen(port), 1, 0, "port",
		    c, e) != 0)
			return -1;
	} else if (emit_field(w, "port", NULL, c, e) != 0) {
		return -1;
	}
	if (emit_field(w, "schema", c->schema, c, e) != 0)
		return -1;
	return pyyaml_emit_simple(w, yaml_mapping_end_event_initialize(&ev), &ev, e);
}

int
transfer_writer_new(struct transfer_writer **out, FILE *f,
    enum transfer_format fmt, enum transfer_serialization ser,
    const struct airflow_version *v, struct err *e)
{
	struct transfer_writer *w = NULL;

	*out = NULL;
	if (ser == TRANSFER_SER_JSON && fmt != TRANSFER_ENV) {
		err_set(e, ERR_USAGE, "%s", ser_only_env_msg);
		return -1;
	}
	if ((w = calloc(1, sizeof *w)) == NULL) {
		err_nomem(e);
		return -1;
	}
	w->f = f;
	w->fmt = fmt;
	w->ser = ser;
	if (v != NULL)
		w->v = *v;
	buf_init(&w->out, 1);
	if (fmt == TRANSFER_YAML && pyyaml_emit_start(w, e) != 0) {
		transfer_writer_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

int
transfer_writer_add(struct transfer_writer *w, const struct conn *c,
    struct err *e)
{
	int rc = -1;

	if (w->failed) {
		err_set(e, ERR_INVALID, "the export already failed");
		return -1;
	}
	if (c->conn_id == NULL) {
		err_set(e, ERR_INVALID, "cannot export a connection without "
		    "a conn_id");
		return -1;
	}
	/* Python could not read it: conn_check_utf8(). */
	if (conn_check_utf8(c, "export", e) != 0) {
		w->failed = 1;
		return -1;
	}
	switch (w->fmt) {
	case TRANSFER_JSON:
		buf_adds(&w->out, w->n == 0 ? "{\n  " : ",\n  ");
		pyjson_dump_str(&w->out, c->conn_id, strlen(c->conn_id), 1);
		buf_adds(&w->out, ": ");
		dict_text(&w->out, c, 1);
		rc = flush_out(w, e);
		break;
	case TRANSFER_ENV:
		buf_adds(&w->out, c->conn_id);
		buf_addc(&w->out, '=');
		if (w->ser == TRANSFER_SER_JSON) {
			dict_text(&w->out, c, 0);
		} else if (uri_format(c, &w->v, &w->out, e) != 0) {
			err_prefix(e, "cannot export connection '%s'",
			    c->conn_id);
			buf_reset(&w->out);
			break;
		}
		buf_addc(&w->out, '\n');
		rc = flush_out(w, e);
		break;
	case TRANSFER_YAML:
		rc = yaml_add(w, c, e);
		break;
	}
	if (rc != 0) {
		w->failed = 1;
		return -1;
	}
	w->n++;
	return 0;
}

int
transfer_writer_finish(struct transfer_writer *w, size_t *n, struct err *e)
{
	if (w->failed) {
		err_set(e, ERR_INVALID, "the export already failed");
		return -1;
	}
	switch (w->fmt) {
	case TRANSFER_JSON:
		buf_adds(&w->out, w->n == 0 ? "{}" : "\n}");
		if (flush_out(w, e) != 0)
			goto fail;
		break;
	case TRANSFER_ENV:
		break;
	case TRANSFER_YAML:
		if (pyyaml_emit_finish(w, e) != 0)
			goto fail;
		break;
	}
	if (fflush(w->f) != 0 || ferror(w->f)) {
		err_set(e, ERR_IO, "cannot write the export: %s",
		    strerror(errno ? errno : EIO));
		goto fail;
	}
	if (n != NULL)
		*n = w->n;
	return 0;
fail:
	w->failed = 1;
	return -1;
}

void
transfer_writer_free(struct transfer_writer *w)
{
	if (w == NULL)
		return;
	if (w->em_ready) {
		/* The emitter's buffers held the text, passwords included. */
		if (w->em.buffer.start != NULL)
			sodium_memzero(w->em.buffer.start,
			    (size_t)(w->em.buffer.end - w->em.buffer.start));
		if (w->em.raw_buffer.start != NULL)
			sodium_memzero(w->em.raw_buffer.start,
			    (size_t)(w->em.raw_buffer.end -
			    w->em.raw_buffer.start));
		yaml_emitter_delete(&w->em);
	}
	if (w->res_ready)
		pyyaml_resolver_release(&w->res);
	free(w->last_id);
	buf_release(&w->out);
	free(w);
}

/* -- import: building a connection --------------------------------------- */

enum ckey {
	K_CONN_ID,
	K_CONN_TYPE,
	K_DESCRIPTION,
	K_HOST,
	K_LOGIN,
	K_PASSWORD,
	K_SCHEMA,
	K_PORT,
	K_EXTRA,
	K_URI,
	K_EXTRA_DEJSON,
	K_TEAM_NAME,
	K__N,
};

/* In sorted order, for the message that lists them. */
static const char *const ckey_names[K__N] = {
	[K_CONN_ID] = "conn_id",
	[K_CONN_TYPE] = "conn_type",
	[K_DESCRIPTION] = "description",
	[K_HOST] = "host",
	[K_LOGIN] = "login",
	[K_PASSWORD] = "password",
	[K_SCHEMA] = "schema",
	[K_PORT] = "port",
	[K_EXTRA] = "extra",
	[K_URI] = "uri",
	[K_EXTRA_DEJSON] = "extra_dejson",
	[K_TEAM_NAME] = "team_name",
};

/* Airflow 3.2 added team_name to Connection(); unknown means newest. */
static int
has_team_name(const struct airflow_version *v)
{
	return v->major == 0 || airflow_version_at_least(v, 3, 2, 0);
}

/* Airflow 3 refuses an extra that is not a JSON object; unknown: newest. */
static int
checks_extra(const struct airflow_version *v)
{
	return v->major == 0 || v->major >= 3;
}

static int
key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * "The dictionary can only contain the following keys: {...}" lists
 * Python's set; the order of a set of str varies from run to run in
 * Python, so it is sorted here.
 */
static void
allowed_keys(const struct airflow_version *v, struct buf *b)
{
	const char *names[K__N];
	size_t i, n = 0;

	for (i = 0; i < K__N; i++)
		if (i != K_TEAM_NAME || has_team_name(v))
			names[n++] = ckey_names[i];
	qsort(names, n, sizeof names[0], key_cmp);
	buf_addc(b, '{');
	for (i = 0; i < n; i++)
		buf_addf(b, "%s'%s'", i ? ", " : "", names[i]);
	buf_addc(b, '}');
}

/* Set a str field from a value: str or None (Connection(**value)). */
/*
 * What a str value holds that a field cannot: PYJSON_NUL for a NUL (a yaml
 * "\0" is the byte itself; a json \u0000 is in pyjson's kept form),
 * PYJSON_SURROGATE for a lone surrogate (json only: pyjson_loads_kept()),
 * 0 for neither.
 */
static int
str_kept(const struct tnode *n)
{
	if (memchr(n->s, '\0', n->len) != NULL)
		return PYJSON_NUL;
	return pyjson_kept(n->s, n->len);
}

/* The refusal of a str that str_kept() flags, as the reader's error. */
static int
refuse_kept(struct reader *r, struct conn *c, const struct tnode *n,
    const char *what, struct err *e)
{
	struct err why;

	if (str_kept(n) & PYJSON_NUL)
		(void)conn_refuse_nul(what, &why);
	else
		(void)conn_refuse_surrogate(what, &why);
	transfer_reader_err(r, e, why.code, n->line, "could not load "
	    "connection '%s': %s", c->conn_id, why.msg);
	return -1;
}

/*
 * A password str holding a NUL, kept as Airflow keeps it (conn.h,
 * password_len): a yaml "\0" is the byte already, a json \u0000 is in
 * pyjson's kept form and becomes the byte.
 */
static int
set_password(struct conn *c, const struct tnode *n, struct err *e)
{
	struct buf raw;
	int rc = -1;

	if (memchr(n->s, '\0', n->len) != NULL)
		return conn_set(c, &c->password, n->s, n->len, e);
	buf_init(&raw, 1);
	if (pyjson_kept_utf8(n->s, 0, &raw) == 0 && buf_check(&raw, e) == 0)
		rc = conn_set(c, &c->password, raw.p, raw.len, e);
	buf_release(&raw);
	return rc;
}

static int
set_str_field(struct reader *r, struct conn *c, char **field,
    const struct tnode *n, enum ckey which, struct err *e)
{
	if (n == NULL || n->type == TN_NULL)
		return conn_set_str(c, field, NULL, e);
	if (n->type != TN_STR) {
		transfer_reader_err(r, e, ERR_INVALID, n->line, "could not load "
		    "connection '%s': `%s` must be a string or null, not %s",
		    c->conn_id, ckey_names[which], tnode_pytype(n));
		return -1;
	}
	if (field == &c->password && str_kept(n) == PYJSON_NUL)
		return set_password(c, n, e);
	if (str_kept(n) != 0) {
		char what[64];

		snprintf(what, sizeof what, "`%s`", ckey_names[which]);
		return refuse_kept(r, c, n, what, e);
	}
	return conn_set(c, field, n->s, n->len, e);
}

/* port through int(): int, a str of an int, a float (truncated), bool. */
static int
set_port(struct reader *r, struct conn *c, const struct tnode *n,
    struct err *e)
{
	long port = 0;
	int ok = 0;

	c->has_port = 0;
	c->port = 0;
	if (n == NULL || n->type == TN_NULL)
		return 0;
	switch (n->type) {
	case TN_INT:
		ok = n->i_ok;
#if LONG_MAX < LLONG_MAX
		ok = ok && n->i >= LONG_MIN && n->i <= LONG_MAX;
#endif
		port = (long)n->i;
		break;
	case TN_BOOL:
		ok = 1;
		port = n->b;
		break;
	case TN_FLOAT:
		/* int(5.9) is 5; NaN and infinities raise */
		ok = n->d == n->d && n->d > -9.2e18 && n->d < 9.2e18;
		if (ok)
			port = (long)n->d;
		break;
	case TN_STR:
		ok = str_kept(n) == 0 &&
		    conn_port_parse(n->s, n->len, &port) == 0;
		break;
	case TN_NULL:
	case TN_MAP:
	case TN_SEQ:
	case TN_OTHER:
	case TN_MERGE:
	case TN_VALUE:
		break;
	}
	if (!ok) {
		if (n->type == TN_STR)
			transfer_reader_err(r, e, ERR_INVALID, n->line, "could not load "
			    "connection '%s': Expected integer value for "
			    "`port`, but got '%.64s' instead.", c->conn_id,
			    n->s);
		else
			transfer_reader_err(r, e, ERR_INVALID, n->line, "could not load "
			    "connection '%s': Expected integer value for "
			    "`port`, but got a value of type %s instead.",
			    c->conn_id, tnode_pytype(n));
		return -1;
	}
	c->has_port = 1;
	c->port = port;
	return 0;
}

/* uri_parse() of a str value, with the reader's context on failure. */
static int
parse_uri(struct reader *r, struct conn *c, const struct tnode *n,
    struct err *e)
{
	if (n->type != TN_STR) {
		transfer_reader_err(r, e, ERR_INVALID, n->line, "could not load "
		    "connection '%s': `uri` must be a string, not %s",
		    c->conn_id, tnode_pytype(n));
		return -1;
	}
	if (str_kept(n) != 0)
		return refuse_kept(r, c, n, "the URI", e);
	if (uri_parse(n->s, &r->v, c, e) != 0) {
		if (n->line > 0)
			err_prefix(e, "%s:%zu: could not load connection '%s'",
			    r->path, n->line, c->conn_id);
		else
			err_prefix(e, "%s: could not load connection '%s'",
			    r->path, c->conn_id);
		return -1;
	}
	/*
	 * Connection._parse_from_uri() assigns extra only when the query is
	 * not empty (doc/airflow-compat.md section 5): a session.merge() of
	 * such a Connection keeps the stored extra.
	 */
	r->extra_unset = c->extra == NULL;
	return 0;
}

/*
 * _create_connection(conn_id, value) for a mapping: the allowed keys,
 * extra / extra_dejson, the conn_id check, then Connection(**value).
 */
static int
conn_from_dict(struct reader *r, struct conn *c, struct tnode *m,
    struct err *e)
{
	struct tnode *val[K__N] = { NULL };
	struct pairs p = { NULL, NULL, 0 };
	struct buf illegal, extra;
	const char *extra_s = NULL;
	size_t extra_len = 0, i, k;
	int has_extra = 0, rc = -1;

	buf_init(&illegal, 0);
	buf_init(&extra, 1);
	if (tnode_pairs(r, m, &p, e) != 0)
		goto out;
	for (i = 0; i < p.n; i++) {
		const struct tnode *key = p.k[i];

		for (k = 0; k < K__N; k++)
			if (key->type == TN_STR &&
			    (k != K_TEAM_NAME || has_team_name(&r->v)) &&
			    key->len == strlen(ckey_names[k]) &&
			    memcmp(key->s, ckey_names[k], key->len) == 0)
				break;
		if (k < K__N) {
			val[k] = p.v[i];
			continue;
		}
		if (illegal.len > 0)
			buf_adds(&illegal, ", ");
		if ((key->type == TN_STR || key->type == TN_INT) &&
		    key->s != NULL)
			buf_add(&illegal, key->s, key->len);
		else
			buf_addf(&illegal, "<%s>", tnode_pytype(key));
	}
	if (illegal.len > 0) {
		buf_adds(&illegal, ". The dictionary can only contain the "
		    "following keys: ");
		allowed_keys(&r->v, &illegal);
		if (buf_check(&illegal, e) != 0)
			goto out;
		transfer_reader_err(r, e, ERR_INVALID, m->line, "could not load "
		    "connection '%s': The object have illegal keys: %s",
		    c->conn_id, buf_str(&illegal));
		goto out;
	}
	if (val[K_EXTRA] != NULL && val[K_EXTRA_DEJSON] != NULL) {
		transfer_reader_err(r, e, ERR_INVALID, m->line, "could not load "
		    "connection '%s': The extra and extra_dejson parameters are "
		    "mutually exclusive. Please provide only one parameter.",
		    c->conn_id);
		goto out;
	}
	/* extra: a str as it is; json.dumps of anything else but None */
	if (val[K_EXTRA_DEJSON] != NULL) {
		if (tnode_dumps(r, val[K_EXTRA_DEJSON], &extra,
		    e) != 0)
			goto out;
		has_extra = 1;
	} else if (val[K_EXTRA] != NULL && val[K_EXTRA]->type == TN_STR) {
		/* a str extra is stored as it is: a field (json.dumps of
		 * any other value keeps both, as pyjson's kept form) */
		if (str_kept(val[K_EXTRA]) != 0) {
			(void)refuse_kept(r, c, val[K_EXTRA], "`extra`", e);
			goto out;
		}
		extra_s = val[K_EXTRA]->s;
		extra_len = val[K_EXTRA]->len;
		has_extra = 1;
	} else if (val[K_EXTRA] != NULL && val[K_EXTRA]->type != TN_NULL) {
		if (tnode_dumps(r, val[K_EXTRA], &extra,
		    e) != 0)
			goto out;
		has_extra = 1;
	}
	if (has_extra && extra_s == NULL) {
		extra_s = buf_str(&extra);
		extra_len = extra.len;
	}
	if (val[K_CONN_ID] != NULL && !(val[K_CONN_ID]->type == TN_STR &&
	    val[K_CONN_ID]->len == strlen(c->conn_id) &&
	    memcmp(val[K_CONN_ID]->s, c->conn_id, val[K_CONN_ID]->len) == 0)) {
		const struct tnode *n = val[K_CONN_ID];

		if ((n->type == TN_STR || n->type == TN_INT) && n->s != NULL)
			transfer_reader_err(r, e, ERR_INVALID, n->line, "Mismatch "
			    "conn_id. The dictionary key has the value: %.*s. "
			    "The item has the value: %s.",
			    (int)(n->len > 200 ? 200 : n->len), n->s,
			    c->conn_id);
		else
			transfer_reader_err(r, e, ERR_INVALID, n->line, "Mismatch "
			    "conn_id. The dictionary key has the value: %s. "
			    "The item has the value: %s.", n->type == TN_NULL ?
			    "None" : tnode_pytype(n), c->conn_id);
		goto out;
	}
	if (tnode_truthy(val[K_URI]) && (tnode_truthy(val[K_CONN_TYPE]) ||
	    tnode_truthy(val[K_HOST]) || tnode_truthy(val[K_LOGIN]) ||
	    tnode_truthy(val[K_PASSWORD]) || tnode_truthy(val[K_SCHEMA]) ||
	    tnode_truthy(val[K_PORT]) || (has_extra && extra_len > 0))) {
		transfer_reader_err(r, e, ERR_INVALID, m->line, "could not load "
		    "connection '%s': You must create an object using the URI "
		    "or individual values (conn_type, host, login, password, "
		    "schema, port or extra).You can't mix these two ways to "
		    "create this object.", c->conn_id);
		goto out;
	}
	if (set_str_field(r, c, &c->description, val[K_DESCRIPTION],
	    K_DESCRIPTION, e) != 0 ||
	    set_str_field(r, c, &c->team_name, val[K_TEAM_NAME], K_TEAM_NAME,
	    e) != 0)
		goto out;
	if (tnode_truthy(val[K_URI])) {
		if (parse_uri(r, c, val[K_URI], e) != 0)
			goto out;
	} else if (set_str_field(r, c, &c->conn_type, val[K_CONN_TYPE],
	    K_CONN_TYPE, e) != 0 ||
	    set_str_field(r, c, &c->host, val[K_HOST], K_HOST, e) != 0 ||
	    set_str_field(r, c, &c->login, val[K_LOGIN], K_LOGIN, e) != 0 ||
	    set_str_field(r, c, &c->password, val[K_PASSWORD], K_PASSWORD,
	    e) != 0 ||
	    set_str_field(r, c, &c->schema, val[K_SCHEMA], K_SCHEMA, e) != 0 ||
	    set_port(r, c, val[K_PORT], e) != 0 ||
	    conn_set(c, &c->extra, has_extra ? extra_s : NULL, extra_len,
	    e) != 0) {
		goto out;
	}
	rc = 0;
out:
	tnode_pairs_release(&p);
	buf_release(&illegal);
	buf_release(&extra);
	return rc;
}

static int
set_push(struct reader *r, struct conn *c, struct err *e)
{
	struct transfer_set *set = r->set;

	if (set->n == r->setcap) {
		size_t cap = r->setcap ? r->setcap * 2 : 16;
		struct conn **v = realloc(set->conns, cap * sizeof *v);
		unsigned char *u;

		if (v == NULL) {
			err_nomem(e);
			return -1;
		}
		set->conns = v;
		if ((u = realloc(set->extra_unset, cap)) == NULL) {
			err_nomem(e);
			return -1;
		}
		set->extra_unset = u;
		r->setcap = cap;
	}
	set->extra_unset[set->n] = (unsigned char)r->extra_unset;
	set->conns[set->n++] = c;
	return 0;
}

/*
 * _create_connection(conn_id, value): a str is a URI (an empty one gives
 * an empty connection, as Connection(uri="") does), a mapping goes through
 * conn_from_dict(). The record joins the set.
 */
static int
create_connection(struct reader *r, const char *id, size_t idlen,
    struct tnode *value, size_t line, struct err *e)
{
	struct conn *c = NULL;

	if (memchr(id, '\0', idlen) != NULL) {
		transfer_reader_err(r, e, ERR_INVALID, line, "a connection id holds a "
		    "NUL character");
		return -1;
	}
	if ((c = conn_new()) == NULL) {
		err_nomem(e);
		return -1;
	}
	if (conn_set(c, &c->conn_id, id, idlen, e) != 0)
		goto fail;
	r->extra_unset = 0;
	if (value->line == 0)
		value->line = line;
	if (value->type == TN_STR) {
		if (value->len > 0 && parse_uri(r, c, value, e) != 0)
			goto fail;
	} else if (value->type == TN_MAP) {
		if (conn_from_dict(r, c, value, e) != 0)
			goto fail;
	} else {
		transfer_reader_err(r, e, ERR_INVALID, value->line, "could not load "
		    "connection '%s': Unexpected value type: <class '%s'>. The "
		    "connection can only be defined using a string or object.",
		    c->conn_id, tnode_pytype(value));
		goto fail;
	}
	if (checks_extra(&r->v) && conn_validate_extra(c->conn_id, c->extra,
	    e) != 0) {
		if (value->line > 0)
			err_prefix(e, "%s:%zu", r->path, value->line);
		else
			err_prefix(e, "%s", r->path);
		goto fail;
	}
	if (set_push(r, c, e) != 0)
		goto fail;
	return 0;
fail:
	conn_free(c);
	return -1;
}

/*
 * One conn_id of a json or yaml file, as load_connections_dict() takes it:
 * a list is the older form, one value per conn_id (two or more are
 * ConnectionNotUnique, none is no connection); else the value itself.
 */
static int
create_entry(struct reader *r, const char *id, size_t idlen,
    struct tnode *value, size_t line, struct err *e)
{
	if (value->type != TN_SEQ)
		return create_connection(r, id, idlen, value, line, e);
	if (value->line == 0)
		value->line = line;
	if (value->nkids > 1) {
		transfer_reader_err(r, e, ERR_INVALID, value->line, "Found "
		    "multiple values for %.*s in %s.", (int)(idlen > 250 ? 250 :
		    idlen), id, r->path);
		return -1;
	}
	return value->nkids == 1 ? create_connection(r, id, idlen,
	    value->kids[0], value->line, e) : 0;
}

/* A top-level mapping: every key a str conn_id, the last value winning. */
int
transfer_create_from_map(struct reader *r, struct tnode *root, struct err *e)
{
	struct pairs p = { NULL, NULL, 0 };
	size_t i;
	int rc = -1;

	if (tnode_pairs(r, root, &p, e) != 0)
		return -1;
	for (i = 0; i < p.n; i++) {
		if (p.k[i]->type != TN_STR) {
			transfer_reader_err(r, e, ERR_INVALID, p.k[i]->line, "a "
			    "connection id must be a string, not %s",
			    tnode_pytype(p.k[i]));
			goto out;
		}
		if (create_entry(r, p.k[i]->s, p.k[i]->len, p.v[i],
		    p.k[i]->line, e) != 0)
			goto out;
	}
	rc = 0;
out:
	tnode_pairs_release(&p);
	return rc;
}

/* -- import: the file ---------------------------------------------------- */

/* 1-based line of byte off ('\n' counted). */
size_t
transfer_line_at(const char *text, size_t off)
{
	size_t i, line = 1;

	for (i = 0; i < off; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/* Read path into a locked buffer (a regular file of TRANSFER_MAX_FILE). */
static int
read_whole(struct reader *r, struct buf *out, struct err *e)
{
	/* "-": standard input, under the same limit as a file. */
	if (strcmp(r->path, "-") == 0)
		return buf_read_fd(out, STDIN_FILENO, "standard input",
		    TRANSFER_MAX_FILE, ERR_IO, e);
	return buf_read_file(out, r->path, "connections file",
	    TRANSFER_MAX_FILE, ERR_IO, NULL, e);
}

/*
 * The end of the line at p, and where the next one starts, as Python's
 * str.splitlines() cuts (\n, \r, \r\n, \v, \f, \x1c-\x1e, U+0085, U+2028,
 * U+2029; text is valid UTF-8).
 */
static const char *
line_end(const char *p, const char *end, const char **next)
{
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\n' || c == '\v' || c == '\f' ||
		    (c >= 0x1c && c <= 0x1e)) {
			*next = p + 1;
			return p;
		}
		if (c == '\r') {
			*next = p + 1 < end && p[1] == '\n' ? p + 2 : p + 1;
			return p;
		}
		if (c == 0xc2 && p + 1 < end && (unsigned char)p[1] == 0x85) {
			*next = p + 2;
			return p;
		}
		if (c == 0xe2 && p + 2 < end && (unsigned char)p[1] == 0x80 &&
		    ((unsigned char)p[2] == 0xa8 ||
		    (unsigned char)p[2] == 0xa9)) {
			*next = p + 3;
			return p;
		}
	}
	*next = end;
	return end;
}

struct env_entry {
	const char	*key, *val;	/* into the file's text */
	size_t		 klen, vlen;
	size_t		 line;
	size_t		 pos;		/* file order */
	size_t		 first;		/* pos of the first entry with key */
	size_t		 count;		/* entries with this key */
	size_t		 second_line;	/* line of the second one */
};

static int
env_cmp(const void *a, const void *b)
{
	const struct env_entry *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	if (x->klen != y->klen)
		return x->klen < y->klen ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
env_pos_cmp(const void *a, const void *b)
{
	const struct env_entry *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/*
 * _parse_env_file(): the entries of an env file, in file order, each with
 * how many times its key appears (first, count, second_line). Every
 * syntax error comes first: the first one is reported, with the count.
 * Airflow 2 (r->v.major 2) checks only the value, with the message "Key
 * is empty.", and takes an empty key, which the import then skips as a
 * bad conn_id; 3.x checks both. Free *out either way.
 */
static int
env_scan(struct reader *r, const char *text, size_t len,
    struct env_entry **out, size_t *nout, struct err *e)
{
	struct env_entry *ent = NULL;
	const char *p = text, *end = text + len, *eol, *next, *eq;
	const char *first_msg = NULL;
	size_t n = 0, cap = 0, line = 0, nerr = 0, first_line = 0, i, j, k;
	int legacy = r->v.major == 2;

	*out = NULL;
	*nout = 0;
	for (; p < end; p = next) {
		eol = line_end(p, end, &next);
		line++;
		if (eol == p)
			continue;	/* an empty line */
		for (eq = p; eq < eol && (*eq == ' ' || *eq == '\t'); eq++)
			;
		if (eq < eol && *eq == '#')
			continue;	/* COMMENT_PATTERN, \s*#.* */
		eq = memchr(p, '=', (size_t)(eol - p));
		if (eq == NULL || (eq == p && !legacy) || eq + 1 == eol) {
			if (nerr++ == 0) {
				first_line = line;
				first_msg = eq == NULL ? "Invalid line format. "
				    "The line should contain at least one "
				    "equal sign (\"=\")." : eq == p || legacy ?
				    "Invalid line format. Key is empty." :
				    "Invalid line format. Value is empty.";
			}
			continue;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct env_entry *v = realloc(ent, ncap * sizeof *v);

			if (v == NULL) {
				*out = ent;
				return err_nomem(e);
			}
			ent = v;
			cap = ncap;
		}
		ent[n].key = p;
		ent[n].klen = (size_t)(eq - p);
		ent[n].val = eq + 1;
		ent[n].vlen = (size_t)(eol - eq - 1);
		ent[n].line = line;
		ent[n].pos = n;
		n++;
	}
	*out = ent;
	if (nerr > 0) {
		if (nerr > 1)
			transfer_reader_err(r, e, ERR_INVALID, first_line, "%s (and %zu "
			    "more errors)", first_msg, nerr - 1);
		else
			transfer_reader_err(r, e, ERR_INVALID, first_line, "%s",
			    first_msg);
		return -1;
	}
	/* group equal keys: sorted by key, then by position */
	if (n > 0)
		qsort(ent, n, sizeof *ent, env_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && ent[j].klen == ent[i].klen &&
		    memcmp(ent[j].key, ent[i].key, ent[i].klen) == 0; j++)
			;
		for (k = i; k < j; k++) {
			ent[k].first = ent[i].pos;
			ent[k].count = j - i;
			ent[k].second_line = j - i > 1 ? ent[i + 1].line : 0;
		}
	}
	if (n > 0)
		qsort(ent, n, sizeof *ent, env_pos_cmp);
	*nout = n;
	return 0;
}

/*
 * _parse_env_file() then load_connections_dict(): key by key in the order
 * of first appearance, a repeated key raises ConnectionNotUnique, else the
 * value is a URI.
 */
static int
read_env(struct reader *r, const char *text, size_t len, struct err *e)
{
	struct env_entry *ent = NULL;
	struct tnode *node;
	size_t n = 0, i;
	int rc = -1;

	if (env_scan(r, text, len, &ent, &n, e) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (ent[i].first != ent[i].pos)
			continue;
		if (ent[i].count > 1) {
			transfer_reader_err(r, e, ERR_INVALID, ent[i].second_line,
			    "Found multiple values for %.*s in %s.",
			    (int)(ent[i].klen > 250 ? 250 : ent[i].klen),
			    ent[i].key, r->path);
			goto out;
		}
		if ((node = tnode_new(r, TN_STR, ent[i].line)) == NULL) {
			err_nomem(e);
			goto out;
		}
		/* the value, NUL-terminated, in locked memory */
		buf_reset(&r->tmp);
		buf_add(&r->tmp, ent[i].val, ent[i].vlen);
		if (buf_check(&r->tmp, e) != 0)
			goto out;
		node->s = r->tmp.p;
		node->len = ent[i].vlen;
		if (create_connection(r, ent[i].key, ent[i].klen, node,
		    ent[i].line, e) != 0)
			goto out;
		node->s = NULL;
	}
	rc = 0;
out:
	free(ent);
	return rc;
}

/* A json node as a tnode (strings stay in the cJSON tree). */
static struct tnode *
json_node(struct reader *r, const cJSON *j, struct err *e)
{
	struct tnode *n, *k;
	const cJSON *c;
	char *end;

	if ((n = tnode_new(r, TN_NULL, 0)) == NULL)
		goto nomem;
	n->json = j;
	switch (j->type & 0xff) {
	case cJSON_NULL:
		break;
	case cJSON_False:
	case cJSON_True:
		n->type = TN_BOOL;
		n->b = (j->type & 0xff) == cJSON_True;
		break;
	case cJSON_Raw:
		n->type = TN_INT;
		n->s = j->valuestring;
		n->len = strlen(n->s);
		errno = 0;
		n->i = strtoll(n->s, &end, 10);
		n->i_ok = errno == 0 && *end == '\0';
		break;
	case cJSON_Number:
		n->type = TN_FLOAT;
		n->d = j->valuedouble;
		break;
	case cJSON_String:
		n->type = TN_STR;
		n->s = j->valuestring;
		n->len = strlen(n->s);
		break;
	case cJSON_Array:
	case cJSON_Object:
		n->type = (j->type & 0xff) == cJSON_Array ? TN_SEQ : TN_MAP;
		for (c = j->child; c != NULL; c = c->next) {
			if (n->type == TN_MAP) {
				if ((k = tnode_new(r, TN_STR, 0)) == NULL ||
				    tnode_add(n, k) != 0)
					goto nomem;
				k->s = c->string;
				k->len = strlen(c->string);
			}
			if ((k = json_node(r, c, e)) == NULL)
				return NULL;
			if (tnode_add(n, k) != 0)
				goto nomem;
		}
		break;
	default:
		transfer_reader_err(r, e, ERR_INVALID, 0, "unexpected JSON value");
		return NULL;
	}
	return n;
nomem:
	err_nomem(e);
	return NULL;
}

/*
 * _parse_json_file(): text as a JSON object (a new tree in *out), or -1
 * with e set: an empty file, text that is not JSON, another value.
 */
static int
json_root(struct reader *r, const char *text, size_t len, int keep,
    cJSON **out, struct err *e)
{
	cJSON *root = NULL, *probe;
	const char *end = NULL;

	*out = NULL;
	if (len == 0) {
		transfer_reader_err(r, e, ERR_INVALID, 1, "The file is empty.");
		return -1;
	}
	/*
	 * keep (connections): \u0000 and lone surrogates kept, as json.loads
	 * keeps them; variables (a str value is stored as it is) refuse them
	 */
	root = keep ? pyjson_loads_kept(text, len) : pyjson_loads(text, len);
	if (root == NULL && errno == ENOMEM)
		return err_nomem(e);
	if (root == NULL && !keep &&
	    conn_refuse_json("the file", text, len, e) != 0) {
		err_prefix(e, "%s", r->path);
		return -1;
	}
	if (root == NULL) {
		/* cJSON tells where it stopped; Python's message is not kept */
		probe = cJSON_ParseWithOpts(text, &end, 1);
		if (probe == NULL && end != NULL && end >= text &&
		    end <= text + len) {
			size_t off = (size_t)(end - text), col = 1, i;

			for (i = off; i > 0 && text[i - 1] != '\n'; i--)
				col++;
			transfer_reader_err(r, e, ERR_INVALID, transfer_line_at(text, off),
			    "the file is not valid JSON (column %zu)", col);
		} else {
			transfer_reader_err(r, e, ERR_INVALID, 0, "the file is not "
			    "valid JSON as Python reads it");
		}
		pyjson_free(probe);
		return -1;
	}
	if (!cJSON_IsObject(root)) {
		transfer_reader_err(r, e, ERR_INVALID, 1, "The file should contain the "
		    "object.");
		pyjson_free(root);
		return -1;
	}
	*out = root;
	return 0;
}

/* _parse_json_file() and the connections of its object. */
static int
read_json(struct reader *r, const char *text, size_t len, struct err *e)
{
	cJSON *root = NULL;
	const cJSON *c;
	struct tnode *v;
	int rc = -1;

	if (json_root(r, text, len, 1, &root, e) != 0)
		return -1;
	/*
	 * transfer_create_from_map() on the object, one connection at a time:
	 * pyjson_loads() already folded duplicate keys as dict() does and
	 * every key is a str, so each value's nodes can go once its
	 * connection is made (100,000 connections never hold 1.7 M nodes).
	 */
	for (c = root->child; c != NULL; c = c->next) {
		if ((v = json_node(r, c, e)) == NULL ||
		    create_entry(r, c->string, strlen(c->string), v, 0, e) != 0)
			goto out;
		transfer_reader_nodes_trim(r, 0);
	}
	rc = 0;
out:
	/* the nodes point into the tree: drop them before it goes */
	transfer_reader_nodes_free(r);
	pyjson_free(root);
	return rc;
}

/* What every import file must be: no NUL byte, valid UTF-8. */
static int
check_text(struct reader *r, const char *text, size_t len, struct err *e)
{
	const char *nul;
	size_t bad;

	if (len > 0 && (nul = memchr(text, '\0', len)) != NULL) {
		transfer_reader_err(r, e, ERR_INVALID, transfer_line_at(text,
		    (size_t)(nul - text)), "the file holds a NUL byte");
		return -1;
	}
	if ((bad = utf8_bad_at((const unsigned char *)text, len)) < len) {
		transfer_reader_err(r, e, ERR_INVALID, transfer_line_at(text, bad),
		    "the file is not valid UTF-8 (byte %zu)", bad + 1);
		return -1;
	}
	return 0;
}

/* What a reader holds after a read: its nodes, resolver and scratch. */
static void
reader_release(struct reader *r)
{
	transfer_reader_nodes_free(r);
	if (r->res_ready)
		pyyaml_resolver_release(&r->res);
	buf_release(&r->tmp);
}

int
transfer_read(const char *path, const struct airflow_version *v,
    struct transfer_set *out, struct err *e)
{
	struct reader r;
	struct buf text;
	struct stat st;
	enum transfer_format fmt;
	int rc = -1;

	memset(out, 0, sizeof *out);
	memset(&r, 0, sizeof r);
	r.path = path;
	if (v != NULL)
		r.v = *v;
	r.set = out;
	buf_init(&r.tmp, 1);
	buf_init(&text, 1);
	/*
	 * `connections import` checks the path first, then the extension; "-"
	 * is standard input, in json (ferncon's; Airflow reads files only).
	 */
	if (strcmp(path, "-") == 0) {
		fmt = TRANSFER_JSON;
	} else if (stat(path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			transfer_reader_err(&r, e, ERR_IO, 0, "Missing connections file.");
		else
			transfer_reader_err(&r, e, ERR_IO, 0, "cannot read the file: %s",
			    strerror(errno));
		goto out;
	} else if (import_format(path, &r.v, &fmt) != 0) {
		transfer_reader_err(&r, e, ERR_INVALID, 0, "%s", import_ext_msg);
		goto out;
	}
	if (read_whole(&r, &text, e) != 0)
		goto out;
	if (check_text(&r, buf_str(&text), text.len, e) != 0)
		goto out;
	switch (fmt) {
	case TRANSFER_ENV:
		rc = read_env(&r, buf_str(&text), text.len, e);
		break;
	case TRANSFER_JSON:
		rc = read_json(&r, buf_str(&text), text.len, e);
		break;
	case TRANSFER_YAML:
		/* comp_next() reports reader errors by offset into r.tmp */
		buf_release(&r.tmp);
		r.tmp = text;
		buf_init(&text, 1);
		rc = pyyaml_read(&r, buf_str(&r.tmp), r.tmp.len, e);
		break;
	}
out:
	reader_release(&r);
	buf_release(&text);
	if (rc != 0)
		transfer_set_free(out);
	return rc;
}

/* -- import: variables ---------------------------------------------------- */

/*
 * load_variables() of an env file: every value a str; keys given more
 * than once are VariableNotUnique, all named, in the order they first
 * appear (a Python list).
 */
static int
vars_env(struct reader *r, const char *text, size_t len, cJSON *obj,
    struct err *e)
{
	struct env_entry *ent = NULL;
	struct buf keys, key;
	cJSON *v;
	size_t n = 0, i, ndup = 0;
	int rc = -1;

	buf_init(&keys, 0);
	buf_init(&key, 0);
	if (env_scan(r, text, len, &ent, &n, e) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (ent[i].first != ent[i].pos || ent[i].count == 1)
			continue;
		if (ndup++ > 0)
			buf_adds(&keys, ", ");
		utf8_py_repr(&keys, ent[i].key, ent[i].klen);
	}
	if (ndup > 0) {
		if (buf_check(&keys, e) == 0)
			err_set(e, ERR_INVALID, "The \"%s\" file contains "
			    "multiple values for keys: [%s]", r->path,
			    buf_str(&keys));
		goto out;
	}
	for (i = 0; i < n; i++) {
		/* the value, NUL-terminated, in locked memory */
		buf_reset(&r->tmp);
		buf_add(&r->tmp, ent[i].val, ent[i].vlen);
		buf_reset(&key);
		buf_add(&key, ent[i].key, ent[i].klen);
		if (buf_check(&r->tmp, e) != 0 || buf_check(&key, e) != 0)
			goto out;
		if ((v = cJSON_CreateString(buf_str(&r->tmp))) == NULL ||
		    !cJSON_AddItemToObject(obj, buf_str(&key), v)) {
			pyjson_free(v);
			err_nomem(e);
			goto out;
		}
	}
	rc = 0;
out:
	free(ent);
	buf_release(&keys);
	buf_release(&key);
	return rc;
}

/*
 * load_variables() of a yaml file: dict(safe_load(...)), each value as
 * JSON (what json.dumps() would write of it). A key must be a str.
 */
static int
vars_yaml(struct reader *r, struct tnode *root, cJSON *obj, struct err *e)
{
	struct pairs p = { NULL, NULL, 0 };
	const struct tnode *k;
	cJSON *v;
	size_t i;
	int rc = -1;

	if (tnode_pairs(r, root, &p, e) != 0)
		return -1;
	for (i = 0; i < p.n; i++) {
		k = p.k[i];
		if (k->type != TN_STR) {
			transfer_reader_err(r, e, ERR_INVALID, k->line, "a "
			    "variable key must be a string, not %s",
			    tnode_pytype(k));
			goto out;
		}
		if (memchr(k->s, '\0', k->len) != NULL) {
			transfer_reader_err(r, e, ERR_INVALID, k->line, "a "
			    "variable key holds a NUL character");
			goto out;
		}
		if ((v = tnode_to_json(r, p.v[i], 1, e)) == NULL)
			goto out;
		/* a yaml "\0", in pyjson's kept form: a str value is stored
		 * as it is, so variables refuse it */
		if (pyjson_kept_tree(v) != 0) {
			pyjson_free(v);
			transfer_reader_err(r, e, ERR_INVALID, p.v[i]->line,
			    "a string holds a NUL character, which ferncon "
			    "cannot store");
			goto out;
		}
		if (!cJSON_AddItemToObject(obj, k->s, v)) {
			pyjson_free(v);
			err_nomem(e);
			goto out;
		}
	}
	rc = 0;
out:
	tnode_pairs_release(&p);
	return rc;
}

int
transfer_read_vars(const char *path, const char *text, size_t len,
    cJSON **out, struct err *e)
{
	struct reader r;
	struct tnode *root;
	enum transfer_format fmt;
	cJSON *obj = NULL;
	int rc = -1;

	*out = NULL;
	memset(&r, 0, sizeof r);
	r.path = path;
	r.v.major = 3;		/* the rules of 3.1 and later */
	r.v.minor = 1;
	buf_init(&r.tmp, 1);
	if (strcmp(path, "-") == 0) {
		fmt = TRANSFER_JSON;
	} else if (import_format(path, &r.v, &fmt) != 0) {
		/* AirflowUnsupportedFileTypeException, printed alone */
		err_set(e, ERR_INVALID, "%s", import_ext_msg);
		goto out;
	}
	if (check_text(&r, text, len, e) != 0)
		goto out;
	switch (fmt) {
	case TRANSFER_ENV:
		if ((obj = cJSON_CreateObject()) == NULL) {
			err_nomem(e);
			goto out;
		}
		rc = vars_env(&r, text, len, obj, e);
		break;
	case TRANSFER_JSON:
		rc = json_root(&r, text, len, 0, &obj, e);
		break;
	case TRANSFER_YAML:
		/* the composer reports errors by offset into r.tmp */
		buf_add(&r.tmp, text, len);
		if (buf_check(&r.tmp, e) != 0)
			goto out;
		if (pyyaml_load(&r, buf_str(&r.tmp), r.tmp.len, &root, e) != 0)
			goto out;
		if ((obj = cJSON_CreateObject()) == NULL) {
			err_nomem(e);
			goto out;
		}
		rc = vars_yaml(&r, root, obj, e);
		break;
	}
out:
	reader_release(&r);
	if (rc != 0)
		pyjson_free(obj);
	else
		*out = obj;
	return rc;
}

void
transfer_set_free(struct transfer_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		conn_free(set->conns[i]);
	free(set->conns);
	free(set->extra_unset);
	set->conns = NULL;
	set->extra_unset = NULL;
	set->n = 0;
}
