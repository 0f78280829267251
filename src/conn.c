/*
 * conn.c: the connection record and Airflow's rules for its fields (see
 * conn.h). Secrets (password, extra) are copied into locked memory pooled
 * by arena.c (one mapping per field would exhaust vm.max_map_count);
 * other fields are ordinary heap strings, wiped all the same on free since
 * a host or login can be sensitive too.
 */
#include "config.h"

#include "conn.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <cjson/cJSON.h>
#include <pcre2.h>
#include <sodium.h>

#include "arena.h"
#include "buf.h"
#include "keyring.h"
#include "pyjson.h"
#include "utf8.h"

/* The string fields, for clear and dup. */
#define CONN_FIELDS(X) X(conn_id) X(conn_type) X(description) X(host) \
	X(schema) X(login) X(password) X(extra) X(team_name)

static int
secret_slot(const struct conn *c, char *const *field)
{
	return field == &c->password ? 0 : 1;
}

/* Wipe a field's value; secret fields keep their locked memory. */
static void
field_free(struct conn *c, char **field)
{
	if (*field == NULL)
		return;
	if (conn_field_is_secret(c, field)) {
		int slot = secret_slot(c, field);

		sodium_memzero(c->secret_mem[slot], c->secret_cap[slot]);
		if (slot == 0)
			c->password_len = 0;
	} else {
		sodium_memzero(*field, strlen(*field));
		free(*field);
	}
	*field = NULL;
}

static void
secrets_release(struct conn *c)
{
	int i;

	for (i = 0; i < 2; i++) {
		arena_free(c->secret_mem[i]);	/* wipes */
		c->secret_mem[i] = NULL;
		c->secret_cap[i] = 0;
	}
}

struct conn *
conn_new(void)
{
	return calloc(1, sizeof(struct conn));
}

void
conn_reset(struct conn *c)
{
	char *mem[2] = { c->secret_mem[0], c->secret_mem[1] };
	size_t cap[2] = { c->secret_cap[0], c->secret_cap[1] };

#define CLEAR(f) field_free(c, &c->f);
	CONN_FIELDS(CLEAR)
#undef CLEAR
	memset(c, 0, sizeof *c);
	memcpy(c->secret_mem, mem, sizeof mem);
	memcpy(c->secret_cap, cap, sizeof cap);
}

void
conn_clear(struct conn *c)
{
	conn_reset(c);
	secrets_release(c);
}

void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	conn_clear(c);
	free(c);
}

int
conn_field_is_secret(const struct conn *c, char *const *field)
{
	return field == &c->password || field == &c->extra;
}

int
conn_check_utf8(const struct conn *c, const char *doing, struct err *e)
{
	const struct {
		const char	*name;
		const char	*value;
	} f[] = {
		{ "conn_id", c->conn_id }, { "conn_type", c->conn_type },
		{ "description", c->description }, { "host", c->host },
		{ "schema", c->schema }, { "login", c->login },
		{ "password", c->password }, { "extra", c->extra },
	};
	struct buf id;
	struct err nomem;
	size_t i, len;

	for (i = 0; i < ARRAY_LEN(f); i++) {
		if (f[i].value == NULL)
			continue;
		/* the password with its length: it may hold a NUL */
		len = f[i].value == c->password ? c->password_len :
		    strlen(f[i].value);
		if (utf8_bad_at((const unsigned char *)f[i].value, len) != len)
			break;
	}
	if (i == ARRAY_LEN(f))
		return 0;
	/* The conn_id as Python's repr() shows it: 'a\udcffb'. */
	buf_init(&id, 0);
	if (c->conn_id != NULL)
		utf8_py_repr(&id, c->conn_id, strlen(c->conn_id));
	err_set(e, ERR_INVALID, "cannot %s connection %s: its %s is not valid "
	    "UTF-8 (Airflow cannot read it either)", doing,
	    buf_check(&id, &nomem) == 0 ? buf_str(&id) : "?", f[i].name);
	buf_release(&id);
	return -1;
}

int
conn_set(struct conn *c, char **field, const char *s, size_t len,
    struct err *e)
{
	char *copy = NULL;
	int slot;


	if (conn_field_is_secret(c, field)) {
		slot = secret_slot(c, field);
		field_free(c, field);
		if (s == NULL)
			return 0;
		if (c->secret_cap[slot] < len + 1) {
			size_t cap;

			if ((copy = arena_alloc(len + 1, &cap)) == NULL) {
				err_nomem(e);
				return -1;
			}
			arena_free(c->secret_mem[slot]);
			c->secret_mem[slot] = copy;
			c->secret_cap[slot] = cap;
		}
		memcpy(c->secret_mem[slot], s, len);
		c->secret_mem[slot][len] = '\0';
		*field = c->secret_mem[slot];
		if (slot == 0)
			c->password_len = len;
		return 0;
	}
	if (s != NULL) {
		if ((copy = malloc(len + 1)) == NULL) {
			err_nomem(e);
			return -1;
		}
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	field_free(c, field);
	*field = copy;
	return 0;
}

int
conn_set_str(struct conn *c, char **field, const char *s, struct err *e)
{
	return conn_set(c, field, s, s ? strlen(s) : 0, e);
}

struct conn *
conn_dup(const struct conn *c)
{
	struct conn *d = conn_new();

	if (d == NULL)
		return NULL;
	d->id = c->id;
	d->has_port = c->has_port;
	d->port = c->port;
	d->is_encrypted = c->is_encrypted;
	d->is_extra_encrypted = c->is_extra_encrypted;
	d->password_info = c->password_info;
	d->extra_info = c->extra_info;
#define DUP(f) if (conn_set_str(d, &d->f, c->f, NULL) != 0) goto fail;
	CONN_FIELDS(DUP)
#undef DUP
	/* the password with its length: it may hold a NUL */
	if (conn_set(d, &d->password, c->password, c->password_len, NULL) != 0)
		goto fail;
	return d;
fail:
	conn_free(d);
	return NULL;
}

void
conn_normalize_type(char *type)
{
	char *p;

	if (type == NULL)
		return;
	if (strcmp(type, "postgresql") == 0) {
		strcpy(type, "postgres");
		return;
	}
	for (p = type; *p; p++)
		if (*p == '-')
			*p = '_';
}

int
conn_refuse_nul(const char *what, struct err *e)
{
	err_set(e, ERR_INVALID, "%s holds a NUL character, which ferncon "
	    "refuses: it cannot store such a value whole (Airflow keeps it)",
	    what);
	return -1;
}

int
conn_refuse_surrogate(const char *what, struct err *e)
{
	err_set(e, ERR_INVALID, "%s holds a lone surrogate (such as \\ud800), "
	    "which UTF-8 cannot encode: Airflow fails to store it, and ferncon "
	    "refuses it", what);
	return -1;
}

int
conn_refuse_json(const char *what, const char *text, size_t len,
    struct err *e)
{
	switch (pyjson_why_refused(text, len)) {
	case 0:
		return 0;
	case PYJSON_NUL:
		return conn_refuse_nul(what, e);
	case PYJSON_SURROGATE:
		return conn_refuse_surrogate(what, e);
	default:
		return err_nomem(e);
	}
}

int
conn_env_name(const char *conn_id, char *name, size_t size)
{
	size_t i, n = strlen(conn_id), pre = sizeof CONN_ENV_PREFIX - 1;

	if (n + pre + 1 > size)
		return -1;
	memcpy(name, CONN_ENV_PREFIX, pre);
	/* ASCII only, whatever the locale. */
	for (i = 0; i <= n; i++)
		name[pre + i] = conn_id[i] >= 'a' && conn_id[i] <= 'z' ?
		    (char)(conn_id[i] - 'a' + 'A') : conn_id[i];
	return 0;
}

int
conn_validate_key(const char *conn_id, const struct airflow_version *v,
    struct err *e)
{
	static const char pattern[] = "^[\\w.-]+$";
	static const char what[] = "has to be made of alphanumeric characters, "
	    "dashes, dots and underscores exclusively";
	pcre2_code *re = NULL;
	pcre2_match_data *md = NULL;
	int errcode, rc = -1;
	PCRE2_SIZE erroff;

	if (conn_id == NULL || *conn_id == '\0') {
		err_set(e, ERR_USAGE, "The key '' %s", what);
		return -1;
	}
	/* Python measures length in characters, not bytes. */
	{
		size_t chars = 0;
		const unsigned char *p;

		for (p = (const unsigned char *)conn_id; *p; p++)
			chars += (*p & 0xc0) != 0x80;
		if (chars > 200 && v != NULL && v->major == 2) {
			/* Airflow 2's helpers.validate_key() */
			err_set(e, ERR_USAGE, "The key has to be less than 200 "
			    "characters");
			return -1;
		}
		if (chars > 200) {
			err_set(e, ERR_USAGE, "The key: %.60s... has to be less "
			    "than 200 characters", conn_id);
			return -1;
		}
	}
	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_DOLLAR_ENDONLY, &errcode, &erroff, NULL);
	if (re == NULL || (md = pcre2_match_data_create_from_pattern(re,
	    NULL)) == NULL) {
		err_nomem(e);
		goto out;
	}
	if (pcre2_match(re, (PCRE2_SPTR)conn_id, PCRE2_ZERO_TERMINATED, 0, 0, md,
	    NULL) < 0) {
		/* f"The key {k!r} ...": Python's repr() of the key */
		struct buf r;

		buf_init(&r, 0);
		utf8_py_repr(&r, conn_id, strlen(conn_id));
		if (buf_check(&r, e) == 0)
			err_set(e, ERR_USAGE, "The key %s %s", buf_str(&r), what);
		buf_release(&r);
		goto out;
	}
	rc = 0;
out:
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	return rc;
}

int
conn_validate_id(const char *conn_id, struct err *e)
{
	struct err why;

	err_clear(&why);
	if (conn_validate_key(conn_id, NULL, &why) == 0)
		return 0;
	if (why.code == ERR_USAGE)
		err_set(e, ERR_USAGE, "Could not create connection. %s",
		    why.msg);
	else
		*e = why;
	return -1;
}

int
conn_validate_extra(const char *conn_id, const char *extra, struct err *e)
{
	cJSON *json;
	int is_object;

	if (extra == NULL || *extra == '\0')
		return 0;
	/* json.loads semantics (NaN, Infinity...), and a wiped tree. */
	/* \u0000 and lone surrogates are kept, as json.loads keeps them */
	json = pyjson_loads_kept(extra, strlen(extra));
	if (json == NULL && errno == ENOMEM)
		return err_nomem(e);
	if (json == NULL) {
		const char *end = NULL;
		cJSON *probe = cJSON_ParseWithOpts(extra, &end, 1);
		size_t off = end != NULL && end >= extra ? (size_t)(end - extra) : 0;

		pyjson_free(probe);
		err_set(e, ERR_INVALID, "Encountered non-JSON in `extra` field for "
		    "connection '%s' (at byte %zu)", conn_id ? conn_id : "", off);
		return -1;
	}
	is_object = cJSON_IsObject(json);
	pyjson_free(json);
	if (!is_object) {
		err_set(e, ERR_INVALID, "Encountered JSON value in `extra` which "
		    "does not parse as a dictionary in connection '%s'",
		    conn_id ? conn_id : "");
		return -1;
	}
	return 0;
}

/* -- Connection.from_json ------------------------------------------------ */

int
conn_port_parse(const char *text, size_t len, long *port)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, end = len, n, last;
	unsigned long v = 0, lim;
	uint32_t cp;
	int neg = 0, digits = 0, under = 0;

	while (i < end && (n = utf8_decode(s + i, end - i, &cp)) > 0 &&
	    utf8_py_int_blank(cp))
		i += n;
	while (end > i) {
		/* the last character starts at its last non-continuation byte */
		for (last = end - 1; last > i && (s[last] & 0xC0) == 0x80; last--)
			;
		if (utf8_decode(s + last, end - last, &cp) != end - last ||
		    !utf8_py_int_blank(cp))
			break;
		end = last;
	}
	if (i < end && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	lim = neg ? (unsigned long)LONG_MAX + 1 : (unsigned long)LONG_MAX;
	for (; i < end; i++) {
		if (s[i] == '_') {
			/* one '_' between two digits */
			if (!digits || under)
				return -1;
			under = 1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (lim - (unsigned long)(s[i] - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
		digits = 1;
		under = 0;
	}
	if (!digits || under)
		return -1;
	*port = neg ? (long)(0 - v) : (long)v;
	return 0;
}

/*
 * Python's truth value of a json.loads value: None, False, 0, 0.0, "",
 * [] and {} are false, NaN is true. An int is a cJSON_Raw node holding
 * its digits (pyjson_loads), zero when every digit is 0.
 */
static int
json_truthy(const cJSON *v)
{
	if (v == NULL || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsString(v))
		return v->valuestring[0] != '\0';
	if (cJSON_IsArray(v) || cJSON_IsObject(v))
		return v->child != NULL;
	if (cJSON_IsRaw(v))
		return strspn(v->valuestring, "-0") != strlen(v->valuestring);
	if (cJSON_IsNumber(v))
		return !(v->valuedouble == 0.0);
	return 1;
}

/* int(v) for a true port value v; see conn_parse_json() for the messages. */
static int
json_port(struct conn *c, const cJSON *v, struct err *e)
{
	struct pyjson_opts po = { -1, 0, 1 };
	struct buf b;
	long port = 0;
	double d;

	if (cJSON_IsTrue(v)) {
		port = 1;
	} else if (cJSON_IsRaw(v)) {
		if (conn_port_parse(v->valuestring, strlen(v->valuestring),
		    &port) != 0) {
			err_set(e, ERR_USAGE, "conn-json is invalid; port %.64s is "
			    "out of range", v->valuestring);
			return -1;
		}
	} else if (cJSON_IsNumber(v)) {
		d = v->valuedouble;
		/* int() raises ValueError for NaN, OverflowError for infinities */
		if (isnan(d) || isinf(d)) {
			err_set(e, ERR_USAGE, "Expected integer value for `port`, but "
			    "got %s instead.", isnan(d) ? "nan" : d > 0 ? "inf" :
			    "-inf");
			return -1;
		}
		if (!(d > -9.2e18 && d < 9.2e18)) {
			buf_init(&b, 0);
			if (pyjson_dumps(v, &po, &b, e) == 0)
				err_set(e, ERR_USAGE, "conn-json is invalid; port %.64s "
				    "is out of range", buf_str(&b));
			buf_release(&b);
			return -1;
		}
		/* int(5.9) is 5: toward zero, as a C conversion */
		port = (long)d;
	} else if (cJSON_IsString(v) && pyjson_kept(v->valuestring,
	    strlen(v->valuestring)) != 0) {
		/* int('\x00') raises ValueError, and so does a lone surrogate */
		struct buf raw;

		buf_init(&raw, 0);
		buf_init(&b, 0);
		if (pyjson_kept_utf8(v->valuestring, 0, &raw) == 0) {
			utf8_py_repr(&b, raw.len > 0 ? buf_str(&raw) : "",
			    raw.len);
			if (buf_check(&raw, e) == 0 && buf_check(&b, e) == 0)
				err_set(e, ERR_USAGE, "Expected integer value "
				    "for `port`, but got %s instead.",
				    buf_str(&b));
		} else {
			err_set(e, ERR_USAGE, "Expected integer value for "
			    "`port`, but got a str with a lone surrogate "
			    "instead.");
		}
		buf_release(&raw);
		buf_release(&b);
		return -1;
	} else if (cJSON_IsString(v)) {
		if (conn_port_parse(v->valuestring, strlen(v->valuestring),
		    &port) != 0) {
			buf_init(&b, 0);
			utf8_py_repr(&b, v->valuestring, strlen(v->valuestring));
			if (buf_check(&b, e) == 0)
				err_set(e, ERR_USAGE, "Expected integer value for "
				    "`port`, but got %s instead.", buf_str(&b));
			buf_release(&b);
			return -1;
		}
	} else {
		err_set(e, ERR_USAGE, "Expected integer value for `port`, but got "
		    "a value of type %s instead.", cJSON_IsArray(v) ? "list" :
		    "dict");
		return -1;
	}
	c->has_port = 1;
	c->port = port;
	return 0;
}

int
conn_parse_json(struct conn *c, const char *text, struct err *e)
{
	if (conn_from_json(c, text, NULL, e) != 0)
		return -1;
	if (c->conn_type == NULL) {
		err_set(e, ERR_USAGE, "conn-json is invalid; must supply conn-type");
		return -1;
	}
	return 0;
}

/*
 * A str of the --conn-json tree that becomes a field (what names it): a
 * kept NUL or lone surrogate (pyjson_loads_kept()) is refused, as every
 * field is a C string of UTF-8. 0, or -1 with e set.
 */
static int
json_field_str(const cJSON *v, const char *what, struct err *e)
{
	int why;

	if (!cJSON_IsString(v))
		return 0;
	why = pyjson_kept(v->valuestring, strlen(v->valuestring));
	if (why & PYJSON_NUL)
		return conn_refuse_nul(what, e);
	if (why & PYJSON_SURROGATE)
		return conn_refuse_surrogate(what, e);
	return 0;
}

/*
 * The password from a --conn-json str (tree string s): a kept NUL becomes
 * the byte, as Python's str holds it (Fernet encrypts its UTF-8 bytes);
 * a lone surrogate is refused. 0, or -1 with e set.
 */
static int
json_password(struct conn *c, const char *s, struct err *e)
{
	struct buf raw;
	int rc;

	if (pyjson_kept(s, strlen(s)) == 0)
		return conn_set_str(c, &c->password, s, e);
	buf_init(&raw, 1);
	if (pyjson_kept_utf8(s, 0, &raw) != 0)
		rc = conn_refuse_surrogate("`password`", e);
	else
		rc = buf_check(&raw, e) != 0 ? -1 : conn_set(c, &c->password,
		    raw.len > 0 ? raw.p : "", raw.len, e);
	buf_release(&raw);
	return rc;
}

int
conn_from_json(struct conn *c, const char *text, struct buf *uri,
    struct err *e)
{
	static const char *const names[] = { "description", "host", "login",
	    "password", "schema" };
	char **slots[] = { &c->description, &c->host, &c->login, &c->password,
	    &c->schema };
	struct pyjson_opts po = { -1, 0, 1 };
	struct buf b;
	cJSON *j, *v;
	char what[32];
	size_t i;
	int rc = -1;

	buf_init(&b, 1);
	/* an extra object keeps \u0000 and lone surrogates; fields do not */
	j = pyjson_loads_kept(text, strlen(text));
	if (j == NULL && errno == ENOMEM) {
		err_nomem(e);	/* not "not a JSON object" */
		goto out;
	}
	if (j == NULL || !cJSON_IsObject(j)) {
		err_set(e, ERR_USAGE, "--conn-json is not a JSON object");
		goto out;
	}
	/* In from_json's order: extra, conn_type, port, then Connection(). */
	v = cJSON_GetObjectItemCaseSensitive(j, "extra");
	if (json_truthy(v)) {
		if (cJSON_IsString(v)) {
			if (json_field_str(v, "`extra`", e) != 0 ||
			    conn_set_str(c, &c->extra, v->valuestring, e) != 0)
				goto out;
		} else if (pyjson_dumps(v, &po, &b, e) != 0 ||
		    conn_set(c, &c->extra, buf_str(&b), b.len, e) != 0) {
			goto out;
		}
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "conn_type");
	if (json_truthy(v)) {
		if (!cJSON_IsString(v)) {
			err_set(e, ERR_USAGE, "conn-json is invalid; conn_type must "
			    "be a string");
			goto out;
		}
		if (json_field_str(v, "`conn_type`", e) != 0 ||
		    conn_set_str(c, &c->conn_type, v->valuestring, e) != 0)
			goto out;
		conn_normalize_type(c->conn_type);
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "port");
	if (json_truthy(v) && json_port(c, v, e) != 0)
		goto out;
	cJSON_ArrayForEach(v, j) {
		if (pyjson_kept(v->string, strlen(v->string)) != 0) {
			err_set(e, ERR_USAGE, "conn-json is invalid; unexpected "
			    "key with a NUL or a lone surrogate");
			goto out;
		}
		if (strcmp(v->string, "extra") == 0 ||
		    strcmp(v->string, "conn_type") == 0 ||
		    strcmp(v->string, "port") == 0)
			continue;
		if (strcmp(v->string, "uri") == 0 && uri == NULL) {
			err_set(e, ERR_USAGE, "conn-json is invalid; give a URI with "
			    "--conn-uri, not in the JSON");
			goto out;
		}
		if (strcmp(v->string, "uri") == 0) {
			/* Connection(uri=...): parsed only when true. */
			if (!json_truthy(v))
				continue;
			if (!cJSON_IsString(v)) {
				err_set(e, ERR_USAGE, "conn-json is invalid; `uri` "
				    "must be a string");
				goto out;
			}
			if (json_field_str(v, "`uri`", e) != 0)
				goto out;
			buf_reset(uri);
			buf_adds(uri, v->valuestring);
			if (buf_check(uri, e) != 0)
				goto out;
			continue;
		}
		for (i = 0; i < ARRAY_LEN(names); i++)
			if (strcmp(v->string, names[i]) == 0)
				break;
		if (i == ARRAY_LEN(names)) {
			err_set(e, ERR_USAGE, "conn-json is invalid; unexpected key "
			    "'%.64s'", v->string);
			goto out;
		}
		if (!cJSON_IsNull(v) && !cJSON_IsString(v)) {
			err_set(e, ERR_USAGE, "conn-json is invalid; `%s` must be a "
			    "string or null", names[i]);
			goto out;
		}
		snprintf(what, sizeof what, "`%s`", names[i]);
		if (slots[i] == &c->password && cJSON_IsString(v)) {
			if (json_password(c, v->valuestring, e) != 0)
				goto out;
		} else if (json_field_str(v, what, e) != 0 ||
		    conn_set_str(c, slots[i], cJSON_IsString(v) ?
		    v->valuestring : NULL, e) != 0) {
			goto out;
		}
	}
	rc = 0;
out:
	buf_release(&b);
	pyjson_free(j);
	return rc;
}

/* -- stored form and plaintext ------------------------------------------- */

/* Decrypt one secret field in place; see conn_decrypt(). */
static int
field_decrypt(struct conn *c, char **field, int flag,
    struct conn_secret_info *info, struct keyring *kr, struct err *e)
{
	struct fernet_info fi;
	struct err de;
	char stackbuf[4096], *tok = stackbuf;
	size_t len, cap, outlen = 0;
	int slot = secret_slot(c, field), rc = -1;

	memset(info, 0, sizeof *info);
	info->key_index = -1;
	if (*field == NULL || (slot == 0 ? c->password_len == 0 :
	    **field == '\0')) {
		info->state = CONN_SECRET_EMPTY;
		return 0;
	}
	if (!flag) {
		info->state = CONN_SECRET_PLAIN;
		return 0;
	}
	/* Copy the token out of the slot that will receive the plaintext. */
	len = strlen(*field);
	if (len + 1 > sizeof stackbuf && (tok = malloc(len + 1)) == NULL) {
		err_nomem(e);
		return -1;
	}
	memcpy(tok, *field, len + 1);
	field_free(c, field);
	cap = fernet_plain_max(len) + 1;
	if (c->secret_cap[slot] < cap) {
		size_t got;
		char *mem = arena_alloc(cap, &got);

		if (mem == NULL) {
			err_nomem(e);
			goto out;
		}
		arena_free(c->secret_mem[slot]);
		c->secret_mem[slot] = mem;
		c->secret_cap[slot] = got;
	}
	err_clear(&de);
	if (keyring_enabled(kr) && keyring_decrypt(kr, tok, len,
	    (uint8_t *)c->secret_mem[slot], cap - 1, &outlen, &fi, &de) == 0) {
		c->secret_mem[slot][outlen] = '\0';
		*field = c->secret_mem[slot];
		if (slot == 0)
			c->password_len = outlen;	/* it may hold a NUL */
		info->state = CONN_SECRET_ENCRYPTED;
		info->key_index = fi.key_index;
		info->timestamp = fi.timestamp;
		info->has_timestamp = 1;
	} else {
		/* No memory to try the keys is not "no key opens it". */
		if (de.code != ERR_NOMEM &&
		    fernet_inspect(NULL, 0, tok, len, &fi, &de) == 0) {
			info->timestamp = fi.timestamp;
			info->has_timestamp = 1;
		}
		if (de.code == ERR_NOMEM) {
			err_nomem(e);
			goto out;
		}
		info->state = CONN_SECRET_UNDECRYPTABLE;
	}
	rc = 0;
out:
	if (tok != stackbuf)
		free(tok);
	return rc;
}

int
conn_decrypt(struct conn *c, struct keyring *kr, struct err *e)
{
	if (field_decrypt(c, &c->password, c->is_encrypted, &c->password_info,
	    kr, e) != 0)
		return -1;
	return field_decrypt(c, &c->extra, c->is_extra_encrypted, &c->extra_info,
	    kr, e);
}

/*
 * A password to be written in plain text (len bytes at p): -1 with e set
 * when it holds a NUL, which the stores would cut (they write plain text
 * as a C string; PostgreSQL's text refuses a NUL, under Airflow too).
 */
static int
plain_nul(const char *p, size_t len, struct err *e)
{
	if (p == NULL || memchr(p, '\0', len) == NULL)
		return 0;
	err_set(e, ERR_INVALID, "`password` holds a NUL character, which "
	    "ferncon stores only encrypted: it would write it in plain text "
	    "(encryption off, or a plain stored password kept), and the stores "
	    "write plain text as a C string (PostgreSQL refuses the NUL, "
	    "Airflow's too)");
	return -1;
}

/* Seal one secret field in place; *flag gets the stored flag. */
static int
field_seal(struct conn *c, char **field, int *flag, struct keyring *kr,
    struct err *e)
{
	char stackbuf[4096], *tok = stackbuf;
	size_t len, cap, toklen = 0;
	int rc = -1;

	*flag = 0;
	len = secret_slot(c, field) == 0 ? c->password_len :
	    *field != NULL ? strlen(*field) : 0;
	if (len == 0)
		return 0;
	if (!keyring_enabled(kr))	/* NullFernet: stored as is, flag false */
		return plain_nul(*field, len, e);
	cap = fernet_token_len(len) + 1;
	if (cap > sizeof stackbuf && (tok = malloc(cap)) == NULL) {
		err_nomem(e);
		return -1;
	}
	if (keyring_encrypt(kr, *field, len, tok, cap, &toklen, e) == 0 &&
	    conn_set(c, field, tok, toklen, e) == 0) {
		*flag = 1;
		rc = 0;
	}
	if (tok != stackbuf)
		free(tok);
	return rc;
}

int
conn_seal(struct conn *c, const struct conn *old, struct keyring *kr,
    struct err *e)
{
	int flag;

	if (c->password_len == 0) {
		/* Airflow's set_password() ignores an empty value. */
		if (old != NULL && !old->is_encrypted &&
		    plain_nul(old->password, old->password_len, e) != 0)
			return -1;
		if (conn_set(c, &c->password, old ? old->password : NULL,
		    old ? old->password_len : 0, e) != 0)
			return -1;
		c->is_encrypted = old ? old->is_encrypted : 0;
		c->password_info = old ? old->password_info : c->password_info;
	} else {
		if (field_seal(c, &c->password, &flag, kr, e) != 0)
			return -1;
		c->is_encrypted = flag;
	}
	if (c->extra != NULL && *c->extra == '\0') {
		c->is_extra_encrypted = 0;
		return 0;
	}
	if (field_seal(c, &c->extra, &flag, kr, e) != 0)
		return -1;
	c->is_extra_encrypted = flag;
	return 0;
}
