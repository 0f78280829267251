/*
 * session_conn.c: the connection use cases of the session (session.h,
 * "connections"): what a role sees of a connection, revealing it, adding,
 * editing, deleting, importing and exporting. Both front ends call these
 * and decide nothing themselves: each function checks the role, acts in
 * one transaction and writes one line to the action log, so the rules of
 * doc/design.md section 4 and Airflow's write rules (conn.h, mask.h) are
 * applied in one place, where the unit tests reach them.
 */
#include "config.h"

#include "session.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conn.h"
#include "connwin.h"
#include "outfile.h"
#include "pyjson.h"
#include "uri.h"

/* The right each operation needs and what a refusal names (session_may()). */
static const struct session_op ops[] = {
	[SESSION_CONN_REVEAL] = { POLICY_REVEAL, "reveal passwords" },
	[SESSION_CONN_ADD] = { POLICY_CREATE, "add connections" },
	[SESSION_CONN_EDIT] = { POLICY_EDIT, "edit connections" },
	[SESSION_CONN_DELETE] = { POLICY_DELETE, "delete connections" },
	[SESSION_CONN_IMPORT] = { POLICY_CREATE, "import connections" },
	[SESSION_CONN_EXPORT] = { POLICY_EXPORT, "export connections (the file "
	    "holds plaintext passwords)" },
	[SESSION_CONN_LIST] = { POLICY_LIST, "list or open connections" },
};

int
session_conn_flag_audit(struct session *s, struct session_keys *k,
    struct keyring *kr, struct store *st, struct audit **out, struct err *e)
{
	struct audit_opts ao;

	memset(&ao, 0, sizeof ao);
	ao.cfg = k->cfg;
	ao.kr = kr != NULL && keyring_enabled(kr) ? kr : NULL;
	ao.mask = s->mask;
	ao.version = st != NULL ? store_airflow_version(st) : NULL;
	ao.min_severity = AUDIT_SEV_INFO;
	ao.no_hash = 1;
	return audit_new(out, &ao, e);
}

int
session_conn_may(struct session *s, enum session_conn_op op, struct err *e)
{
	return session_may(s, &ops[op], e);
}

int
session_conn_get(struct session *s, const char *conn_id, struct conn *c,
    struct err *e)
{
	if (session_load_rows(s, e) != 0 ||
	    session_may(s, &ops[SESSION_CONN_LIST], e) != 0 ||
	    store_conn_get(s->store, conn_id, c, e) != 0)
		return -1;
	return conn_decrypt(c, s->keys->kr, e);
}

/* -- the environment's connections --------------------------------------- */

/*
 * The AIRFLOW_CONN_<ID> variable of conn_id into name (conn_env_name()),
 * and its value; NULL when it is unset, and always in restricted mode:
 * there the environment is the account's own (session_identity()), and the
 * caller's variables, which are gone, must not define a connection that
 * the account's role would then show as the account's.
 */
static const char *
env_conn_value(const struct session *s, const char *conn_id, char *name,
    size_t size)
{
	*name = '\0';
	if (s->id.restricted || conn_env_name(conn_id, name, size) != 0) {
		*name = '\0';
		return NULL;
	}
	return getenv(name);
}

/*
 * The value v of the variable name as conn_id into c:
 * BaseSecretsBackend.deserialize_connection(), the value stripped, then
 * Connection.from_json() when it starts with "{", else Connection(uri=).
 */
static int
env_conn_parse(struct session *s, const char *conn_id, const char *name,
    const char *v, struct conn *c, struct err *e)
{
	struct conn tmp;
	size_t len;
	int rc;

	while (*v == ' ' || (*v >= '\t' && *v <= '\r'))
		v++;
	len = strlen(v);
	while (len > 0 && (v[len - 1] == ' ' ||
	    (v[len - 1] >= '\t' && v[len - 1] <= '\r')))
		len--;
	if (conn_set_str(c, &c->conn_id, conn_id, e) != 0 ||
	    conn_set(c, &c->password, v, len, e) != 0)
		return -1;
	/* The stripped text, in locked memory, parsed in place of itself. */
	memset(&tmp, 0, sizeof tmp);
	rc = *c->password == '{' ? uri_conn_json(&tmp, c->password,
	    store_airflow_version(s->store), 0, e) : uri_parse(c->password,
	    store_airflow_version(s->store), &tmp, e);
	if (rc == 0) {
#define MOVE(f) if (rc == 0) rc = conn_set_str(c, &c->f, tmp.f, e);
		MOVE(conn_type) MOVE(description) MOVE(host) MOVE(schema)
		MOVE(login) MOVE(extra)
#undef MOVE
		if (rc == 0)	/* with its length: it may hold a NUL */
			rc = conn_set(c, &c->password, tmp.password,
			    tmp.password_len, e);
		c->has_port = tmp.has_port;
		c->port = tmp.port;
	}
	conn_clear(&tmp);
	if (rc != 0) {
		err_prefix(e, "%s", name);
		return -1;
	}
	c->password_info.state = c->password_len > 0 ?
	    CONN_SECRET_PLAIN : CONN_SECRET_EMPTY;
	c->extra_info.state = c->extra != NULL && *c->extra ?
	    CONN_SECRET_PLAIN : CONN_SECRET_EMPTY;
	return 0;
}

int
session_conn_env_get(struct session *s, const char *conn_id, struct conn *c,
    char *env_name, size_t env_size, struct err *e)
{
	const char *v;

	*env_name = '\0';
	if (session_load_rows(s, e) != 0 ||
	    session_may(s, &ops[SESSION_CONN_LIST], e) != 0)
		return -1;
	if ((v = env_conn_value(s, conn_id, env_name, env_size)) == NULL) {
		err_set(e, ERR_NOTFOUND, "'%s' is not defined in the environment "
		    "(%s)", conn_id, s->id.restricted ? "restricted mode reads "
		    "no AIRFLOW_CONN_ variable" : "no AIRFLOW_CONN_ variable of "
		    "that name");
		return -1;
	}
	return env_conn_parse(s, conn_id, env_name, v, c, e);
}

int
session_conn_lookup(struct session *s, const char *conn_id, struct conn *c,
    char *env_name, size_t env_size, struct err *e)
{
	const char *v;

	*env_name = '\0';
	if (session_load_rows(s, e) != 0)
		return -1;
	v = env_conn_value(s, conn_id, env_name, env_size);
	if (v == NULL) {
		*env_name = '\0';
		if (session_conn_get(s, conn_id, c, e) == 0)
			return 0;
		if (e->code == ERR_NOTFOUND)
			err_set(e, ERR_NOTFOUND, "Connection not found.");
		return -1;
	}
	return env_conn_parse(s, conn_id, env_name, v, c, e);
}

int
session_conn_env_shadows(const struct session *s, const char *conn_id,
    char *name, size_t size)
{
	if (env_conn_value(s, conn_id, name, size) != NULL)
		return 1;
	*name = '\0';
	return 0;
}

static int
env_row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct conn_row *)a)->conn_id,
	    ((const struct conn_row *)b)->conn_id);
}

/*
 * The conn_id an AIRFLOW_CONN_ variable named name (up to len bytes)
 * answers for, lower-cased, into id; 0 when there is none: the name has
 * no id, or a lower-case ASCII letter, which conn_id.upper() never gives,
 * so that no task can read the variable.
 */
static int
env_row_id(const char *name, size_t len, char *id, size_t size)
{
	size_t pre = sizeof CONN_ENV_PREFIX - 1, i;

	if (len <= pre || len - pre + 1 > size ||
	    strncmp(name, CONN_ENV_PREFIX, pre) != 0)
		return 0;
	for (i = pre; i < len; i++) {
		if (name[i] >= 'a' && name[i] <= 'z')
			return 0;
		id[i - pre] = name[i] >= 'A' && name[i] <= 'Z' ?
		    (char)(name[i] - 'A' + 'a') : name[i];
	}
	id[len - pre] = '\0';
	return 1;
}

int
session_conn_env_rows(struct session *s, struct conn_row **rows, size_t *n,
    struct err *e)
{
	extern char **environ;
	struct conn_row *out = NULL;
	struct conn *c = NULL;
	struct err why;
	char id[256], name[320];
	const char *eq, *v;
	size_t i, k = 0, cap = 0;

	*rows = NULL;
	*n = 0;
	if (session_load_rows(s, e) != 0 ||
	    session_may(s, &ops[SESSION_CONN_LIST], e) != 0)
		return -1;
	if (s->id.restricted)
		return 0;
	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		cap++;
	if (cap == 0)
		return 0;
	if ((out = calloc(cap, sizeof *out)) == NULL || (c = conn_new()) == NULL)
		goto nomem;
	for (i = 0; environ[i] != NULL && k < cap; i++) {
		if ((eq = strchr(environ[i], '=')) == NULL ||
		    !env_row_id(environ[i], (size_t)(eq - environ[i]), id,
		    sizeof id) || (v = env_conn_value(s, id, name,
		    sizeof name)) == NULL)
			continue;
		conn_reset(c);
		err_clear(&why);
		if (env_conn_parse(s, id, name, v, c, &why) != 0) {
			/* Listed all the same, as Airflow would fail on it. */
			conn_reset(c);
			if (why.code == ERR_NOMEM ||
			    conn_set_str(c, &c->conn_id, id, e) != 0 ||
			    conn_set_str(c, &c->description, "does not parse as "
			    "a connection: Enter shows why", e) != 0)
				goto fail;
		}
		if (connwin_row_fill(&out[k], c, e) != 0)
			goto fail;
		out[k++].env = 1;
	}
	conn_free(c);
	if (k > 1)
		qsort(out, k, sizeof *out, env_row_cmp);
	*rows = out;
	*n = k;
	return 0;
nomem:
	err_nomem(e);
fail:
	conn_free(c);
	session_conn_env_rows_free(out, k);
	return -1;
}

void
session_conn_env_rows_free(struct conn_row *rows, size_t n)
{
	while (rows != NULL && n > 0)
		connwin_row_release(&rows[--n]);
	free(rows);
}

int
session_conn_env_refuse(const char *conn_id, enum session_conn_op op,
    struct err *e)
{
	static const char *const verb[] = {
		[SESSION_CONN_REVEAL] = "revealed",
		[SESSION_CONN_ADD] = "added",
		[SESSION_CONN_EDIT] = "edited",
		[SESSION_CONN_DELETE] = "deleted",
		[SESSION_CONN_IMPORT] = "imported",
		[SESSION_CONN_EXPORT] = "exported",
		[SESSION_CONN_LIST] = "listed",
	};
	char name[320];

	if (conn_env_name(conn_id, name, sizeof name) != 0)
		snprintf(name, sizeof name, "%s", CONN_ENV_PREFIX "<ID>");
	err_set(e, ERR_DENIED, "'%s' comes from the environment variable %s, "
	    "which ferncon only reads: it cannot be %s here (change the "
	    "variable where it is set)", conn_id, name, verb[op]);
	return -1;
}

int
session_conn_display(struct session *s, const struct conn *c, int reveal,
    struct mask_view *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	if (session_load_rows(s, e) != 0 ||
	    (reveal && session_conn_may(s, SESSION_CONN_REVEAL, e) != 0))
		return -1;
	return mask_conn(s->mask, c, reveal, out, e);
}

int
session_conn_reveal(struct session *s, const char *conn_id, const char *detail,
    struct err *e)
{
	/* Logged before anything is shown: a reveal that cannot be logged
	   does not happen. */
	if (session_conn_may(s, SESSION_CONN_REVEAL, e) != 0)
		return -1;
	return policy_log(&s->policy, "reveal", conn_id, detail, e);
}

/*
 * Connection._validate_extra(): Airflow 3 refuses an extra that is not a
 * JSON object (conn_validate_extra()); Airflow 2 only warns
 * (RemovedInAirflow3Warning) and stores it, and so does ferncon on a 2.x
 * DB, leaving a warning for the front end. \u0000 and lone surrogate
 * escapes are kept on both, as json.loads keeps them (pyjson_loads_kept()).
 * 0, or -1 with e set.
 */
static int
extra_allowed(struct session *s, const struct conn *c, struct err *e)
{
	struct err why;

	err_clear(&why);
	if (conn_validate_extra(c->conn_id, c->extra, &why) == 0)
		return 0;
	if (why.code == ERR_INVALID &&
	    store_airflow_version(s->store)->major == 2) {
		s->warning = "an extra that is not a JSON object was stored: "
		    "Airflow 2 warns that support for it will be removed in "
		    "Airflow 3.0, and Airflow 3 refuses it";
		return 0;
	}
	*e = why;
	return -1;
}

/* -- save ---------------------------------------------------------------- */

/*
 * 1 if the stored extra is kept as stored: no key opens it, or it is not
 * a JSON object, which the display copy withholds, so nobody could have
 * edited it; else 0, or -1 with e set (out of memory, which is not "not
 * JSON").
 */
static int
extra_opaque(const struct conn *plain, struct err *e)
{
	cJSON *tree;
	int opaque;

	if (plain->extra_info.state == CONN_SECRET_UNDECRYPTABLE)
		return 1;
	if (plain->extra == NULL || *plain->extra == '\0')
		return 0;
	tree = pyjson_loads_kept(plain->extra, strlen(plain->extra));
	if (tree == NULL && errno == ENOMEM)
		return err_nomem(e);
	opaque = !cJSON_IsObject(tree);
	pyjson_free(tree);
	return opaque;
}

/*
 * c->extra after the *** merge against base (plaintext, may be NULL):
 * Airflow 3's PATCH rule, in locked memory.
 */
static int
merge_extra(struct session *s, struct conn *c, const char *base, struct err *e)
{
	struct buf merged;
	int rc = -1;

	if (c->extra == NULL)
		return 0;
	buf_init(&merged, 1);
	if (mask_merge_extra(s->mask, c->extra, base, &merged, e) < 0)
		goto out;
	if (buf_check(&merged, e) != 0 ||
	    conn_set(c, &c->extra, buf_str(&merged), merged.len, e) != 0)
		goto out;
	rc = 0;
out:
	buf_release(&merged);
	return rc;
}

/* The edit half of a save, in the open transaction. */
static int
save_edit(struct session *s, struct conn *c, struct session_save *o,
    struct err *e)
{
	struct conn *raw = conn_new(), *plain = NULL;
	int keep_raw = 0, rc = -1;

	if (raw == NULL)
		return err_nomem(e);
	if (store_conn_get(s->store, c->conn_id, raw, e) != 0)
		goto out;
	if ((plain = conn_dup(raw)) == NULL) {
		err_nomem(e);
		goto out;
	}
	if (conn_decrypt(plain, s->keys->kr, e) != 0)
		goto out;
	c->id = raw->id;
	if (conn_set_str(c, &c->team_name, raw->team_name, e) != 0)
		goto out;
	switch (o->extra) {
	case SESSION_EXTRA_STORED:
		if ((keep_raw = extra_opaque(plain, e)) < 0)
			goto out;
		if (conn_set_str(c, &c->extra, keep_raw ? NULL : plain->extra,
		    e) != 0)
			goto out;
		break;
	case SESSION_EXTRA_EDITED:
		if (merge_extra(s, c, plain->extra_info.state ==
		    CONN_SECRET_UNDECRYPTABLE ? NULL : plain->extra, e) != 0)
			goto out;
		break;
	case SESSION_EXTRA_GIVEN:
		break;
	}
	if (extra_allowed(s, c, e) != 0) {
		o->bad = SESSION_SAVE_BAD_EXTRA;
		goto out;
	}
	if (conn_seal(c, raw, s->keys->kr, e) != 0)
		goto out;
	if (keep_raw) {
		/* As stored, token and flag: nothing here can open or read it. */
		if (conn_set_str(c, &c->extra, raw->extra, e) != 0)
			goto out;
		c->is_extra_encrypted = raw->is_extra_encrypted;
	}
	rc = store_conn_update(s->store, c, e);
out:
	conn_free(plain);
	conn_free(raw);
	return rc;
}

/* The add half of a save, in the open transaction. */
static int
save_add(struct session *s, struct conn *c, struct session_save *o,
    struct err *e)
{
	if (o->extra == SESSION_EXTRA_EDITED &&
	    merge_extra(s, c, o->extra_base, e) != 0)
		return -1;
	if (extra_allowed(s, c, e) != 0) {
		o->bad = SESSION_SAVE_BAD_EXTRA;
		return -1;
	}
	c->id = 0;
	if (conn_seal(c, NULL, s->keys->kr, e) != 0)
		return -1;
	return store_conn_insert(s->store, c, e);
}

int
session_conn_save(struct session *s, struct conn *c, struct session_save *o,
    struct err *e)
{
	int rc;

	o->bad = SESSION_SAVE_OK;
	if (session_conn_may(s, o->add ? SESSION_CONN_ADD : SESSION_CONN_EDIT,
	    e) != 0 || session_load_rows(s, e) != 0)
		return -1;
	if (conn_validate_id(c->conn_id, e) != 0) {
		o->bad = SESSION_SAVE_BAD_ID;
		return -1;
	}
	if (o->add && o->extra == SESSION_EXTRA_STORED) {
		err_set(e, ERR_INVALID, "a new connection has no stored extra "
		    "to keep");
		return -1;
	}
	if (store_begin(s->store, e) != 0)
		return -1;
	rc = o->add ? save_add(s, c, o, e) : save_edit(s, c, o, e);
	if (rc != 0 || store_commit(s->store, e) != 0) {
		store_rollback(s->store);
		return -1;
	}
	return policy_log(&s->policy, o->add ? "add" : "edit", c->conn_id,
	    o->detail, e) == 0 ? 0 : 1;
}

/* -- delete -------------------------------------------------------------- */

int
session_conn_delete(struct session *s, const char *conn_id, const char *detail,
    struct err *e)
{
	/* No key is needed: a row that no key opens can be deleted. */
	if (session_conn_may(s, SESSION_CONN_DELETE, e) != 0 ||
	    session_store(s, e) != 0 ||
	    store_conn_delete(s->store, conn_id, e) != 0)
		return -1;
	return policy_log(&s->policy, "delete", conn_id, detail, e) == 0 ? 0 : 1;
}

/* -- import -------------------------------------------------------------- */

/*
 * --overwrite of an existing row as Airflow's session.merge() of the new
 * Connection (doc/airflow-compat.md section 5): what the constructor
 * assigned replaces the row, what it left unset is kept. c is sealed here;
 * old is the row as stored.
 */
static int
import_merge(struct session *s, struct conn *c, const struct conn *old,
    int extra_unset, struct err *e)
{
	const struct airflow_version *v = store_airflow_version(s->store);

	c->id = old->id;
	/* Airflow 3.2's constructor assigns team_name (unknown: newest). */
	if (v->major != 0 && !airflow_version_at_least(v, 3, 2, 0) &&
	    conn_set_str(c, &c->team_name, old->team_name, e) != 0)
		return -1;
	/* An empty password is not assigned (set_password): old one kept. */
	if (conn_seal(c, old, s->keys->kr, e) != 0)
		return -1;
	if (extra_unset) {
		/* A URI without a query assigns no extra: as stored. */
		if (conn_set_str(c, &c->extra, old->extra, e) != 0)
			return -1;
		c->is_extra_encrypted = old->is_extra_encrypted;
	}
	return store_conn_update(s->store, c, e);
}

/* Write the file's connections, in the open transaction. */
static int
import_rows(struct session *s, struct session_import *im, int overwrite,
    struct err *e)
{
	struct conn old;
	struct err why;
	size_t i;
	int exists, rc = -1;

	memset(&old, 0, sizeof old);
	for (i = 0; i < im->set.n; i++) {
		struct conn *c = im->set.conns[i];

		err_clear(&why);
		/* _import_helper() validates every id and goes on. */
		if (conn_validate_key(c->conn_id, store_airflow_version(s->store),
		    &why) != 0) {
			if (why.code != ERR_USAGE) {
				*e = why;
				goto out;
			}
			im->outcome[i] = SESSION_IMPORT_BAD_ID;
			continue;
		}
		if (extra_allowed(s, c, &why) != 0) {
			im->outcome[i] = SESSION_IMPORT_BAD_EXTRA;
			continue;
		}
		conn_reset(&old);
		exists = store_conn_get(s->store, c->conn_id, &old, &why) == 0;
		if (!exists && why.code != ERR_NOTFOUND) {
			*e = why;
			goto out;
		}
		if (exists && !overwrite) {
			im->outcome[i] = SESSION_IMPORT_EXISTS;
			continue;
		}
		if (exists) {
			if (import_merge(s, c, &old, im->set.extra_unset[i],
			    e) != 0)
				goto out;
		} else {
			c->id = 0;
			if (conn_seal(c, NULL, s->keys->kr, e) != 0 ||
			    store_conn_insert(s->store, c, e) != 0)
				goto out;
		}
		im->outcome[i] = SESSION_IMPORT_DONE;
	}
	rc = 0;
out:
	conn_clear(&old);
	return rc;
}

int
session_conn_import(struct session *s, const char *path, int overwrite,
    struct session_import *out, struct err *e)
{
	struct err logerr;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof *out);
	/* Restricted mode reads stdin ("-") only. */
	if (session_restricted_path(s, SESSION_GUARD_IMPORT_FILE, path, e) != 0)
		return -1;
	if (session_conn_may(s, SESSION_CONN_IMPORT, e) != 0 ||
	    session_load_rows(s, e) != 0 ||
	    transfer_read(path, store_airflow_version(s->store), &out->set,
	    e) != 0)
		return -1;
	if ((out->outcome = calloc(out->set.n + 1, 1)) == NULL)
		return err_nomem(e);
	if (store_begin(s->store, e) != 0)
		return -1;
	if (import_rows(s, out, overwrite, e) != 0 ||
	    store_commit(s->store, e) != 0) {
		store_rollback(s->store);
		memset(out->outcome, 0, out->set.n);
		return -1;
	}
	err_clear(&logerr);
	for (i = 0; i < out->set.n; i++) {
		if (out->outcome[i] != SESSION_IMPORT_DONE)
			continue;
		out->done++;
		if (policy_log(&s->policy, "import", out->set.conns[i]->conn_id,
		    NULL, &logerr) != 0) {
			*e = logerr;
			rc = 1;
		}
	}
	return rc;
}

void
session_import_release(struct session_import *im)
{
	if (im == NULL)
		return;
	transfer_set_free(&im->set);
	free(im->outcome);
	memset(im, 0, sizeof *im);
}

/* -- export -------------------------------------------------------------- */

/* Decrypt each row and write it; skip (and report) the ones no key opens. */
static int
export_rows(struct session *s, struct session_export *x,
    struct transfer_writer *w, struct err *e)
{
	struct store_iter *it = NULL;
	struct store_query q;
	struct conn c;
	int rc;

	memset(&c, 0, sizeof c);
	/*
	 * Airflow reads select(Connection).order_by(Connection.conn_id): json
	 * and env list the rows in the database's collation (byte order on
	 * SQLite, the server's on PostgreSQL); yaml.dump sorts the keys itself,
	 * in code point order, which is byte order.
	 */
	memset(&q, 0, sizeof q);
	q.db_order = x->fmt != TRANSFER_YAML;
	if (store_conn_iter(s->store, &q, &it, e) != 0)
		return -1;
	while ((rc = store_iter_next(it, &c, e)) == 1) {
		if ((rc = conn_decrypt(&c, s->keys->kr, e)) != 0)
			break;
		if (c.password_info.state == CONN_SECRET_UNDECRYPTABLE ||
		    c.extra_info.state == CONN_SECRET_UNDECRYPTABLE) {
			if (x->skipped != NULL)
				x->skipped(x->arg, c.conn_id,
				    c.password_info.state ==
				    CONN_SECRET_UNDECRYPTABLE ? "password" :
				    "extra");
			x->n_skipped++;
			continue;
		}
		if ((rc = transfer_writer_add(w, &c, e)) != 0)
			break;
	}
	store_iter_free(it);
	conn_clear(&c);
	return rc < 0 ? -1 : 0;
}

int
session_conn_export(struct session *s, struct session_export *x,
    struct err *e)
{
	struct transfer_writer *w = NULL;
	struct outfile *of = NULL;
	FILE *f = x->stream;

	x->n = x->n_skipped = x->n_stale = 0;
	/* In restricted mode only "-" (stdout). */
	if (session_restricted_path(s, SESSION_GUARD_EXPORT_FILE, x->path,
	    e) != 0)
		return -1;
	if (session_conn_may(s, SESSION_CONN_EXPORT, e) != 0 ||
	    session_load_rows(s, e) != 0)
		return -1;
	/* A path that may not be written is refused before the log line. */
	if (strcmp(x->path, "-") != 0) {
		if (outfile_open(&of, x->path, x->overwrite, e) != 0)
			return -1;
		f = outfile_stream(of);
		x->n_stale = outfile_stale_removed(of);
	}
	if (policy_log(&s->policy, "export", NULL, x->path, e) != 0 ||
	    transfer_writer_new(&w, f, x->fmt, x->ser,
	    store_airflow_version(s->store), e) != 0 ||
	    export_rows(s, x, w, e) != 0 ||
	    transfer_writer_finish(w, &x->n, e) != 0)
		goto fail;
	transfer_writer_free(w);
	return of != NULL ? outfile_commit(of, e) : 0;
fail:
	transfer_writer_free(w);
	outfile_abort(of);
	return -1;
}
