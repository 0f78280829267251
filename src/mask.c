/*
 * mask.c: Airflow's sensitive-field matching and `***` redaction (see
 * mask.h). The names are kept as plain strings: Airflow's rule is a
 * substring test, so no regular expression is needed.
 */
#include "config.h"

#include "mask.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "pyjson.h"
#include "utf8.h"

struct mask {
	char	**names;
	size_t	  n;
	int	  hide;
	int	  match_all;	/* an empty configured entry matches every key */
};

/*
 * DEFAULT_SENSITIVE_FIELDS, 2.10 (apache/airflow commit c873bd5:
 * airflow/utils/log/secrets_masker.py lines 57-72).
 */
static const char *const base_names[] = {
	"access_token", "api_key", "apikey", "authorization", "passphrase",
	"passwd", "password", "private_key", "secret", "token", "keyfile_dict",
	"service_account",
};
static const char *const names_316[] = { "proxy", "proxy_password", "proxies" };
static const char *const names_32[] = { "access_key", "connection_string" };

static int
add_name(struct mask *m, const char *s, size_t len)
{
	char **grown = realloc(m->names, (m->n + 1) * sizeof *m->names);

	if (grown == NULL)
		return -1;
	m->names = grown;
	if ((m->names[m->n] = strndup(s, len)) == NULL)
		return -1;
	m->n++;
	return 0;
}

int
mask_new(struct mask **out, struct config *cfg, const struct airflow_version *v,
    struct err *e)
{
	struct mask *m;
	struct config_value extra;
	size_t i;
	int newest = v == NULL || v->major == 0;

	*out = NULL;
	if ((m = calloc(1, sizeof *m)) == NULL)
		goto nomem;
	m->hide = 1;
	for (i = 0; i < sizeof base_names / sizeof base_names[0]; i++)
		if (add_name(m, base_names[i], strlen(base_names[i])) != 0)
			goto nomem;
	if (newest || airflow_version_at_least(v, 3, 1, 6))
		for (i = 0; i < sizeof names_316 / sizeof names_316[0]; i++)
			if (add_name(m, names_316[i], strlen(names_316[i])) != 0)
				goto nomem;
	if (newest || airflow_version_at_least(v, 3, 2, 0))
		for (i = 0; i < sizeof names_32 / sizeof names_32[0]; i++)
			if (add_name(m, names_32[i], strlen(names_32[i])) != 0)
				goto nomem;
	if (cfg != NULL) {
		if (config_get_bool(cfg, "core", "hide_sensitive_var_conn_fields", 1,
		    &m->hide, e) != 0 ||
		    config_get(cfg, "core", "sensitive_var_conn_names", &extra,
		    e) != 0)
			goto fail;
		if (extra.value != NULL && *extra.value != '\0') {
			const char *p = extra.value;

			for (;;) {
				size_t len = strcspn(p, ",");
				const char *s = p, *end = p + len;

				while (s < end && isspace((unsigned char)*s))
					s++;
				while (end > s && isspace((unsigned char)end[-1]))
					end--;
				if (end == s)
					m->match_all = 1;
				else if (add_name(m, s, (size_t)(end - s)) != 0)
					goto nomem;
				if (p[len] == '\0')
					break;
				p += len + 1;
			}
		}
	}
	*out = m;
	return 0;
nomem:
	err_nomem(e);
fail:
	mask_free(m);
	return -1;
}

void
mask_free(struct mask *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->n; i++)
		free(m->names[i]);
	free(m->names);
	free(m);
}

/*
 * should_hide_value_for_key(): a str key is sensitive when one of the
 * names is a substring of key.strip().lower() (doc/airflow-compat.md
 * section 6), Python's Unicode strip and lower (utf8_py_lower()), so that
 * a KELVIN SIGN lowers to 'k' there too.
 */
int
mask_is_sensitive(const struct mask *m, const char *name)
{
	const unsigned char *p;
	size_t i, len, n, a = 0;
	uint32_t cp;
	struct buf low;
	int hit = 0;

	if (!m->hide || name == NULL)
		return 0;
	if (m->match_all)
		return 1;
	p = (const unsigned char *)name;
	len = strlen(name);
	/* str.strip(): Unicode whitespace, separators 0x1c-0x1f included */
	while (a < len) {
		n = utf8_decode(p + a, len - a, &cp);
		if (cp == UTF8_BAD || !(utf8_py_int_blank(cp) ||
		    (cp >= 0x1c && cp <= 0x1f)))
			break;
		a += n;
	}
	while (len > a) {
		for (i = len - 1; i > a && (p[i] & 0xc0) == 0x80; i--)
			;
		n = utf8_decode(p + i, len - i, &cp);
		if (i + n != len || cp == UTF8_BAD || !(utf8_py_int_blank(cp) ||
		    (cp >= 0x1c && cp <= 0x1f)))
			break;
		len = i;
	}
	buf_init(&low, 0);
	utf8_py_lower(&low, name + a, len - a);
	if (buf_check(&low, NULL) != 0) {
		buf_release(&low);
		return 1;	/* out of memory: hide, the safe side */
	}
	for (i = 0; i < m->n && !hit; i++)
		hit = memmem(buf_str(&low), low.len, m->names[i],
		    strlen(m->names[i])) != NULL || *m->names[i] == '\0';
	buf_release(&low);
	return hit;
}

/* Airflow's _redact_all: every string below becomes the replacement. */
static int
redact_all(cJSON *node)
{
	cJSON *child;
	int n = 0;

	if (cJSON_IsString(node)) {
		sodium_memzero(node->valuestring, strlen(node->valuestring));
		if (cJSON_SetValuestring(node, MASK_REPLACEMENT) == NULL)
			return 0;
		return 1;
	}
	cJSON_ArrayForEach(child, node)
		n += redact_all(child);
	return n;
}

int
mask_tree(const struct mask *m, cJSON *node)
{
	cJSON *child;
	int n = 0;

	if (!m->hide)
		return 0;
	cJSON_ArrayForEach(child, node) {
		if (cJSON_IsObject(node) && mask_is_sensitive(m, child->string))
			n += redact_all(child);
		else
			n += mask_tree(m, child);
	}
	return n;
}

/* -- the display copy of a connection ------------------------------------ */

void
mask_view_release(struct mask_view *v)
{
	if (v == NULL)
		return;
	conn_free(v->conn);
	pyjson_free(v->extra);
	memset(v, 0, sizeof *v);
}

/* hidden and shown of a view whose extra_state is set; see mask_conn(). */
static void
mask_view_describe(struct mask_view *v, const struct conn *c, int reveal)
{
	v->hidden = v->extra_state == MASK_EXTRA_WITHHELD;
	switch (v->extra_state) {
	case MASK_EXTRA_JSON:
		v->shown = reveal ? "revealed" : "masked";
		break;
	case MASK_EXTRA_WITHHELD:
		v->shown = "not a JSON object; hidden";
		break;
	case MASK_EXTRA_RAW:
		v->shown = "revealed; not JSON";
		break;
	default:
		v->shown = "none";
		break;
	}
	if (c->extra_info.state == CONN_SECRET_UNDECRYPTABLE) {
		v->hidden = 1;
		v->shown = "undecryptable; hidden";
	}
}

int
mask_conn(const struct mask *m, const struct conn *c, int reveal,
    struct mask_view *out, struct err *e)
{
	struct pyjson_opts po = { -1, 0, 1 };
	struct conn *d;
	struct buf b;
	cJSON *tree = NULL;
	int rc = -1;

	memset(out, 0, sizeof *out);
	buf_init(&b, 1);
	if ((d = conn_dup(c)) == NULL) {
		err_nomem(e);
		return -1;
	}
	if (!reveal && d->password_len > 0 &&
	    conn_set_str(d, &d->password, MASK_REPLACEMENT, e) != 0)
		goto out;
	if (d->extra != NULL && *d->extra != '\0') {
		tree = pyjson_loads_kept(d->extra, strlen(d->extra));
		if (tree == NULL && errno == ENOMEM) {
			err_nomem(e);	/* not "an extra that is not JSON" */
			goto out;
		}
		if (reveal) {
			out->extra_state = tree != NULL ? MASK_EXTRA_JSON :
			    MASK_EXTRA_RAW;
		} else if (!cJSON_IsObject(tree)) {
			/* Withheld: it may hold anything. */
			pyjson_free(tree);
			tree = NULL;
			out->extra_state = MASK_EXTRA_WITHHELD;
			if (conn_set_str(d, &d->extra, NULL, e) != 0)
				goto out;
		} else {
			out->masked = mask_tree(m, tree);
			out->extra_state = MASK_EXTRA_JSON;
			if (pyjson_dumps(tree, &po, &b, e) != 0 ||
			    conn_set(d, &d->extra, buf_str(&b), b.len, e) != 0)
				goto out;
		}
	}
	mask_view_describe(out, c, reveal);
	out->conn = d;
	out->extra = tree;
	d = NULL;
	tree = NULL;
	rc = 0;
out:
	buf_release(&b);
	pyjson_free(tree);
	conn_free(d);
	if (rc != 0)
		memset(out, 0, sizeof *out);
	return rc;
}

/* -- the display copy of a variable -------------------------------------- */

int
mask_var(const struct mask *m, const char *key, const char *val, size_t len,
    struct buf *out, int *masked, struct err *e)
{
	struct pyjson_opts po = { -1, 0, 1 };
	cJSON *tree = NULL;
	size_t i = 0;
	int rc = 0;

	*masked = 0;
	if (mask_is_sensitive(m, key)) {
		*masked = 1;
		buf_adds(out, MASK_REPLACEMENT);
		return buf_check(out, e);
	}
	while (i < len && (val[i] == ' ' || val[i] == '\t' || val[i] == '\n' ||
	    val[i] == '\r'))
		i++;
	if (i < len && (val[i] == '{' || val[i] == '[')) {
		/* \u0000 and lone surrogates kept: the value is still masked */
		tree = pyjson_loads_kept(val, len);
		if (tree == NULL && errno == ENOMEM)
			return err_nomem(e);
	}
	if (tree != NULL && (cJSON_IsObject(tree) || cJSON_IsArray(tree)) &&
	    (*masked = mask_tree(m, tree)) > 0)
		rc = pyjson_dumps(tree, &po, out, e);
	else
		buf_add(out, val, len);
	pyjson_free(tree);
	return rc == 0 ? buf_check(out, e) : -1;
}

/* -- saving an edited extra ---------------------------------------------- */

/* 1 if masking changes v: a string, or a container that holds one. */
static int
holds_string(const cJSON *v)
{
	const cJSON *child;

	if (cJSON_IsString(v))
		return 1;
	cJSON_ArrayForEach(child, v)
		if (holds_string(child))
			return 1;
	return 0;
}

/* Both objects or both lists: a container that restore_into() can walk. */
static int
same_container(const cJSON *a, const cJSON *b)
{
	return (cJSON_IsObject(a) && cJSON_IsObject(b)) ||
	    (cJSON_IsArray(a) && cJSON_IsArray(b));
}

/*
 * mask_restore() on the members of now against old, two containers of the
 * same kind at the same path; sensitive: that path is below a sensitive
 * key, so every member is.
 */
static int
restore_into(const struct mask *m, cJSON *now, const cJSON *old,
    int sensitive, struct err *e)
{
	cJSON *it, *next, *copy;
	const cJSON *was;
	int i = 0, n = 0, r, below;

	for (it = now->child; it != NULL; it = next, i++) {
		next = it->next;
		if (cJSON_IsObject(now)) {
			was = cJSON_GetObjectItemCaseSensitive(old, it->string);
			below = sensitive || mask_is_sensitive(m, it->string);
		} else {
			was = cJSON_GetArrayItem(old, i);
			below = sensitive;
		}
		if (was == NULL)
			continue;	/* added by the user */
		if (below && cJSON_IsString(it) &&
		    strcmp(it->valuestring, MASK_REPLACEMENT) == 0 &&
		    holds_string(was)) {
			/* The copy keeps was's key, which is it's key. */
			if ((copy = cJSON_Duplicate(was, 1)) == NULL) {
				err_nomem(e);
				return -1;
			}
			cJSON_ReplaceItemViaPointer(now, it, copy);
			n++;
		} else if (same_container(it, was)) {
			if ((r = restore_into(m, it, was, below, e)) < 0)
				return -1;
			n += r;
		}
	}
	return n;
}

int
mask_restore(const struct mask *m, cJSON *edited, const cJSON *stored,
    struct err *e)
{
	if (!m->hide || !same_container(edited, stored))
		return 0;
	return restore_into(m, edited, stored, 0, e);
}

int
mask_merge_extra(const struct mask *m, const char *edited, const char *stored,
    struct buf *out, struct err *e)
{
	struct pyjson_opts po = { -1, 0, 1 };
	cJSON *now = NULL, *old = NULL;
	int n = -1;

	if (edited == NULL)
		return 0;
	/*
	 * Out of memory is not "not JSON": saving edited as it is would write
	 * its "***" over the stored secrets.
	 */
	if (stored != NULL &&
	    ((now = pyjson_loads_kept(edited, strlen(edited))) == NULL ||
	    (old = pyjson_loads_kept(stored, strlen(stored))) == NULL) &&
	    errno == ENOMEM) {
		n = err_nomem(e);
		goto out;
	}
	if (stored == NULL || now == NULL || old == NULL) {
		/* Nothing to merge in an extra that is not JSON. */
		buf_adds(out, edited);
		n = buf_check(out, e) == 0 ? 0 : -1;
		goto out;
	}
	if ((n = mask_restore(m, now, old, e)) < 0)
		goto out;
	if (pyjson_dumps(now, &po, out, e) != 0)
		n = -1;
out:
	pyjson_free(now);
	pyjson_free(old);
	return n;
}
