/*
 * transfer.c: the files of `connections export` and `connections import`,
 * byte for byte as Airflow writes and reads them (see transfer.h and
 * AIRFLOW.md section 5).
 *
 * Export streams: the json and env writers format one connection at a time
 * into a locked buffer (strings through pyjson_dump_str, so the text is
 * Python's json.dumps) and write it out. The yaml writer feeds libyaml's
 * emitter, set up as PyYAML's CSafeDumper sets it up (Airflow's
 * airflow.utils.yaml.dump uses CSafeDumper whenever PyYAML has libyaml, so
 * the emitter's own choices -- quoting style, folding at width 80, simple
 * keys of up to 128 bytes -- are Airflow's too). What PyYAML decides in
 * Python is repeated here: keys sorted, and a string that PyYAML's YAML 1.1
 * implicit resolver would read as something else (int, float, bool, null,
 * timestamp, merge, value) is not allowed to be plain. The resolver's
 * regular expressions are PyYAML's, matched with PCRE2.
 *
 * Import reads the whole file into locked memory and follows
 * airflow/secrets/local_filesystem.py: env lines split at the first '='
 * (lines as Python's str.splitlines() cuts them), json through
 * pyjson_loads() (Python's json.loads over cJSON), yaml through libyaml's
 * parser and a small composer that does what PyYAML's CSafeLoader does with
 * the events (tags, the implicit resolver, anchors and aliases, merge keys,
 * one document). Each value then goes through _create_connection(): a
 * string is a URI, a mapping goes through Connection(**value).
 *
 * Secrets: file contents, formatted text and decoded values stay in locked
 * memory or are wiped before they are freed, with two exceptions that are
 * libyaml's: its emitter and parser copy scalars into events they free
 * themselves without wiping (their I/O buffers are wiped here).
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

#define PCRE2_CODE_UNIT_WIDTH 8
#include <cjson/cJSON.h>
#include <pcre2.h>
#include <sodium.h>
#include <yaml.h>

#include "buf.h"
#include "pyjson.h"
#include "uri.h"
#include "utf8.h"

/* The largest import file read (locked memory holds all of it). */
#define TRANSFER_MAX_FILE	((size_t)256 * 1024 * 1024)

/* How deep a yaml document may nest (PyYAML recurses without a limit). */
#define YAML_MAX_DEPTH		512

#define TAG_STR		"tag:yaml.org,2002:str"
#define TAG_NULL	"tag:yaml.org,2002:null"
#define TAG_INT		"tag:yaml.org,2002:int"
#define TAG_MAP		"tag:yaml.org,2002:map"
#define TAG_SEQ		"tag:yaml.org,2002:seq"
#define TAG_BOOL	"tag:yaml.org,2002:bool"
#define TAG_FLOAT	"tag:yaml.org,2002:float"

static const char export_ext_msg[] = "Unsupported file format. The file "
    "must have the extension .yaml, .json, .env.";
static const char import_ext_msg[] = "Unsupported file format. The file "
    "must have one of the following extensions: .env .json .yaml .yml";
static const char ser_only_env_msg[] = "Option `--serialization-format` may "
    "only be used with file type `env`.";

/* -- PyYAML's implicit resolver ------------------------------------------- */

/*
 * The tags a plain scalar can resolve to, in the order PyYAML's Resolver
 * registers them (the first match wins).
 */
enum yres_tag {
	YT_BOOL,
	YT_FLOAT,
	YT_INT,
	YT_MERGE,
	YT_NULL,
	YT_TIMESTAMP,
	YT_VALUE,
	YT_YAML,
	YT_STR,		/* no implicit resolver matched */
};

#define YRES_N	YT_STR

/*
 * PyYAML's yaml/resolver.py, resolver by resolver: the characters a value
 * must start with for the resolver to be tried, whether the empty string
 * tries it, and the expression (PyYAML writes some with re.X; these are
 * the same expressions with the layout blanks taken out, blanks inside
 * character classes kept). '$' matches before a final newline in both
 * Python's re and PCRE2.
 */
static const struct {
	const char	*first;
	int		 empty;
	const char	*re;
} yres_table[YRES_N] = {
	[YT_BOOL] = { "yYnNtTfFoO", 0,
	    "^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE"
	    "|on|On|ON|off|Off|OFF)$" },
	[YT_FLOAT] = { "-+0123456789.", 0,
	    "^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?"
	    "|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
	    "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
	    "|[-+]?\\.(?:inf|Inf|INF)"
	    "|\\.(?:nan|NaN|NAN))$" },
	[YT_INT] = { "-+0123456789", 0,
	    "^(?:[-+]?0b[0-1_]+"
	    "|[-+]?0[0-7_]+"
	    "|[-+]?(?:0|[1-9][0-9_]*)"
	    "|[-+]?0x[0-9a-fA-F_]+"
	    "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$" },
	[YT_MERGE] = { "<", 0, "^(?:<<)$" },
	[YT_NULL] = { "~nN", 1, "^(?:~|null|Null|NULL|)$" },
	[YT_TIMESTAMP] = { "0123456789", 0,
	    "^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
	    "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
	    "(?:[Tt]|[ \\t]+)[0-9][0-9]?"
	    ":[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
	    "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$" },
	[YT_VALUE] = { "=", 0, "^(?:=)$" },
	/* PyYAML registers it "for documentation"; it resolves "!", "&", "*". */
	[YT_YAML] = { "!&*", 0, "^(?:!|&|\\*)$" },
};

struct yres {
	pcre2_code		*re[YRES_N];
	pcre2_match_data	*md;
};

static void
yres_release(struct yres *r)
{
	size_t i;

	for (i = 0; i < YRES_N; i++) {
		pcre2_code_free(r->re[i]);
		r->re[i] = NULL;
	}
	pcre2_match_data_free(r->md);
	r->md = NULL;
}

static int
yres_init(struct yres *r, struct err *e)
{
	size_t i;
	int errcode;
	PCRE2_SIZE erroff;

	memset(r, 0, sizeof *r);
	for (i = 0; i < YRES_N; i++) {
		r->re[i] = pcre2_compile((PCRE2_SPTR)yres_table[i].re,
		    PCRE2_ZERO_TERMINATED, 0, &errcode, &erroff, NULL);
		if (r->re[i] == NULL)
			goto fail;
	}
	if ((r->md = pcre2_match_data_create(1, NULL)) == NULL)
		goto fail;
	return 0;
fail:
	yres_release(r);
	err_set(e, ERR_NOMEM, "cannot set up the YAML resolver: out of memory");
	return -1;
}

/* The tag PyYAML's resolver gives a plain scalar s (len bytes). */
static enum yres_tag
yres_resolve(const struct yres *r, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < YRES_N; i++) {
		if (len == 0 ? !yres_table[i].empty :
		    strchr(yres_table[i].first, s[0]) == NULL || s[0] == '\0')
			continue;
		if (pcre2_match(r->re[i], (PCRE2_SPTR)s, len, 0, 0, r->md,
		    NULL) >= 0)
			return (enum yres_tag)i;
	}
	return YT_STR;
}

/* -- choosing the format -------------------------------------------------- */

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

/* -- export --------------------------------------------------------------- */

struct transfer_writer {
	FILE				*f;
	enum transfer_format		 fmt;
	enum transfer_serialization	 ser;
	struct airflow_version		 v;
	size_t				 n;
	struct buf			 out;	/* secret: one connection's text */
	int				 failed;
	/* yaml only */
	int				 em_ready;
	yaml_emitter_t			 em;
	struct yres			 res;
	int				 res_ready;
	char				*last_id;	/* the order check */
	int				 write_errno;
	enum yaml_top { TOP_MAP, TOP_SEQ, TOP_NONE } top;
};

/* A str for json.dumps, or null. */
static void
json_str_or_null(struct buf *b, const char *s)
{
	if (s == NULL)
		buf_adds(b, "null");
	else
		pyjson_dump_str(b, s, strlen(s), 1);
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
	json_str_or_null(b, c->password);
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

/* libyaml's output handler: straight to the caller's FILE. */
static int
yaml_write_handler(void *data, unsigned char *buffer, size_t size)
{
	struct transfer_writer *w = data;

	if (size > 0 && fwrite(buffer, 1, size, w->f) != size) {
		w->write_errno = errno ? errno : EIO;
		return 0;
	}
	return 1;
}

static void
emit_error(struct transfer_writer *w, struct err *e)
{
	if (w->write_errno != 0)
		err_set(e, ERR_IO, "cannot write the export: %s",
		    strerror(w->write_errno));
	else if (w->em.error == YAML_MEMORY_ERROR)
		err_set(e, ERR_NOMEM, "cannot write the export: out of memory");
	else
		err_set(e, ERR_INVALID, "cannot write the export as YAML: %s",
		    w->em.problem ? w->em.problem : "emitter error");
}

/* Hand an initialised event to the emitter (which owns it from then on). */
static int
emit(struct transfer_writer *w, yaml_event_t *ev, struct err *e)
{
	if (yaml_emitter_emit(&w->em, ev))
		return 0;
	emit_error(w, e);
	return -1;
}

/*
 * One scalar, with the implicit flags PyYAML's CEmitter computes: plain
 * implicit when the resolver gives the node's own tag for the plain form,
 * quoted implicit when the node is a str (a quoted scalar always resolves
 * to str). what and c name the value in a message.
 */
static int
emit_scalar(struct transfer_writer *w, const char *tag, const char *s,
    size_t len, int plain_implicit, int quoted_implicit, const char *what,
    const struct conn *c, struct err *e)
{
	yaml_event_t ev;

	if (len > INT_MAX || !yaml_scalar_event_initialize(&ev, NULL,
	    (const yaml_char_t *)tag, (const yaml_char_t *)s, (int)len,
	    plain_implicit, quoted_implicit, YAML_ANY_SCALAR_STYLE)) {
		/* libyaml refuses ill-formed UTF-8 (or ran out of memory) */
		err_set(e, ERR_INVALID, "cannot write %s of connection '%s' as "
		    "YAML: it is not valid UTF-8", what, c->conn_id);
		return -1;
	}
	return emit(w, &ev, e);
}

/* A str (or None) value or key. */
static int
emit_str(struct transfer_writer *w, const char *s, const char *what,
    const struct conn *c, struct err *e)
{
	size_t len;

	if (s == NULL)
		return emit_scalar(w, TAG_NULL, "null", 4, 1, 0, what, c, e);
	len = strlen(s);
	return emit_scalar(w, TAG_STR, s, len,
	    yres_resolve(&w->res, s, len) == YT_STR, 1, what, c, e);
}

/* key: value for one str field of c. */
static int
emit_field(struct transfer_writer *w, const char *key, const char *value,
    const struct conn *c, struct err *e)
{
	if (emit_str(w, key, "a key", c, e) != 0)
		return -1;
	return emit_str(w, value, key, c, e);
}

static int
emit_simple(struct transfer_writer *w, int ok, yaml_event_t *ev,
    struct err *e)
{
	if (!ok) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	return emit(w, ev, e);
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
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	if (emit_str(w, c->conn_id, "the conn_id", c, e) != 0 ||
	    emit_simple(w, yaml_mapping_start_event_initialize(&ev, NULL,
	    (const yaml_char_t *)TAG_MAP, 1, YAML_BLOCK_MAPPING_STYLE), &ev,
	    e) != 0)
		return -1;
	/* PyYAML sorts the keys (code point order). */
	if (emit_field(w, "conn_type", c->conn_type, c, e) != 0 ||
	    emit_field(w, "description", c->description, c, e) != 0 ||
	    emit_field(w, "extra", c->extra, c, e) != 0 ||
	    emit_field(w, "host", c->host, c, e) != 0 ||
	    emit_field(w, "login", c->login, c, e) != 0 ||
	    emit_field(w, "password", c->password, c, e) != 0)
		return -1;
	if (c->has_port) {
		snprintf(port, sizeof port, "%ld", c->port);
		if (emit_str(w, "port", "a key", c, e) != 0 ||
		    emit_scalar(w, TAG_INT, port, strlen(port), 1, 0, "port",
		    c, e) != 0)
			return -1;
	} else if (emit_field(w, "port", NULL, c, e) != 0) {
		return -1;
	}
	if (emit_field(w, "schema", c->schema, c, e) != 0)
		return -1;
	return emit_simple(w, yaml_mapping_end_event_initialize(&ev), &ev, e);
}

/* Set up the emitter as CSafeDumper does and open the top-level mapping. */
static int
yaml_start(struct transfer_writer *w, struct err *e)
{
	yaml_event_t ev;

	if (yres_init(&w->res, e) != 0)
		return -1;
	w->res_ready = 1;
	if (!yaml_emitter_initialize(&w->em)) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	w->em_ready = 1;
	yaml_emitter_set_output(&w->em, yaml_write_handler, w);
	yaml_emitter_set_encoding(&w->em, YAML_UTF8_ENCODING);
	yaml_emitter_set_canonical(&w->em, 0);
	yaml_emitter_set_indent(&w->em, 2);
	yaml_emitter_set_width(&w->em, 80);
	yaml_emitter_set_unicode(&w->em, 0);
	yaml_emitter_set_break(&w->em, YAML_LN_BREAK);
	if (emit_simple(w, yaml_stream_start_event_initialize(&ev,
	    YAML_UTF8_ENCODING), &ev, e) != 0 ||
	    emit_simple(w, yaml_document_start_event_initialize(&ev, NULL,
	    NULL, NULL, 1), &ev, e) != 0)
		return -1;
	if (w->top == TOP_MAP)
		return emit_simple(w, yaml_mapping_start_event_initialize(&ev, NULL,
		    (const yaml_char_t *)TAG_MAP, 1, YAML_BLOCK_MAPPING_STYLE), &ev,
		    e);
	if (w->top == TOP_SEQ)
		return emit_simple(w, yaml_sequence_start_event_initialize(&ev,
		    NULL, (const yaml_char_t *)TAG_SEQ, 1,
		    YAML_BLOCK_SEQUENCE_STYLE), &ev, e);
	return 0;
}

static int
yaml_finish(struct transfer_writer *w, struct err *e)
{
	yaml_event_t ev;

	if ((w->top == TOP_MAP && emit_simple(w,
	    yaml_mapping_end_event_initialize(&ev), &ev, e) != 0) ||
	    (w->top == TOP_SEQ && emit_simple(w,
	    yaml_sequence_end_event_initialize(&ev), &ev, e) != 0) ||
	    emit_simple(w, yaml_document_end_event_initialize(&ev, 1), &ev,
	    e) != 0 ||
	    emit_simple(w, yaml_stream_end_event_initialize(&ev), &ev, e) != 0)
		return -1;
	if (!yaml_emitter_flush(&w->em)) {
		emit_error(w, e);
		return -1;
	}
	return 0;
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
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	w->f = f;
	w->fmt = fmt;
	w->ser = ser;
	if (v != NULL)
		w->v = *v;
	buf_init(&w->out, 1);
	if (fmt == TRANSFER_YAML && yaml_start(w, e) != 0) {
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
		if (yaml_finish(w, e) != 0)
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
		yres_release(&w->res);
	free(w->last_id);
	buf_release(&w->out);
	free(w);
}

/* -- yaml of any JSON value (for `-o yaml`) ------------------------------ */

/* The record named in emitter messages. */
static const struct conn yaml_output_conn = { .conn_id = (char *)"(output)" };

static int
cmp_child(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return strcmp(x->string, y->string);
}

/* One node as yaml.safe_dump writes it: mappings with sorted keys. */
static int
yaml_node(struct transfer_writer *w, const cJSON *v, struct err *e)
{
	const struct conn *c = &yaml_output_conn;
	yaml_event_t ev;
	const cJSON *kid;
	const cJSON **kids = NULL;
	struct buf num;
	size_t n = 0, i;
	int rc = -1;

	if (cJSON_IsNull(v))
		return emit_str(w, NULL, "a value", c, e);
	if (cJSON_IsBool(v))
		return emit_scalar(w, TAG_BOOL, cJSON_IsTrue(v) ? "true" : "false",
		    cJSON_IsTrue(v) ? 4 : 5, 1, 0, "a value", c, e);
	if (cJSON_IsString(v))
		return emit_str(w, v->valuestring, "a value", c, e);
	if (cJSON_IsRaw(v) || cJSON_IsNumber(v)) {
		buf_init(&num, 0);
		if (pyjson_dumps(v, NULL, &num, e) == 0)
			rc = emit_scalar(w, cJSON_IsRaw(v) ? TAG_INT : TAG_FLOAT,
			    buf_str(&num), num.len, 1, 0, "a value", c, e);
		buf_release(&num);
		return rc;
	}
	if (cJSON_IsArray(v)) {
		if (emit_simple(w, yaml_sequence_start_event_initialize(&ev, NULL,
		    (const yaml_char_t *)TAG_SEQ, 1, YAML_BLOCK_SEQUENCE_STYLE),
		    &ev, e) != 0)
			return -1;
		cJSON_ArrayForEach(kid, v)
			if (yaml_node(w, kid, e) != 0)
				return -1;
		return emit_simple(w, yaml_sequence_end_event_initialize(&ev),
		    &ev, e);
	}
	cJSON_ArrayForEach(kid, v)
		n++;
	if (n > 0 && (kids = calloc(n, sizeof *kids)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	i = 0;
	cJSON_ArrayForEach(kid, v)
		kids[i++] = kid;
	if (n > 1)
		qsort(kids, n, sizeof *kids, cmp_child);
	if (emit_simple(w, yaml_mapping_start_event_initialize(&ev, NULL,
	    (const yaml_char_t *)TAG_MAP, 1, YAML_BLOCK_MAPPING_STYLE), &ev,
	    e) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (emit_str(w, kids[i]->string, "a key", c, e) != 0 ||
		    yaml_node(w, kids[i], e) != 0)
			goto out;
	rc = emit_simple(w, yaml_mapping_end_event_initialize(&ev), &ev, e);
out:
	free(kids);
	return rc;
}

int
transfer_yaml_new(struct transfer_writer **out, FILE *f, int sequence,
    struct err *e)
{
	struct transfer_writer *w;

	*out = NULL;
	if ((w = calloc(1, sizeof *w)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	w->f = f;
	w->fmt = TRANSFER_YAML;
	w->top = sequence ? TOP_SEQ : TOP_NONE;
	buf_init(&w->out, 1);
	if (yaml_start(w, e) != 0) {
		transfer_writer_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

int
transfer_yaml_add(struct transfer_writer *w, const cJSON *v, struct err *e)
{
	if (w->top == TOP_NONE && w->n > 0) {
		err_set(e, ERR_INVALID, "a single YAML document takes one value");
		return -1;
	}
	if (yaml_node(w, v, e) != 0)
		return -1;
	w->n++;
	return 0;
}

int
transfer_yaml_finish(struct transfer_writer *w, struct err *e)
{
	return yaml_finish(w, e);
}

/* -- import: the values of a file ----------------------------------------- */

/*
 * A value as Python's json.loads or yaml.safe_load gives it, kept only as
 * far as connections need it. Nodes belong to the reader's list (yaml
 * aliases share them) and are freed together.
 */
enum tnode_type {
	TN_NULL,
	TN_STR,
	TN_BOOL,
	TN_INT,
	TN_FLOAT,
	TN_MAP,		/* kids: key, value, key, value, ... */
	TN_SEQ,
	TN_OTHER,	/* a Python object of type pytype (bytes, date...) */
	TN_MERGE,	/* yaml "<<": only a mapping key */
	TN_VALUE,	/* yaml "=": a str as a mapping key, an error elsewhere */
};

struct tnode {
	enum tnode_type	  type;
	char		 *s;	/* STR: text; INT: decimal text */
	size_t		  len;
	int		  owned;	/* s is ours (else it is in the cJSON tree) */
	long long	  i;
	int		  i_ok;		/* INT: fits in i */
	double		  d;
	int		  b;
	const char	 *pytype;	/* Python's type name, for messages */
	struct tnode	**kids;
	size_t		  nkids, cap;
	size_t		  line;		/* 1-based, 0 when unknown */
	const cJSON	 *json;		/* json import: the node it came from */
	int		  flattened;
	int		  checked;
};

/* A mapping's entries after Python's dict(): one per key, last value wins. */
struct pairs {
	struct tnode	**k, **v;
	size_t		  n;
};

struct reader {
	const char			*path;
	struct airflow_version		 v;
	struct tnode			**nodes;
	size_t				 nnodes, capnodes;
	struct yres			 res;
	int				 res_ready;
	struct transfer_set		*set;
	size_t				 setcap;
	struct buf			 tmp;	/* secret scratch */
};

static void reader_err(struct reader *r, struct err *e, enum err_code code,
    size_t line, const char *fmt, ...) ATTR_PRINTF(5, 6);

/* Set e to "<path>:<line>: <message>" (no line when line is 0). */
static void
reader_err(struct reader *r, struct err *e, enum err_code code, size_t line,
    const char *fmt, ...)
{
	char msg[sizeof e->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		err_set(e, code, "%s:%zu: %s", r->path, line, msg);
	else
		err_set(e, code, "%s: %s", r->path, msg);
}

static struct tnode *
tnode_new(struct reader *r, enum tnode_type type, size_t line)
{
	struct tnode *n;

	if (r->nnodes == r->capnodes) {
		size_t cap = r->capnodes ? r->capnodes * 2 : 64;
		struct tnode **v = realloc(r->nodes, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		r->nodes = v;
		r->capnodes = cap;
	}
	if ((n = calloc(1, sizeof *n)) == NULL)
		return NULL;
	n->type = type;
	n->line = line;
	r->nodes[r->nnodes++] = n;
	return n;
}

static int
tnode_add(struct tnode *n, struct tnode *kid)
{
	if (n->nkids == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 8;
		struct tnode **v = realloc(n->kids, cap * sizeof *v);

		if (v == NULL)
			return -1;
		n->kids = v;
		n->cap = cap;
	}
	n->kids[n->nkids++] = kid;
	return 0;
}

static void
reader_nodes_free(struct reader *r)
{
	size_t i;

	for (i = 0; i < r->nnodes; i++) {
		struct tnode *n = r->nodes[i];

		if (n->owned && n->s != NULL) {
			sodium_memzero(n->s, n->len);
			free(n->s);
		}
		free(n->kids);
		free(n);
	}
	free(r->nodes);
	r->nodes = NULL;
	r->nnodes = r->capnodes = 0;
}

/* Python's type name of a value, as type(v) prints it. */
static const char *
tnode_pytype(const struct tnode *n)
{
	switch (n->type) {
	case TN_NULL:	return "NoneType";
	case TN_STR:	return "str";
	case TN_BOOL:	return "bool";
	case TN_INT:	return "int";
	case TN_FLOAT:	return "float";
	case TN_MAP:	return "dict";
	case TN_SEQ:	return "list";
	case TN_OTHER:	return n->pytype;
	case TN_MERGE:
	case TN_VALUE:	break;
	}
	return "str";
}

/* Python's truth value of v. */
static int
tnode_truthy(const struct tnode *n)
{
	if (n == NULL)
		return 0;
	switch (n->type) {
	case TN_NULL:	return 0;
	case TN_STR:	return n->len > 0;
	case TN_BOOL:	return n->b;
	case TN_INT:	return !n->i_ok || n->i != 0;
	case TN_FLOAT:	return n->d != 0.0;
	case TN_MAP:
	case TN_SEQ:	return n->nkids > 0;
	case TN_OTHER:
	case TN_MERGE:
	case TN_VALUE:	break;
	}
	return 1;
}

/*
 * SafeConstructor.flatten_mapping(): "<<" keys merge the mapping (or the
 * list of mappings, the first one winning) they name in front of the
 * node's own entries; a "=" key is a str.
 */
static int
tnode_flatten(struct reader *r, struct tnode *m, struct err *e)
{
	struct tnode **merged = NULL, **own = NULL;
	size_t nm = 0, no = 0, i, j, k;
	int rc = -1;

	if (m->flattened)
		return 0;
	m->flattened = 1;
	for (i = 0; i < m->nkids; i += 2)
		if (m->kids[i]->type == TN_MERGE || m->kids[i]->type == TN_VALUE)
			break;
	if (i >= m->nkids)
		return 0;
	/* At most: every entry of every merged mapping, plus our own. */
	k = m->nkids;
	for (i = 0; i < m->nkids; i += 2) {
		struct tnode *v = m->kids[i + 1];

		if (m->kids[i]->type != TN_MERGE)
			continue;
		if (v->type == TN_MAP) {
			if (tnode_flatten(r, v, e) != 0)
				return -1;
			k += v->nkids;
		} else if (v->type == TN_SEQ) {
			for (j = 0; j < v->nkids; j++) {
				if (v->kids[j]->type != TN_MAP) {
					reader_err(r, e, ERR_INVALID,
					    v->kids[j]->line, "while constructing "
					    "a mapping: expected a mapping for "
					    "merging, but found %s",
					    tnode_pytype(v->kids[j]));
					return -1;
				}
				if (tnode_flatten(r, v->kids[j], e) != 0)
					return -1;
				k += v->kids[j]->nkids;
			}
		} else {
			reader_err(r, e, ERR_INVALID, v->line, "while "
			    "constructing a mapping: expected a mapping or list "
			    "of mappings for merging, but found %s",
			    tnode_pytype(v));
			return -1;
		}
	}
	if ((merged = calloc(k, sizeof *merged)) == NULL ||
	    (own = calloc(m->nkids, sizeof *own)) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < m->nkids; i += 2) {
		struct tnode *key = m->kids[i], *v = m->kids[i + 1];

		if (key->type != TN_MERGE) {
			if (key->type == TN_VALUE)
				key->type = TN_STR;
			own[no++] = key;
			own[no++] = v;
		} else if (v->type == TN_MAP) {
			memcpy(merged + nm, v->kids, v->nkids * sizeof *merged);
			nm += v->nkids;
		} else {
			/* later mappings of the list first: earlier ones win */
			for (j = v->nkids; j > 0; j--) {
				struct tnode *sub = v->kids[j - 1];

				memcpy(merged + nm, sub->kids,
				    sub->nkids * sizeof *merged);
				nm += sub->nkids;
			}
		}
	}
	memcpy(merged + nm, own, no * sizeof *merged);
	free(m->kids);
	m->kids = merged;
	m->nkids = m->cap = nm + no;
	merged = NULL;
	rc = 0;
out:
	free(merged);
	free(own);
	return rc;
}

/* Do two nodes make the same dict key? (str keys only; others never.) */
static int
key_eq(const struct tnode *a, const struct tnode *b)
{
	return a->type == TN_STR && b->type == TN_STR && a->len == b->len &&
	    memcmp(a->s, b->s, a->len) == 0;
}

/* dict(m): one entry per key, the last value at the first key's place. */
static int
tnode_pairs(struct reader *r, struct tnode *m, struct pairs *p,
    struct err *e)
{
	size_t i, j, n = m->nkids / 2;

	memset(p, 0, sizeof *p);
	if (tnode_flatten(r, m, e) != 0)
		return -1;
	n = m->nkids / 2;
	if (n == 0)
		return 0;
	p->k = calloc(n, sizeof *p->k);
	p->v = calloc(n, sizeof *p->v);
	if (p->k == NULL || p->v == NULL) {
		free(p->k);
		free(p->v);
		memset(p, 0, sizeof *p);
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	for (i = 0; i < m->nkids; i += 2) {
		for (j = 0; j < p->n; j++)
			if (key_eq(p->k[j], m->kids[i]))
				break;
		if (j == p->n)
			p->k[p->n++] = m->kids[i];
		p->v[j] = m->kids[i + 1];
	}
	return 0;
}

static void
pairs_release(struct pairs *p)
{
	free(p->k);
	free(p->v);
	memset(p, 0, sizeof *p);
}

/*
 * What SafeConstructor would refuse anywhere in the document, since
 * safe_load constructs all of it: a merge or value tag outside a key, a bad
 * merge, a mapping or list as a mapping key.
 */
static int
tnode_check(struct reader *r, struct tnode *n, int depth, struct err *e)
{
	size_t i;

	if (n->checked)
		return 0;
	n->checked = 1;
	if (depth > YAML_MAX_DEPTH) {
		reader_err(r, e, ERR_INVALID, n->line, "the document nests "
		    "deeper than %d levels", YAML_MAX_DEPTH);
		return -1;
	}
	switch (n->type) {
	case TN_MERGE:
	case TN_VALUE:
		reader_err(r, e, ERR_INVALID, n->line, "could not determine a "
		    "constructor for the tag 'tag:yaml.org,2002:%s'",
		    n->type == TN_MERGE ? "merge" : "value");
		return -1;
	case TN_MAP:
		if (tnode_flatten(r, n, e) != 0)
			return -1;
		for (i = 0; i < n->nkids; i++) {
			struct tnode *k = n->kids[i];

			if (i % 2 == 0 && (k->type == TN_MAP ||
			    k->type == TN_SEQ)) {
				reader_err(r, e, ERR_INVALID, k->line, "while "
				    "constructing a mapping: found unhashable "
				    "key");
				return -1;
			}
			if (tnode_check(r, k, depth + 1, e) != 0)
				return -1;
		}
		return 0;
	case TN_SEQ:
	case TN_OTHER:
		for (i = 0; i < n->nkids; i++)
			if (tnode_check(r, n->kids[i], depth + 1, e) != 0)
				return -1;
		return 0;
	case TN_NULL:
	case TN_STR:
	case TN_BOOL:
	case TN_INT:
	case TN_FLOAT:
		break;
	}
	return 0;
}

/* -- import: json.dumps of a value ---------------------------------------- */

static cJSON *tnode_to_json(struct reader *r, struct tnode *n, int depth,
    struct err *e);

/* A key as json.dumps turns it into a str (str, int, bool, None). */
static int
json_key(struct reader *r, const struct tnode *k, struct buf *b,
    struct err *e)
{
	buf_reset(b);
	switch (k->type) {
	case TN_STR:
		buf_add(b, k->s, k->len);
		break;
	case TN_INT:
		if (k->s == NULL)
			goto big;
		buf_adds(b, k->s);
		break;
	case TN_BOOL:
		buf_adds(b, k->b ? "true" : "false");
		break;
	case TN_NULL:
		buf_adds(b, "null");
		break;
	case TN_FLOAT:
	case TN_MAP:
	case TN_SEQ:
	case TN_OTHER:
	case TN_MERGE:
	case TN_VALUE:
		reader_err(r, e, ERR_INVALID, k->line, "keys must be str, int, "
		    "float, bool or None, not %s", tnode_pytype(k));
		return -1;
	}
	return buf_check(b, e);
big:
	reader_err(r, e, ERR_INVALID, k->line, "an integer beyond 64 bits "
	    "cannot be written as JSON here");
	return -1;
}

static cJSON *
tnode_to_json(struct reader *r, struct tnode *n, int depth, struct err *e)
{
	struct pairs p = { NULL, NULL, 0 };
	struct buf key;
	cJSON *v = NULL, *kid;
	size_t i;

	if (depth > YAML_MAX_DEPTH) {
		reader_err(r, e, ERR_INVALID, n->line, "the value nests deeper "
		    "than %d levels", YAML_MAX_DEPTH);
		return NULL;
	}
	buf_init(&key, 1);
	switch (n->type) {
	case TN_NULL:
		v = cJSON_CreateNull();
		break;
	case TN_STR:
		if (memchr(n->s, '\0', n->len) != NULL) {
			reader_err(r, e, ERR_INVALID, n->line, "a string holds "
			    "a NUL character, which ferncon cannot store");
			return NULL;
		}
		v = cJSON_CreateString(n->s);
		break;
	case TN_BOOL:
		v = cJSON_CreateBool(n->b);
		break;
	case TN_INT:
		if (n->s == NULL) {
			reader_err(r, e, ERR_INVALID, n->line, "an integer "
			    "beyond 64 bits cannot be written as JSON here");
			return NULL;
		}
		v = cJSON_CreateRaw(n->s);
		break;
	case TN_FLOAT:
		v = cJSON_CreateNumber(n->d);
		break;
	case TN_MAP:
		if (tnode_pairs(r, n, &p, e) != 0)
			return NULL;
		if ((v = cJSON_CreateObject()) == NULL)
			break;
		for (i = 0; i < p.n; i++) {
			if (json_key(r, p.k[i], &key, e) != 0 ||
			    (kid = tnode_to_json(r, p.v[i], depth + 1, e)) ==
			    NULL)
				goto fail;
			if (!cJSON_AddItemToObject(v, buf_str(&key), kid)) {
				pyjson_free(kid);
				goto nomem;
			}
		}
		break;
	case TN_SEQ:
		if ((v = cJSON_CreateArray()) == NULL)
			break;
		for (i = 0; i < n->nkids; i++) {
			if ((kid = tnode_to_json(r, n->kids[i], depth + 1,
			    e)) == NULL)
				goto fail;
			if (!cJSON_AddItemToArray(v, kid)) {
				pyjson_free(kid);
				goto nomem;
			}
		}
		break;
	case TN_OTHER:
	case TN_MERGE:
	case TN_VALUE:
		reader_err(r, e, ERR_INVALID, n->line, "Object of type %s is "
		    "not JSON serializable", tnode_pytype(n));
		return NULL;
	}
	if (v == NULL)
		goto nomem;
	pairs_release(&p);
	buf_release(&key);
	return v;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
fail:
	pairs_release(&p);
	buf_release(&key);
	pyjson_free(v);
	return NULL;
}

/* json.dumps(n) (Python's defaults: one line, ensure_ascii) into out. */
static int
tnode_dumps(struct reader *r, struct tnode *n, struct buf *out, struct err *e)
{
	static const struct pyjson_opts opts = { -1, 0, 1 };
	cJSON *tree = NULL;
	int rc;

	if (n->json != NULL)
		return pyjson_dumps(n->json, &opts, out, e);
	if ((tree = tnode_to_json(r, n, 0, e)) == NULL)
		return -1;
	rc = pyjson_dumps(tree, &opts, out, e);
	pyjson_free(tree);
	return rc;
}

/* -- import: building a connection ---------------------------------------- */

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
static int
set_str_field(struct reader *r, struct conn *c, char **field,
    const struct tnode *n, enum ckey which, struct err *e)
{
	if (n == NULL || n->type == TN_NULL)
		return conn_set_str(c, field, NULL, e);
	if (n->type != TN_STR) {
		reader_err(r, e, ERR_INVALID, n->line, "could not load "
		    "connection '%s': `%s` must be a string or null, not %s",
		    c->conn_id, ckey_names[which], tnode_pytype(n));
		return -1;
	}
	if (memchr(n->s, '\0', n->len) != NULL) {
		reader_err(r, e, ERR_INVALID, n->line, "could not load "
		    "connection '%s': `%s` holds a NUL character",
		    c->conn_id, ckey_names[which]);
		return -1;
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
		ok = memchr(n->s, '\0', n->len) == NULL &&
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
			reader_err(r, e, ERR_INVALID, n->line, "could not load "
			    "connection '%s': Expected integer value for "
			    "`port`, but got '%.64s' instead.", c->conn_id,
			    n->s);
		else
			reader_err(r, e, ERR_INVALID, n->line, "could not load "
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
		reader_err(r, e, ERR_INVALID, n->line, "could not load "
		    "connection '%s': `uri` must be a string, not %s",
		    c->conn_id, tnode_pytype(n));
		return -1;
	}
	if (memchr(n->s, '\0', n->len) != NULL) {
		reader_err(r, e, ERR_INVALID, n->line, "could not load "
		    "connection '%s': the URI holds a NUL character",
		    c->conn_id);
		return -1;
	}
	if (uri_parse(n->s, &r->v, c, e) != 0) {
		if (n->line > 0)
			err_prefix(e, "%s:%zu: could not load connection '%s'",
			    r->path, n->line, c->conn_id);
		else
			err_prefix(e, "%s: could not load connection '%s'",
			    r->path, c->conn_id);
		return -1;
	}
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
		reader_err(r, e, ERR_INVALID, m->line, "could not load "
		    "connection '%s': The object have illegal keys: %s",
		    c->conn_id, buf_str(&illegal));
		goto out;
	}
	if (val[K_EXTRA] != NULL && val[K_EXTRA_DEJSON] != NULL) {
		reader_err(r, e, ERR_INVALID, m->line, "could not load "
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
		if (memchr(val[K_EXTRA]->s, '\0', val[K_EXTRA]->len) != NULL) {
			reader_err(r, e, ERR_INVALID, val[K_EXTRA]->line,
			    "could not load connection '%s': `extra` holds a "
			    "NUL character", c->conn_id);
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
			reader_err(r, e, ERR_INVALID, n->line, "Mismatch "
			    "conn_id. The dictionary key has the value: %.*s. "
			    "The item has the value: %s.",
			    (int)(n->len > 200 ? 200 : n->len), n->s,
			    c->conn_id);
		else
			reader_err(r, e, ERR_INVALID, n->line, "Mismatch "
			    "conn_id. The dictionary key has the value: %s. "
			    "The item has the value: %s.", n->type == TN_NULL ?
			    "None" : tnode_pytype(n), c->conn_id);
		goto out;
	}
	if (tnode_truthy(val[K_URI]) && (tnode_truthy(val[K_CONN_TYPE]) ||
	    tnode_truthy(val[K_HOST]) || tnode_truthy(val[K_LOGIN]) ||
	    tnode_truthy(val[K_PASSWORD]) || tnode_truthy(val[K_SCHEMA]) ||
	    tnode_truthy(val[K_PORT]) || (has_extra && extra_len > 0))) {
		reader_err(r, e, ERR_INVALID, m->line, "could not load "
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
	pairs_release(&p);
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

		if (v == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
			return -1;
		}
		set->conns = v;
		r->setcap = cap;
	}
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
		reader_err(r, e, ERR_INVALID, line, "a connection id holds a "
		    "NUL character");
		return -1;
	}
	if ((c = conn_new()) == NULL) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	if (conn_set(c, &c->conn_id, id, idlen, e) != 0)
		goto fail;
	if (value->line == 0)
		value->line = line;
	if (value->type == TN_STR) {
		if (value->len > 0 && parse_uri(r, c, value, e) != 0)
			goto fail;
	} else if (value->type == TN_MAP) {
		if (conn_from_dict(r, c, value, e) != 0)
			goto fail;
	} else {
		reader_err(r, e, ERR_INVALID, value->line, "could not load "
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

/* A top-level mapping: every key a str conn_id, the last value winning. */
static int
create_from_map(struct reader *r, struct tnode *root, struct err *e)
{
	struct pairs p = { NULL, NULL, 0 };
	size_t i;
	int rc = -1;

	if (tnode_pairs(r, root, &p, e) != 0)
		return -1;
	for (i = 0; i < p.n; i++) {
		if (p.k[i]->type != TN_STR) {
			reader_err(r, e, ERR_INVALID, p.k[i]->line, "a "
			    "connection id must be a string, not %s",
			    tnode_pytype(p.k[i]));
			goto out;
		}
		if (create_connection(r, p.k[i]->s, p.k[i]->len, p.v[i],
		    p.k[i]->line, e) != 0)
			goto out;
	}
	rc = 0;
out:
	pairs_release(&p);
	return rc;
}

/* -- import: the file ----------------------------------------------------- */

/* 1-based line of byte off ('\n' counted). */
static size_t
line_at(const char *text, size_t off)
{
	size_t i, line = 1;

	for (i = 0; i < off; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/* The offset of the first byte that strict UTF-8 decoding refuses, or len. */
static size_t
utf8_bad_at(const unsigned char *s, size_t len)
{
	size_t i = 0;
	uint32_t cp;

	while (i < len) {
		size_t n = utf8_decode(s + i, len - i, &cp);

		if (cp == UTF8_BAD)
			return i;
		i += n;
	}
	return len;
}

/* Read path into a locked buffer. */
static int
read_whole(struct reader *r, struct buf *out, struct err *e)
{
	char chunk[16384];
	struct stat st;
	ssize_t got;
	int fd, rc = -1;

	if ((fd = open(r->path, O_RDONLY | O_CLOEXEC)) < 0) {
		reader_err(r, e, ERR_IO, 0, "cannot open the file: %s",
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		reader_err(r, e, ERR_IO, 0, "cannot read the file: %s",
		    strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		reader_err(r, e, ERR_IO, 0, "cannot read the file: %s",
		    strerror(EISDIR));
		goto out;
	}
	for (;;) {
		got = read(fd, chunk, sizeof chunk);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			reader_err(r, e, ERR_IO, 0, "cannot read the file: %s",
			    strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		if (out->len + (size_t)got > TRANSFER_MAX_FILE) {
			reader_err(r, e, ERR_INVALID, 0, "the file is larger "
			    "than %zu MiB", TRANSFER_MAX_FILE >> 20);
			goto out;
		}
		buf_add(out, chunk, (size_t)got);
	}
	if (buf_check(out, e) != 0)
		goto out;
	rc = 0;
out:
	sodium_memzero(chunk, sizeof chunk);
	close(fd);
	return rc;
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
 * _parse_env_file() then load_connections_dict(): every syntax error first
 * (the first one is reported, with the count), then key by key in the
 * order of first appearance: a repeated key raises ConnectionNotUnique,
 * else the value is a URI.
 */
static int
read_env(struct reader *r, const char *text, size_t len, struct err *e)
{
	struct env_entry *ent = NULL;
	struct tnode *node;
	const char *p = text, *end = text + len, *eol, *next, *eq;
	const char *first_msg = NULL;
	size_t n = 0, cap = 0, line = 0, nerr = 0, first_line = 0, i, j, k;
	int rc = -1;

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
		if (eq == NULL || eq == p || eq + 1 == eol) {
			if (nerr++ == 0) {
				first_line = line;
				first_msg = eq == NULL ? "Invalid line format. "
				    "The line should contain at least one "
				    "equal sign (\"=\")." : eq == p ?
				    "Invalid line format. Key is empty." :
				    "Invalid line format. Value is empty.";
			}
			continue;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct env_entry *v = realloc(ent, ncap * sizeof *v);

			if (v == NULL) {
				err_set(e, ERR_NOMEM, "out of memory");
				goto out;
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
	if (nerr > 0) {
		if (nerr > 1)
			reader_err(r, e, ERR_INVALID, first_line, "%s (and %zu "
			    "more errors)", first_msg, nerr - 1);
		else
			reader_err(r, e, ERR_INVALID, first_line, "%s",
			    first_msg);
		goto out;
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
	for (i = 0; i < n; i++) {
		if (ent[i].first != ent[i].pos)
			continue;
		if (ent[i].count > 1) {
			reader_err(r, e, ERR_INVALID, ent[i].second_line,
			    "Found multiple values for %.*s in %s.",
			    (int)(ent[i].klen > 250 ? 250 : ent[i].klen),
			    ent[i].key, r->path);
			goto out;
		}
		if ((node = tnode_new(r, TN_STR, ent[i].line)) == NULL) {
			err_set(e, ERR_NOMEM, "out of memory");
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
		reader_err(r, e, ERR_INVALID, 0, "unexpected JSON value");
		return NULL;
	}
	return n;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
	return NULL;
}

/* _parse_json_file() and the connections of its object. */
static int
read_json(struct reader *r, const char *text, size_t len, struct err *e)
{
	cJSON *root = NULL, *probe;
	struct tnode *top;
	const char *end = NULL;
	int rc = -1;

	if (len == 0) {
		reader_err(r, e, ERR_INVALID, 1, "The file is empty.");
		return -1;
	}
	if ((root = pyjson_loads(text, len)) == NULL) {
		/* cJSON tells where it stopped; Python's message is not kept */
		probe = cJSON_ParseWithOpts(text, &end, 1);
		if (probe == NULL && end != NULL && end >= text &&
		    end <= text + len) {
			size_t off = (size_t)(end - text), col = 1, i;

			for (i = off; i > 0 && text[i - 1] != '\n'; i--)
				col++;
			reader_err(r, e, ERR_INVALID, line_at(text, off),
			    "the file is not valid JSON (column %zu)", col);
		} else {
			reader_err(r, e, ERR_INVALID, 0, "the file is not "
			    "valid JSON as Python reads it");
		}
		pyjson_free(probe);
		return -1;
	}
	if (!cJSON_IsObject(root)) {
		reader_err(r, e, ERR_INVALID, 1, "The file should contain the "
		    "object.");
		goto out;
	}
	if ((top = json_node(r, root, e)) == NULL)
		goto out;
	rc = create_from_map(r, top, e);
out:
	/* the nodes point into the tree: drop them before it goes */
	reader_nodes_free(r);
	pyjson_free(root);
	return rc;
}

/* -- import: yaml --------------------------------------------------------- */

struct anchor {
	char		*name;
	struct tnode	*node;
};

struct composer {
	struct reader	*r;
	yaml_parser_t	 p;
	yaml_event_t	 ev;
	int		 have_ev;
	struct anchor	*anchors;
	size_t		 nanchors, capanchors;
};

/* Drop the current event, wiping a scalar's text. */
static void
comp_drop(struct composer *c)
{
	if (!c->have_ev)
		return;
	if (c->ev.type == YAML_SCALAR_EVENT && c->ev.data.scalar.value != NULL)
		sodium_memzero(c->ev.data.scalar.value,
		    c->ev.data.scalar.length);
	yaml_event_delete(&c->ev);
	c->have_ev = 0;
}

static int
comp_next(struct composer *c, struct err *e)
{
	struct reader *r = c->r;
	yaml_parser_t *p = &c->p;

	comp_drop(c);
	if (yaml_parser_parse(p, &c->ev)) {
		c->have_ev = 1;
		return 0;
	}
	if (p->error == YAML_MEMORY_ERROR) {
		err_set(e, ERR_NOMEM, "out of memory");
	} else if (p->error == YAML_READER_ERROR) {
		reader_err(r, e, ERR_INVALID, line_at(r->tmp.p,
		    p->problem_offset < r->tmp.len ? p->problem_offset :
		    r->tmp.len), "%s",
		    p->problem ? p->problem : "cannot read the YAML");
	} else {
		char ctx[200] = "";

		if (p->context != NULL)
			snprintf(ctx, sizeof ctx, " (%s at line %zu)",
			    p->context, p->context_mark.line + 1);
		reader_err(r, e, ERR_INVALID, p->problem_mark.line + 1,
		    "column %zu: %s%s", p->problem_mark.column + 1,
		    p->problem ? p->problem : "invalid YAML", ctx);
	}
	return -1;
}

static int
comp_anchor(struct composer *c, const yaml_char_t *name, struct tnode *n,
    struct err *e)
{
	size_t i;

	if (name == NULL)
		return 0;
	for (i = 0; i < c->nanchors; i++) {
		if (strcmp(c->anchors[i].name, (const char *)name) == 0) {
			reader_err(c->r, e, ERR_INVALID, n->line, "found "
			    "duplicate anchor; first occurrence at line %zu",
			    c->anchors[i].node->line);
			return -1;
		}
	}
	if (c->nanchors == c->capanchors) {
		size_t cap = c->capanchors ? c->capanchors * 2 : 8;
		struct anchor *v = realloc(c->anchors, cap * sizeof *v);

		if (v == NULL)
			goto nomem;
		c->anchors = v;
		c->capanchors = cap;
	}
	if ((c->anchors[c->nanchors].name = strdup((const char *)name)) == NULL)
		goto nomem;
	c->anchors[c->nanchors++].node = n;
	return 0;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
	return -1;
}

/* YAML 1.1 digits of base into v; -1 on a bad digit or overflow. */
static int
yaml_digits(const char *s, size_t len, unsigned base, unsigned long long *v)
{
	size_t i;

	*v = 0;
	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;
		char ch = s[i];

		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			return -1;
		if (d >= base || *v > (ULLONG_MAX - d) / base)
			return -1;
		*v = *v * base + d;
	}
	return 0;
}

/*
 * SafeConstructor.construct_yaml_int(): '_' dropped, a sign, then 0,
 * 0b..., 0x..., 0... (octal), a:b:c (base 60) or decimal. n->i_ok is 0
 * when the value is valid but beyond 64 bits. -1 if Python would raise.
 */
static int
yaml_int(const char *text, size_t len, struct tnode *n)
{
	char digits[128];
	size_t i, m = 0;
	unsigned long long v = 0, part;
	int neg = 0, rc = -1;
	const char *s = digits;

	for (i = 0; i < len; i++) {
		if (text[i] == '_')
			continue;
		if (m + 1 >= sizeof digits)
			goto out;
		digits[m++] = text[i];
	}
	digits[m] = '\0';
	if (m > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		s++;
		m--;
	}
	if (m == 1 && s[0] == '0') {
		v = 0;
	} else if (m >= 2 && s[0] == '0' && s[1] == 'b') {
		if (yaml_digits(s + 2, m - 2, 2, &v) != 0)
			goto out;
	} else if (m >= 2 && s[0] == '0' && s[1] == 'x') {
		if (yaml_digits(s + 2, m - 2, 16, &v) != 0)
			goto out;
	} else if (m >= 1 && s[0] == '0') {
		if (yaml_digits(s + 1, m - 1, 8, &v) != 0)
			goto out;
	} else if (memchr(s, ':', m) != NULL) {
		const char *q = s, *colon;

		for (;;) {
			colon = memchr(q, ':', m - (size_t)(q - s));
			if (yaml_digits(q, colon ? (size_t)(colon - q) :
			    m - (size_t)(q - s), 10, &part) != 0 ||
			    v > (ULLONG_MAX - part) / 60)
				goto out;
			v = v * 60 + part;
			if (colon == NULL)
				break;
			q = colon + 1;
		}
	} else if (yaml_digits(s, m, 10, &v) != 0) {
		goto out;
	}
	n->i_ok = neg ? v <= (unsigned long long)LLONG_MAX + 1 :
	    v <= (unsigned long long)LLONG_MAX;
	n->i = neg ? (long long)(0 - v) : (long long)v;
	rc = 0;
out:
	sodium_memzero(digits, sizeof digits);
	return rc;
}

/* SafeConstructor.construct_yaml_float(), well enough for a port. */
static int
yaml_float(const char *text, size_t len, double *d)
{
	char tmp[128], *end;
	size_t i, m = 0;
	int neg = 0;
	const char *s = tmp;

	for (i = 0; i < len; i++) {
		if (text[i] == '_')
			continue;
		if (m + 1 >= sizeof tmp)
			return -1;
		tmp[m++] = (char)(text[i] >= 'A' && text[i] <= 'Z' ?
		    text[i] - 'A' + 'a' : text[i]);
	}
	tmp[m] = '\0';
	if (m > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		s++;
	}
	if (strcmp(s, ".inf") == 0) {
		*d = strtod(neg ? "-inf" : "inf", NULL);
		return 0;
	}
	if (strcmp(s, ".nan") == 0) {
		*d = strtod("nan", NULL);
		return 0;
	}
	if (strchr(s, ':') != NULL) {
		/* base 60 with a fraction in the last part */
		double v = 0;
		const char *q = s;

		for (;;) {
			double part = strtod(q, &end);

			if (end == q)
				return -1;
			v = v * 60 + part;
			if (*end == '\0')
				break;
			if (*end != ':')
				return -1;
			q = end + 1;
		}
		*d = neg ? -v : v;
		return 0;
	}
	*d = strtod(s, &end);
	if (end == s || *end != '\0')
		return -1;
	if (neg)
		*d = -*d;
	return 0;
}

/* A scalar event as the value safe_load constructs. */
static int
comp_scalar(struct composer *c, struct tnode *n, struct err *e)
{
	struct reader *r = c->r;
	yaml_event_t *ev = &c->ev;
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length, i;
	enum yres_tag t;
	char low[8];

	if (tag == NULL || strcmp(tag, "!") == 0)
		t = ev->data.scalar.plain_implicit ?
		    yres_resolve(&r->res, s, len) : YT_STR;
	else if (strcmp(tag, TAG_STR) == 0)
		t = YT_STR;
	else if (strcmp(tag, TAG_NULL) == 0)
		t = YT_NULL;
	else if (strcmp(tag, "tag:yaml.org,2002:bool") == 0)
		t = YT_BOOL;
	else if (strcmp(tag, TAG_INT) == 0)
		t = YT_INT;
	else if (strcmp(tag, "tag:yaml.org,2002:float") == 0)
		t = YT_FLOAT;
	else if (strcmp(tag, "tag:yaml.org,2002:timestamp") == 0)
		t = YT_TIMESTAMP;
	else if (strcmp(tag, "tag:yaml.org,2002:binary") == 0) {
		n->type = TN_OTHER;
		n->pytype = "bytes";
		return 0;
	} else {
		reader_err(r, e, ERR_INVALID, n->line, "could not determine a "
		    "constructor for the tag '%.100s'", tag);
		return -1;
	}
	switch (t) {
	case YT_STR:
		/* take libyaml's copy of the text */
		n->type = TN_STR;
		n->s = (char *)ev->data.scalar.value;
		n->len = len;
		n->owned = 1;
		ev->data.scalar.value = NULL;
		return 0;
	case YT_NULL:
		n->type = TN_NULL;
		return 0;
	case YT_BOOL:
		for (i = 0; i < len && i + 1 < sizeof low; i++)
			low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ?
			    s[i] - 'A' + 'a' : s[i]);
		low[i] = '\0';
		n->type = TN_BOOL;
		if (len < sizeof low && (strcmp(low, "yes") == 0 ||
		    strcmp(low, "true") == 0 || strcmp(low, "on") == 0)) {
			n->b = 1;
			return 0;
		}
		if (len < sizeof low && (strcmp(low, "no") == 0 ||
		    strcmp(low, "false") == 0 || strcmp(low, "off") == 0))
			return 0;
		reader_err(r, e, ERR_INVALID, n->line, "a !!bool value is not "
		    "one of yes, no, true, false, on, off");
		return -1;
	case YT_INT:
		n->type = TN_INT;
		if (yaml_int(s, len, n) != 0) {
			reader_err(r, e, ERR_INVALID, n->line, "invalid literal "
			    "for int() in a !!int value");
			return -1;
		}
		if (n->i_ok) {
			char dec[32];

			snprintf(dec, sizeof dec, "%lld", n->i);
			if ((n->s = strdup(dec)) == NULL) {
				err_set(e, ERR_NOMEM, "out of memory");
				return -1;
			}
			n->len = strlen(dec);
			n->owned = 1;
		}
		/* else Python's big int: s stays NULL, json.dumps refuses it */
		return 0;
	case YT_FLOAT:
		n->type = TN_FLOAT;
		if (yaml_float(s, len, &n->d) != 0) {
			reader_err(r, e, ERR_INVALID, n->line, "could not "
			    "convert a !!float value to float");
			return -1;
		}
		return 0;
	case YT_TIMESTAMP:
		n->type = TN_OTHER;
		n->pytype = len == 10 ? "datetime.date" : "datetime.datetime";
		return 0;
	case YT_MERGE:
		n->type = TN_MERGE;
		return 0;
	case YT_VALUE:
		/* a str "=" when used as a key */
		n->type = TN_VALUE;
		n->s = (char *)ev->data.scalar.value;
		n->len = len;
		n->owned = 1;
		ev->data.scalar.value = NULL;
		return 0;
	case YT_YAML:
		reader_err(r, e, ERR_INVALID, n->line, "could not determine a "
		    "constructor for the tag 'tag:yaml.org,2002:yaml'");
		return -1;
	}
	return 0;
}

/*
 * The type of a sequence or mapping with this tag (NULL and "!" are the
 * default), as SafeConstructor builds it: list or dict, a list for !!omap
 * and !!pairs, a set for !!set. -1 for a tag it has no constructor for.
 */
static int
collection_type(const char *tag, int is_seq, struct tnode *n)
{
	n->type = is_seq ? TN_SEQ : TN_MAP;
	if (tag == NULL || strcmp(tag, "!") == 0)
		return 0;
	if (strcmp(tag, is_seq ? "tag:yaml.org,2002:seq" : TAG_MAP) == 0)
		return 0;
	n->type = TN_OTHER;
	if (is_seq && (strcmp(tag, "tag:yaml.org,2002:omap") == 0 ||
	    strcmp(tag, "tag:yaml.org,2002:pairs") == 0)) {
		n->pytype = "list";
		return 0;
	}
	if (!is_seq && strcmp(tag, "tag:yaml.org,2002:set") == 0) {
		n->pytype = "set";
		return 0;
	}
	return -1;
}

/* Compose the node whose first event is the current one. */
static int
comp_node(struct composer *c, struct tnode **out, int depth, struct err *e)
{
	struct reader *r = c->r;
	struct tnode *n = NULL, *kid;
	yaml_char_t *anchor = NULL, *name;
	const char *tag;
	size_t line = c->ev.start_mark.line + 1, i;
	yaml_event_type_t end_type;
	int rc = -1;

	*out = NULL;
	if (depth > YAML_MAX_DEPTH) {
		reader_err(r, e, ERR_INVALID, line, "the document nests deeper "
		    "than %d levels", YAML_MAX_DEPTH);
		return -1;
	}
	switch (c->ev.type) {
	case YAML_ALIAS_EVENT:
		for (i = 0; i < c->nanchors; i++)
			if (strcmp(c->anchors[i].name,
			    (const char *)c->ev.data.alias.anchor) == 0) {
				*out = c->anchors[i].node;
				return 0;
			}
		reader_err(r, e, ERR_INVALID, line, "found undefined alias");
		return -1;
	case YAML_SCALAR_EVENT:
		if ((n = tnode_new(r, TN_NULL, line)) == NULL)
			goto nomem;
		if (c->ev.data.scalar.anchor != NULL &&
		    (anchor = (yaml_char_t *)strdup((const char *)
		    c->ev.data.scalar.anchor)) == NULL)
			goto nomem;
		if (comp_scalar(c, n, e) != 0)
			goto out;
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if ((n = tnode_new(r, TN_SEQ, line)) == NULL)
			goto nomem;
		if (c->ev.type == YAML_SEQUENCE_START_EVENT) {
			tag = (const char *)c->ev.data.sequence_start.tag;
			name = c->ev.data.sequence_start.anchor;
			end_type = YAML_SEQUENCE_END_EVENT;
		} else {
			tag = (const char *)c->ev.data.mapping_start.tag;
			name = c->ev.data.mapping_start.anchor;
			end_type = YAML_MAPPING_END_EVENT;
		}
		if (collection_type(tag, end_type == YAML_SEQUENCE_END_EVENT,
		    n) != 0) {
			reader_err(r, e, ERR_INVALID, line, "could not "
			    "determine a constructor for the tag '%.100s'", tag);
			goto out;
		}
		if (name != NULL && (anchor = (yaml_char_t *)strdup(
		    (const char *)name)) == NULL)
			goto nomem;
		for (;;) {
			if (comp_next(c, e) != 0)
				goto out;
			if (c->ev.type == end_type)
				break;
			if (comp_node(c, &kid, depth + 1, e) != 0)
				goto out;
			if (tnode_add(n, kid) != 0)
				goto nomem;
		}
		break;
	default:
		reader_err(r, e, ERR_INVALID, line, "unexpected YAML event");
		goto out;
	}
	if (comp_anchor(c, anchor, n, e) != 0)
		goto out;
	*out = n;
	rc = 0;
	goto out;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
out:
	free(anchor);
	return rc;
}

/* _parse_yaml_file(): one document whose value is a mapping. */
static int
read_yaml(struct reader *r, const char *text, size_t len, struct err *e)
{
	struct composer c;
	struct tnode *root = NULL;
	size_t i;
	int rc = -1;

	if (len == 0) {
		reader_err(r, e, ERR_INVALID, 1, "The file is empty.");
		return -1;
	}
	memset(&c, 0, sizeof c);
	c.r = r;
	if (yres_init(&r->res, e) != 0)
		return -1;
	r->res_ready = 1;
	if (!yaml_parser_initialize(&c.p)) {
		err_set(e, ERR_NOMEM, "out of memory");
		return -1;
	}
	yaml_parser_set_input_string(&c.p, (const unsigned char *)text, len);
	if (comp_next(&c, e) != 0)		/* STREAM-START */
		goto out;
	if (comp_next(&c, e) != 0)
		goto out;
	if (c.ev.type == YAML_DOCUMENT_START_EVENT) {
		if (comp_next(&c, e) != 0 || comp_node(&c, &root, 0, e) != 0)
			goto out;
		if (comp_next(&c, e) != 0)	/* DOCUMENT-END */
			goto out;
		if (comp_next(&c, e) != 0)
			goto out;
		if (c.ev.type != YAML_STREAM_END_EVENT) {
			reader_err(r, e, ERR_INVALID, c.ev.start_mark.line + 1,
			    "expected a single document in the stream, but "
			    "found another document");
			goto out;
		}
	}
	if (root == NULL || root->type != TN_MAP) {
		reader_err(r, e, ERR_INVALID, 1, "The file should contain the "
		    "object.");
		goto out;
	}
	if (tnode_check(r, root, 0, e) != 0)
		goto out;
	rc = create_from_map(r, root, e);
out:
	comp_drop(&c);
	/* the parser's buffers held the whole text */
	if (c.p.buffer.start != NULL)
		sodium_memzero(c.p.buffer.start,
		    (size_t)(c.p.buffer.end - c.p.buffer.start));
	if (c.p.raw_buffer.start != NULL)
		sodium_memzero(c.p.raw_buffer.start,
		    (size_t)(c.p.raw_buffer.end - c.p.raw_buffer.start));
	yaml_parser_delete(&c.p);
	for (i = 0; i < c.nanchors; i++)
		free(c.anchors[i].name);
	free(c.anchors);
	reader_nodes_free(r);
	return rc;
}

int
transfer_read(const char *path, const struct airflow_version *v,
    struct transfer_set *out, struct err *e)
{
	struct reader r;
	struct buf text;
	struct stat st;
	enum transfer_format fmt;
	size_t bad;
	int rc = -1;

	memset(out, 0, sizeof *out);
	memset(&r, 0, sizeof r);
	r.path = path;
	if (v != NULL)
		r.v = *v;
	r.set = out;
	buf_init(&r.tmp, 1);
	buf_init(&text, 1);
	/* `connections import` checks the path first, then the extension. */
	if (stat(path, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			reader_err(&r, e, ERR_IO, 0, "Missing connections file.");
		else
			reader_err(&r, e, ERR_IO, 0, "cannot read the file: %s",
			    strerror(errno));
		goto out;
	}
	if (import_format(path, &r.v, &fmt) != 0) {
		reader_err(&r, e, ERR_INVALID, 0, "%s", import_ext_msg);
		goto out;
	}
	if (read_whole(&r, &text, e) != 0)
		goto out;
	if (text.len > 0 && memchr(text.p, '\0', text.len) != NULL) {
		reader_err(&r, e, ERR_INVALID, line_at(text.p, (size_t)((char *)
		    memchr(text.p, '\0', text.len) - text.p)), "the file holds "
		    "a NUL byte");
		goto out;
	}
	if ((bad = utf8_bad_at((const unsigned char *)buf_str(&text),
	    text.len)) < text.len) {
		reader_err(&r, e, ERR_INVALID, line_at(text.p, bad), "the file "
		    "is not valid UTF-8 (byte %zu)", bad + 1);
		goto out;
	}
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
		rc = read_yaml(&r, buf_str(&r.tmp), r.tmp.len, e);
		break;
	}
out:
	reader_nodes_free(&r);
	if (r.res_ready)
		yres_release(&r.res);
	buf_release(&r.tmp);
	buf_release(&text);
	if (rc != 0)
		transfer_set_free(out);
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
	set->conns = NULL;
	set->n = 0;
}
