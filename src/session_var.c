/*
 * session_var.c: the variable use cases of the session (session.h,
 * "variables"): what a role sees of an Airflow Variable, revealing it,
 * setting, deleting, importing and exporting, for both front ends. The
 * rules are those of the connections (session_conn.c, doc/design.md
 * section 4) and Airflow's own for variables (doc/airflow-compat.md
 * section 5, "Variables"): each function checks the role, acts in one
 * transaction and writes one action-log line.
 */
#include "config.h"

#include "session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"
#include "fernet.h"
#include "outfile.h"
#include "pyjson.h"
#include "transfer.h"
#include "utf8.h"

/* Airflow's ID_LEN: the variable key column is String(250). */
#define VAR_KEY_MAX 250

/* The right each operation needs and what a refusal names (session_may()). */
static const struct session_op ops[] = {
	[SESSION_VAR_REVEAL] = { POLICY_REVEAL_VARS, "reveal variable values" },
	[SESSION_VAR_SET] = { POLICY_EDIT_VARS, "set variables" },
	[SESSION_VAR_DELETE] = { POLICY_DELETE_VARS, "delete variables" },
	[SESSION_VAR_IMPORT] = { POLICY_CREATE_VARS, "import variables" },
	[SESSION_VAR_EXPORT] = { POLICY_EXPORT_VARS, "export variables (the file "
	    "holds plaintext values)" },
	[SESSION_VAR_READ] = { POLICY_LIST_VARS, "read variables" },
};

int
session_var_may(struct session *s, enum session_var_op op, struct err *e)
{
	return session_may(s, &ops[op], e);
}

/* -- reading ------------------------------------------------------------- */

void
session_var_clear(struct session_var *v)
{
	if (v == NULL)
		return;
	free(v->key);
	free(v->description);
	sodium_free(v->mem);
	memset(v, 0, sizeof *v);
}

/* Room for need bytes in v->mem (kept when big enough; wiped). */
static int
reserve(struct session_var *v, size_t need, struct err *e)
{
	if (v->mem != NULL && v->cap >= need) {
		sodium_memzero(v->mem, v->cap);
		return 0;
	}
	sodium_free(v->mem);
	v->cap = need < 256 ? 256 : need;
	if ((v->mem = sodium_malloc(v->cap)) == NULL) {
		v->cap = 0;
		return err_nomem(e);
	}
	return 0;
}

/* A locked, NUL-terminated copy of len bytes as v->val. */
static int
set_val(struct session_var *v, const void *p, size_t len, struct err *e)
{
	if (reserve(v, len + 1, e) != 0)
		return -1;
	memcpy(v->mem, p, len);
	v->mem[len] = '\0';
	v->val = v->mem;
	v->len = len;
	return 0;
}

int
session_var_from_row(struct session *s, const struct store_var *row,
    struct session_var *v, struct err *e)
{
	struct keyring *kr;
	struct fernet_info fi;
	struct err de;
	char *mem = v->mem;
	size_t cap = v->cap, n = 0;

	free(v->key);
	free(v->description);
	memset(v, 0, sizeof *v);
	v->mem = mem;
	v->cap = cap;
	if (session_keyring(s, NULL, e) != 0)
		goto fail;
	kr = s->keys->kr;
	v->id = row->id;
	v->is_encrypted = row->is_encrypted;
	if ((v->key = strdup(row->key != NULL ? row->key : "")) == NULL ||
	    (row->description != NULL &&
	    (v->description = strdup(row->description)) == NULL))
		goto nomem;
	if (row->val == NULL) {
		v->info.state = CONN_SECRET_EMPTY;
		return 0;
	}
	if (!row->is_encrypted) {
		v->info.state = row->val_len == 0 ? CONN_SECRET_EMPTY :
		    CONN_SECRET_PLAIN;
		if (set_val(v, row->val, row->val_len, e) != 0)
			goto fail;
		return 0;
	}
	err_clear(&de);
	if (keyring_enabled(kr) &&
	    reserve(v, fernet_plain_max(row->val_len) + 1, e) != 0)
		goto fail;
	if (keyring_enabled(kr) && keyring_decrypt(kr, row->val, row->val_len,
	    (uint8_t *)v->mem, v->cap - 1, &n, &fi, &de) == 0) {
		v->mem[n] = '\0';
		v->val = v->mem;
		v->len = n;
		v->info.state = CONN_SECRET_ENCRYPTED;
		v->info.key_index = keyring_which(kr, row->val, row->val_len,
		    NULL);
		v->info.timestamp = fi.timestamp;
		v->info.has_timestamp = 1;
	} else if (de.code == ERR_NOMEM) {
		goto nomem;
	} else {
		/* No key, or none that opens it: the token's time if it has one. */
		v->info.state = CONN_SECRET_UNDECRYPTABLE;
		err_clear(&de);
		if (fernet_inspect(NULL, 0, row->val, row->val_len, &fi,
		    &de) == 0) {
			v->info.timestamp = fi.timestamp;
			v->info.has_timestamp = 1;
		}
	}
	return 0;
nomem:
	err_nomem(e);
fail:
	session_var_clear(v);
	return -1;
}

/*
 * Look key up: 1 with the stored row in *row (valid until the iterator in
 * *it is freed, which the caller does), 0 when there is none, -1 with e.
 */
static int
lookup(struct session *s, const char *key, struct store_iter **it,
    struct store_var *row, struct err *e)
{
	struct store_var_query q;

	memset(&q, 0, sizeof q);
	q.key = key;
	q.limit = 1;
	if (store_var_list(s->store, &q, it, e) != 0)
		return -1;
	return store_var_next(*it, row, e);
}

/* The stored row with key into v; ERR_NOTFOUND when there is none. */
static int
read_row(struct session *s, const char *key, struct session_var *v,
    struct err *e)
{
	struct store_iter *it = NULL;
	struct store_var row;
	int rc = lookup(s, key, &it, &row, e);

	if (rc == 1)
		rc = session_var_from_row(s, &row, v, e) == 0 ? 1 : -1;
	store_iter_free(it);
	if (rc == 0)
		err_set(e, ERR_NOTFOUND, "Variable %s does not exist", key);
	return rc == 1 ? 0 : -1;
}

int
session_var_get(struct session *s, const char *key, struct session_var *v,
    struct err *e)
{
	memset(v, 0, sizeof *v);
	if (session_load_rows(s, e) != 0)
		return -1;
	return read_row(s, key, v, e);
}

/* -- display ------------------------------------------------------------- */

/* The value rules, made once per session; no key, no hash file. */
static int
var_audit(struct session *s, struct err *e)
{
	struct audit_opts o;

	if (s->var_audit != NULL)
		return 0;
	memset(&o, 0, sizeof o);
	o.mask = s->mask;
	o.version = store_airflow_version(s->store);
	o.no_hash = 1;
	return audit_new(&s->var_audit, &o, e);
}

int
session_var_display(struct session *s, const struct session_var *v,
    int reveal, struct buf *out, int *masked, struct err *e)
{
	size_t start = out->len;
	int n = 0, found = 0;

	if (masked != NULL)
		*masked = 0;
	if (session_load_rows(s, e) != 0 || session_var_may(s, reveal ?
	    SESSION_VAR_REVEAL : SESSION_VAR_READ, e) != 0)
		return -1;
	if (v->val == NULL)
		return 0;
	if (reveal) {
		buf_add(out, v->val, v->len);
		return buf_check(out, e);
	}
	/* The display copy, then shown only when the audit finds no secret
	   in it. */
	if (mask_var(s->mask, v->key, v->val, v->len, out, &n, e) != 0)
		return -1;
	if (out->len == start)
		return buf_check(out, e);	/* an empty value */
	if (!(n == 1 && strcmp(out->p + start, MASK_REPLACEMENT) == 0) &&
	    (var_audit(s, e) != 0 || audit_var_secret(s->var_audit, v->key,
	    out->p + start, out->len - start, &found, e) != 0))
		return -1;
	if (found) {
		sodium_memzero(out->p + start, out->len - start);
		out->len = start;
		out->p[start] = '\0';
		buf_adds(out, MASK_REPLACEMENT);
		n++;
	}
	if (masked != NULL)
		*masked = n > 0;
	return buf_check(out, e);
}

int
session_var_reveal(struct session *s, const char *key, const char *detail,
    struct err *e)
{
	if (session_var_may(s, SESSION_VAR_REVEAL, e) != 0)
		return -1;
	return policy_log(&s->policy, "variable-reveal", key, detail, e);
}

/* -- set ----------------------------------------------------------------- */

static int key_exists(struct session *s, const char *key, struct err *e);

/*
 * Write val (as stored) as key in the open transaction, as Variable.set()
 * does for the DB's version (doc/airflow-compat.md section 5,
 * "Variables"): Airflow 2 deletes the row and inserts a new one (a new
 * id; apache/airflow commit c873bd5: airflow/models/variable.py lines
 * 181-183); Airflow 3 upserts on "key" (airflow-core/src/airflow/models/
 * variable.py, Variable.set(): build_upsert_stmt() on ["key"], updating
 * val, description and is_encrypted, lines 286-293 at commit 0614346 as
 * tests/cli_var.sh cites; at commit e0b55c2 (3.2) an insert with an
 * on-conflict update on "key" per dialect, lines 260-319, which also
 * sets team_name), so a row that exists keeps its id.
 */
static int
write_row(struct session *s, const char *key, const char *val, size_t len,
    int is_encrypted, const char *description, struct err *e)
{
	struct err why;
	int rc;

	if (store_airflow_version(s->store)->major >= 3) {
		if ((rc = key_exists(s, key, e)) < 0)
			return -1;
		if (rc == 1)
			return store_var_update(s->store, key, val, len,
			    is_encrypted, description, e);
	} else {
		err_clear(&why);
		if (store_var_delete(s->store, key, &why) != 0 &&
		    why.code != ERR_NOTFOUND) {
			*e = why;
			return -1;
		}
	}
	return store_var_insert(s->store, key, val, len, is_encrypted,
	    description, e);
}

/*
 * Store val as key in the open transaction (write_row()), encrypted with
 * the primary key when there is one.
 */
static int
put_row(struct session *s, const char *key, const char *val, size_t len,
    const char *description, int *plain, struct err *e)
{
	struct keyring *kr = s->keys->kr;
	char *tok = NULL;
	size_t cap, n = 0;
	int rc;

	if (!keyring_enabled(kr)) {
		if (plain != NULL)
			*plain = 1;
		return write_row(s, key, val, len, 0, description, e);
	}
	cap = fernet_token_len(len) + 1;
	if ((tok = sodium_malloc(cap)) == NULL)
		return err_nomem(e);
	rc = keyring_encrypt(kr, val, len, tok, cap, &n, e) != 0 ||
	    write_row(s, key, tok, n, 1, description, e) != 0 ? -1 : 0;
	sodium_free(tok);
	return rc;
}

static int
check_key(const char *key, struct err *e)
{
	if (key == NULL || *key == '\0') {
		err_set(e, ERR_USAGE, "a variable key may not be empty");
		return -1;
	}
	if (strlen(key) > VAR_KEY_MAX) {
		err_set(e, ERR_USAGE, "a variable key is at most %d bytes",
		    VAR_KEY_MAX);
		return -1;
	}
	return 0;
}

int
session_var_set(struct session *s, const char *key, const char *val,
    size_t len, const char *description, int json, int *plain,
    const char *detail, struct err *e)
{
	struct buf enc;
	int rc;

	if (plain != NULL)
		*plain = 0;
	if (session_var_may(s, SESSION_VAR_SET, e) != 0 || session_load_rows(s, e) != 0 ||
	    check_key(key, e) != 0)
		return -1;
	buf_init(&enc, 1);
	if (json) {
		/* json.dumps(value, indent=2) of a str is the quoted string. */
		pyjson_dump_str(&enc, val, len, 1);
		if (buf_check(&enc, e) != 0) {
			buf_release(&enc);
			return -1;
		}
		val = buf_str(&enc);
		len = enc.len;
	}
	if (store_begin(s->store, e) != 0) {
		buf_release(&enc);
		return -1;
	}
	rc = put_row(s, key, val, len, description, plain, e);
	buf_release(&enc);
	if (rc != 0 || store_commit(s->store, e) != 0) {
		store_rollback(s->store);
		return -1;
	}
	return policy_log(&s->policy, "variable-set", key, detail, e) == 0 ?
	    0 : 1;
}

/* -- delete -------------------------------------------------------------- */

int
session_var_delete(struct session *s, const char *key, const char *detail,
    struct err *e)
{
	if (session_var_may(s, SESSION_VAR_DELETE, e) != 0 ||
	    session_store(s, e) != 0 ||
	    store_var_delete(s->store, key, e) != 0)
		return -1;
	return policy_log(&s->policy, "variable-delete", key, detail, e) == 0 ?
	    0 : 1;
}

/* -- import -------------------------------------------------------------- */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A sorted copy of the keys of obj that pass keep (NULL: all). */
struct keylist {
	char	**k;
	size_t	  n;
};

static int
keylist_add(struct keylist *l, const char *k, struct err *e)
{
	char **nk = realloc(l->k, (l->n + 1) * sizeof *nk);

	if (nk == NULL)
		return err_nomem(e);
	l->k = nk;
	if ((l->k[l->n] = strdup(k)) == NULL)
		return err_nomem(e);
	l->n++;
	return 0;
}

static void
keylist_free(struct keylist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->k[i]);
	free(l->k);
	memset(l, 0, sizeof *l);
}

/* 1 if key is stored, 0 if not, -1 with e set. */
static int
key_exists(struct session *s, const char *key, struct err *e)
{
	struct store_iter *it = NULL;
	struct store_var row;
	int rc = lookup(s, key, &it, &row, e);

	store_iter_free(it);
	return rc;
}

/* The keys of the file that exist, sorted (Python's sorted(set)). */
static int
existing_keys(struct session *s, const cJSON *file, struct keylist *l,
    struct err *e)
{
	const cJSON *m;
	int rc;

	cJSON_ArrayForEach(m, file) {
		if ((rc = key_exists(s, m->string, e)) < 0)
			return -1;
		if (rc == 1 && keylist_add(l, m->string, e) != 0)
			return -1;
	}
	if (l->n > 1)
		qsort(l->k, l->n, sizeof *l->k, cmp_str);
	return 0;
}

/* One variable of the file: what Airflow's import hands Variable.set. */
static int
import_one(struct session *s, const cJSON *m, int v3, int *plain,
    struct err *e)
{
	struct pyjson_opts po = { 2, 0, 1 };
	const cJSON *value = m, *d;
	const char *description = NULL;
	struct buf text;
	int rc;

	if (v3 && cJSON_IsObject(m) &&
	    (d = cJSON_GetObjectItemCaseSensitive(m, "value")) != NULL) {
		value = d;
		d = cJSON_GetObjectItemCaseSensitive(m, "description");
		if (cJSON_IsString(d))
			description = d->valuestring;
	}
	if (cJSON_IsString(value))
		return put_row(s, m->string, value->valuestring,
		    strlen(value->valuestring), description, plain, e);
	buf_init(&text, 1);
	rc = pyjson_dumps(value, &po, &text, e) != 0 ||
	    buf_check(&text, e) != 0 ||
	    put_row(s, m->string, buf_str(&text), text.len, description, plain,
	    e) != 0 ? -1 : 0;
	buf_release(&text);
	return rc;
}

static int
import_rows(struct session *s, const cJSON *file,
    enum session_var_existing existing, struct session_var_import *out,
    struct keylist *skipped, struct err *e)
{
	int v3 = store_airflow_version(s->store)->major >= 3, rc;
	const cJSON *m;

	cJSON_ArrayForEach(m, file) {
		if (existing == SESSION_VAR_SKIP) {
			if ((rc = key_exists(s, m->string, e)) < 0)
				return -1;
			if (rc == 1) {
				if (keylist_add(skipped, m->string, e) != 0)
					return -1;
				continue;
			}
		}
		if (check_key(m->string, e) != 0 ||
		    import_one(s, m, v3, &out->plain, e) != 0)
			return -1;
		out->done++;
	}
	return 0;
}

/*
 * The variables of the file as the DB's Airflow reads them
 * (doc/airflow-compat.md section 5, "Variables"): up to 3.0 json.loads()
 * of the file, whatever its name, anything but an object being "Invalid
 * variables file."; from 3.1 load_variables(), json, yaml or env by the
 * extension (transfer_read_vars()). An unknown version is the newest.
 */
static int
read_file(struct session *s, const char *path, const char *text, size_t len,
    cJSON **file, struct err *e)
{
	const struct airflow_version *v = store_airflow_version(s->store);

	if (v->major == 0 || airflow_version_at_least(v, 3, 1, 0))
		return transfer_read_vars(path, text, len, file, e);
	if ((*file = pyjson_loads(text, len)) == NULL && errno == ENOMEM)
		return err_nomem(e);
	if (!cJSON_IsObject(*file)) {
		pyjson_free(*file);
		*file = NULL;
		err_set(e, ERR_INVALID, "Invalid variables file.");
		return -1;
	}
	return 0;
}

int
session_var_import(struct session *s, const char *path, const char *text,
    size_t len, enum session_var_existing existing,
    struct session_var_import *out, struct err *e)
{
	struct keylist exist = { NULL, 0 }, skipped = { NULL, 0 };
	struct buf msg;
	struct err logerr;
	cJSON *file = NULL;
	const cJSON *m;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof *out);
	buf_init(&msg, 0);
	if (session_restricted_path(s, SESSION_GUARD_IMPORT_FILE, path, e) != 0 ||
	    session_var_may(s, SESSION_VAR_IMPORT, e) != 0 ||
	    session_load_rows(s, e) != 0)
		return -1;
	if (read_file(s, path, text, len, &file, e) != 0)
		return -1;
	cJSON_ArrayForEach(m, file)
		out->total++;
	if (existing == SESSION_VAR_FAIL) {
		if (existing_keys(s, file, &exist, e) != 0)
			goto out;
		if (exist.n > 0) {
			buf_adds(&msg, "Failed. These keys: [");
			for (i = 0; i < exist.n; i++) {
				if (i > 0)
					buf_adds(&msg, ", ");
				utf8_py_repr(&msg, exist.k[i],
				    strlen(exist.k[i]));
			}
			buf_adds(&msg, "] already exists.");
			if (buf_check(&msg, e) == 0)
				err_set(e, ERR_INVALID, "%s", buf_str(&msg));
			goto out;
		}
	}
	if (store_begin(s->store, e) != 0)
		goto out;
	if (import_rows(s, file, existing, out, &skipped, e) != 0 ||
	    store_commit(s->store, e) != 0) {
		store_rollback(s->store);
		out->done = 0;
		goto out;
	}
	if (skipped.n > 1)
		qsort(skipped.k, skipped.n, sizeof *skipped.k, cmp_str);
	out->skipped = skipped.k;
	out->n_skipped = skipped.n;
	skipped.k = NULL;
	skipped.n = 0;
	rc = 0;
	err_clear(&logerr);
	cJSON_ArrayForEach(m, file) {
		if (out->n_skipped > 0 && bsearch(&m->string, out->skipped,
		    out->n_skipped, sizeof *out->skipped, cmp_str) != NULL)
			continue;
		if (policy_log(&s->policy, "variable-import", m->string, path,
		    &logerr) != 0) {
			*e = logerr;
			rc = 1;
		}
	}
out:
	pyjson_free(file);
	keylist_free(&exist);
	keylist_free(&skipped);
	buf_release(&msg);
	return rc;
}

void
session_var_import_release(struct session_var_import *im)
{
	struct keylist l;

	if (im == NULL)
		return;
	l.k = im->skipped;
	l.n = im->n_skipped;
	keylist_free(&l);
	memset(im, 0, sizeof *im);
}

/* -- export -------------------------------------------------------------- */

/*
 * The value Airflow's export writes for v (2.x: json.JSONDecoder().decode
 * of the value, else the text; 3.x: the same, but a decoded string gives
 * the text as stored, and a description, or a decoded object with "value",
 * wraps it as {"value", "description"}). A new tree, or NULL with e set.
 */
static cJSON *
export_value(const struct session_var *v, int v3, struct err *e)
{
	cJSON *val = NULL, *wrap;

	if (v->val == NULL) {
		val = cJSON_CreateNull();
	} else {
		val = pyjson_loads(v->val, v->len);
		if (val == NULL && errno == ENOMEM)
			goto nomem;
		if (val == NULL || (v3 && cJSON_IsString(val))) {
			pyjson_free(val);
			val = cJSON_CreateString(v->val);
		}
	}
	if (val == NULL)
		goto nomem;
	if (!v3 || !((v->description != NULL && *v->description != '\0') ||
	    (cJSON_IsObject(val) &&
	    cJSON_GetObjectItemCaseSensitive(val, "value") != NULL)))
		return val;
	if ((wrap = cJSON_CreateObject()) == NULL) {
		pyjson_free(val);
		goto nomem;
	}
	cJSON_AddItemToObject(wrap, "value", val);
	if ((v->description != NULL ?
	    cJSON_AddStringToObject(wrap, "description", v->description) :
	    cJSON_AddNullToObject(wrap, "description")) == NULL) {
		pyjson_free(wrap);
		goto nomem;
	}
	return wrap;
nomem:
	err_nomem(e);
	return NULL;
}

/*
 * One "key": value member of the top object, at indent level 1, as
 * json.dump(indent=4, sort_keys=True) writes it: dumped as {key: value}
 * and taken from between the outer braces.
 */
static int
export_member(FILE *f, const struct session_var *v, int v3, size_t n,
    struct err *e)
{
	struct pyjson_opts po = { 4, 1, 1 };
	cJSON *one = NULL, *val;
	struct buf b;
	const char *p, *q;
	int rc = -1;

	buf_init(&b, 1);
	if ((val = export_value(v, v3, e)) == NULL)
		goto out;
	if ((one = cJSON_CreateObject()) == NULL) {
		pyjson_free(val);
		err_nomem(e);
		goto out;
	}
	cJSON_AddItemToObject(one, v->key, val);
	if (pyjson_dumps(one, &po, &b, e) != 0 || buf_check(&b, e) != 0)
		goto out;
	p = strchr(buf_str(&b), '\n');
	q = strrchr(buf_str(&b), '\n');
	if (p == NULL || q == NULL || q <= p) {
		err_set(e, ERR_INVALID, "variable '%s' could not be written",
		    v->key);
		goto out;
	}
	if (fputs(n == 0 ? "{" : ",", f) == EOF ||
	    fwrite(p, 1, (size_t)(q - p), f) != (size_t)(q - p)) {
		err_set(e, ERR_IO, "cannot write the export: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	pyjson_free(one);
	buf_release(&b);
	return rc;
}

static int
export_rows(struct session *s, struct session_export *x, FILE *f,
    struct err *e)
{
	int v3 = store_airflow_version(s->store)->major >= 3, rc;
	struct store_iter *it = NULL;
	struct session_var v;
	struct store_var row;

	memset(&v, 0, sizeof v);
	/* Key order in bytes is sort_keys' code point order. */
	if (store_var_list(s->store, NULL, &it, e) != 0)
		return -1;
	while ((rc = store_var_next(it, &row, e)) == 1) {
		if ((rc = session_var_from_row(s, &row, &v, e)) != 0)
			break;
		if (v.info.state == CONN_SECRET_UNDECRYPTABLE) {
			if (x->skipped != NULL)
				x->skipped(x->arg, v.key, "val");
			x->n_skipped++;
		} else if ((rc = export_member(f, &v, v3, x->n, e)) != 0) {
			break;
		} else {
			x->n++;
		}
	}
	session_var_clear(&v);
	store_iter_free(it);
	if (rc < 0)
		return -1;
	if (fputs(x->n == 0 ? "{}" : "\n}", f) == EOF) {
		err_set(e, ERR_IO, "cannot write the export: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int
session_var_export(struct session *s, struct session_export *x,
    struct err *e)
{
	struct outfile *of = NULL;
	FILE *f = x->stream;

	x->n = x->n_skipped = x->n_stale = 0;
	if (session_restricted_path(s, SESSION_GUARD_EXPORT_FILE, x->path,
	    e) != 0)
		return -1;
	if (session_var_may(s, SESSION_VAR_EXPORT, e) != 0 ||
	    session_load_rows(s, e) != 0)
		return -1;
	if (strcmp(x->path, "-") != 0) {
		if (outfile_open(&of, x->path, x->overwrite, e) != 0)
			return -1;
		f = outfile_stream(of);
		x->n_stale = outfile_stale_removed(of);
	}
	if (policy_log(&s->policy, "variable-export", NULL, x->path, e) != 0 ||
	    export_rows(s, x, f, e) != 0) {
		outfile_abort(of);
		return -1;
	}
	return of != NULL ? outfile_commit(of, e) : (fflush(f) == 0 ? 0 :
	    (err_set(e, ERR_IO, "cannot write the export: %s",
	    strerror(errno)), -1));
}
