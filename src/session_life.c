/*
 * session_life.c: the lifecycle use cases of the session (session.h,
 * "lifecycle"): encrypt-plaintext, rotate, the lost-key probe, the key
 * wizard's writes of [core] fernet_key, and the audit's start. Both front
 * ends call these; neither checks the role or writes the action log for
 * them any more. Each use case checks the role first, so that a refusal
 * has read, written and logged nothing; the jobs themselves (one
 * transaction, progress, cancel, verify) are lifecycle.c's, and the file
 * rewrite is cfgwrite.c's.
 *
 * The log lines keep the words each front end wrote before the use cases
 * moved here; `via` tells them apart.
 */
#include "config.h"

#include "session.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Log one line; a failure is left in log_err, never undoes the action. */
static void
log_line(struct session *s, const char *action, const char *detail,
    struct err *log_err)
{
	err_clear(log_err);
	if (policy_log(&s->policy, action, NULL, detail, log_err) != 0)
		return;	/* log_err says why; the caller warns */
}

/* The role check every use case starts with (the policy is loaded first). */
static int
check(struct session *s, enum policy_action a, const char *what, struct err *e)
{
	if (session_config(s, e) != 0 || session_policy(s, e) != 0)
		return -1;
	return policy_check(&s->policy, a, what, e);
}

/*
 * --airflow-version or [console] airflow_version names the exact release
 * (doc/airflow-compat.md section 1.4: 3.1.0 to 3.1.7 share one alembic
 * head, and 3.1.6 changed URI query typing and proxy masking): the store
 * takes it when its head fits.
 */
static int
assume_version(struct session *s, struct store *st, struct err *e)
{
	struct config_value cv;
	struct airflow_version v;

	if (st == NULL)
		return 0;
	if (session_named_version(s, &cv, e) != 0)
		return -1;
	if (cv.value == NULL || *cv.value == '\0')
		return 0;
	if (airflow_version_parse(cv.value, &v) != 0) {
		err_set(e, ERR_CONFIG, "%s: the Airflow version must be X.Y.Z, "
		    "such as 3.1.6", cv.origin);
		return -1;
	}
	if (store_assume_version(st, &v, e) != 0) {
		err_prefix(e, "%s", cv.origin);
		return -1;
	}
	return 0;
}

/*
 * The DB just opened tells the Airflow version; the configuration then
 * reads only the names that version has (config_set_airflow_major()). A
 * URL that came from [core] sql_alchemy_conn, which Airflow 3.0 removed,
 * is then not the DB Airflow uses: the one it does use is opened instead,
 * with a warning.
 */
static int
follow_version(struct session *s, struct store **out,
    const struct config_value *url, struct store_opts *o, struct err *e)
{
	const struct airflow_version *v = store_airflow_version(*out);
	struct config_value now;
	char was[512];

	if (v->major < 3)
		return 0;
	snprintf(was, sizeof was, "%s", url->origin ? url->origin : "");
	config_set_airflow_major(s->keys->cfg, v->major);
	if (config_db_url(s->keys->cfg, &now, e) != 0) {
		store_close(*out);
		*out = NULL;
		return -1;
	}
	if (strcmp(was, now.origin ? now.origin : "") == 0)
		return 0;
	store_close(*out);
	*out = NULL;
	s->warning = "the DB that [core] sql_alchemy_conn names is an Airflow 3 "
	    "DB, and Airflow 3 does not read that option (removed in 3.0): "
	    "ferncon uses the DB Airflow 3 uses, [database] sql_alchemy_conn "
	    "or its default";
	if (store_open(out, now.value, o, e) != 0) {
		err_prefix(e, "Airflow 3 ignores [core] sql_alchemy_conn (%s); its "
		    "DB (%s)", was, now.origin ? now.origin : "default");
		return -1;
	}
	return 0;
}

int
session_store_open(struct session *s, struct store **out, struct err *e)
{
	struct config_value url, schema;
	struct store_opts o;

	*out = NULL;
	if (session_config(s, e) != 0 ||
	    config_db_url(s->keys->cfg, &url, e) != 0 ||
	    config_get(s->keys->cfg, "database", "sql_alchemy_schema", &schema,
	    e) != 0)
		return -1;
	memset(&o, 0, sizeof o);
	o.schema = schema.value;
	if (store_open(out, url.value, &o, e) != 0)
		return -1;
	if (assume_version(s, *out, e) != 0 ||
	    follow_version(s, out, &url, &o, e) != 0 ||
	    assume_version(s, *out, e) != 0) {
		store_close(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* -- jobs ---------------------------------------------------------------- */

int
session_job_open(struct session *s, const char *what,
    const struct session_job_opts *o, struct session_job **out,
    struct err *e)
{
	static const struct session_job_opts none;
	struct lifecycle_opts lo;
	const struct config_value *k;
	struct session_job *j;

	*out = NULL;
	if (o == NULL)
		o = &none;
	if (check(s, POLICY_ADMIN, what, e) != 0 ||
	    session_keyring(s, NULL, e) != 0 ||
	    (!o->own_store && session_store(s, e) != 0))
		return -1;
	if ((j = calloc(1, sizeof *j)) == NULL) {
		err_nomem(e);
		return -1;
	}
	j->s = s;
	j->via = o->via;
	j->keys = session_keys_ref(s);
	j->store = s->store;
	if (o->own_store) {
		if (session_store_open(s, &j->own, e) != 0)
			goto fail;
		j->store = j->own;
	}
	memset(&lo, 0, sizeof lo);
	lo.progress = o->progress;
	lo.progress_arg = o->progress_arg;
	lo.cancel = o->cancel;
	k = &j->keys->origin;
	if (lifecycle_new(&j->lc, j->store, k->value ? k->value : "", k->value ?
	    k->len : 0, &lo, e) != 0)
		goto fail;
	*out = j;
	return 0;
fail:
	session_job_free(j);
	return -1;
}

void
session_job_free(struct session_job *j)
{
	if (j == NULL)
		return;
	lifecycle_free(j->lc);
	store_close(j->own);
	session_keys_unref(j->keys);
	free(j);
}

int
session_job_preflight(struct session_job *j, struct lifecycle_preflight *out,
    struct err *e)
{
	return lifecycle_preflight(j->lc, 0, out, e);
}

int
session_job_encrypt(struct session_job *j, struct lifecycle_result *out,
    struct err *log_err, struct err *e)
{
	char detail[128];

	err_clear(log_err);
	if (policy_check(&j->s->policy, POLICY_ADMIN, "encrypt plaintext values",
	    e) != 0 || lifecycle_encrypt(j->lc, out, e) != 0)
		return -1;
	if (j->via != NULL)
		snprintf(detail, sizeof detail, "%s: %zu encrypted", j->via,
		    out->total_changed);
	else
		snprintf(detail, sizeof detail, "encrypted %zu values",
		    out->total_changed);
	log_line(j->s, "encrypt-plaintext", detail, log_err);
	return 0;
}

int
session_job_rotate(struct session_job *j, unsigned flags,
    struct lifecycle_result *out, struct err *log_err, struct err *e)
{
	char detail[256];
	int rc;

	err_clear(log_err);
	if (policy_check(&j->s->policy, POLICY_ADMIN, "rotate the Fernet key",
	    e) != 0)
		return -1;
	rc = lifecycle_rotate(j->lc, flags, out, e);
	if (!out->committed)
		return rc;
	if (j->via != NULL)
		snprintf(detail, sizeof detail, "%s: %zu rotated, %zu skipped, "
		    "verify %s", j->via, out->total_changed, out->total_skipped,
		    out->verify.ok ? "ok" : "failed");
	else
		snprintf(detail, sizeof detail, "rotated %zu values, skipped %zu "
		    "undecryptable, verify %s", out->total_changed,
		    out->total_skipped, rc == 0 && out->verify.ok ? "ok" :
		    "FAILED");
	log_line(j->s, j->via != NULL ? "rotate" : "rotate-fernet-key", detail,
	    log_err);
	return rc;
}

int
session_job_probe(struct session_job *j, const char *candidates, size_t len,
    struct lifecycle_probe *out, struct err *log_err, struct err *e)
{
	char detail[128];

	err_clear(log_err);
	if (policy_check(&j->s->policy, POLICY_ADMIN, "probe keys", e) != 0 ||
	    lifecycle_probe(j->lc, candidates, len, out, e) != 0)
		return -1;
	snprintf(detail, sizeof detail, "%s%sprobed candidate keys",
	    j->via ? j->via : "", j->via ? ": " : "");
	log_line(j->s, "key-probe", detail, log_err);
	return 0;
}

/* -- the key list -------------------------------------------------------- */

int
session_key_generate(struct session *s, char *key, struct err *e)
{
	if (check(s, POLICY_ADMIN, "use the key wizard", e) != 0)
		return -1;
	keyring_generate(key);
	return 0;
}

int
session_key_write(struct session *s, enum session_key_write how,
    const char *key, size_t klen, struct cfgwrite_plan *plan,
    struct err *log_err, struct err *e)
{
	const struct config_value *k;
	const char *action, *detail;
	char *list = NULL;
	size_t cap, len = 0, olen;
	int rc = -1;

	err_clear(log_err);
	if (check(s, POLICY_ADMIN, how == SESSION_KEY_APPEND ? "change the key "
	    "list" : "use the key wizard", e) != 0 ||
	    session_keyring(s, NULL, e) != 0)
		return -1;
	k = &s->keys->origin;
	olen = how != SESSION_KEY_ALONE && k->value != NULL ? k->len : 0;
	cap = klen + 1 + olen + 1;
	/* The list holds keys: locked memory, wiped by sodium_free(). */
	if ((list = sodium_malloc(cap)) == NULL) {
		err_set(e, ERR_NOMEM, "out of locked memory");
		return -1;
	}
	if (how == SESSION_KEY_APPEND && olen > 0) {
		memcpy(list, k->value, olen);
		len = olen;
		list[len++] = ',';
	}
	memcpy(list + len, key, klen);
	len += klen;
	if (how == SESSION_KEY_PREPEND && olen > 0) {
		list[len++] = ',';
		memcpy(list + len, k->value, olen);
		len += olen;
	}
	list[len] = '\0';
	if (cfgwrite_fernet_key(s->keys->cfg, list, len, plan, e) != 0)
		goto out;
	switch (how) {
	case SESSION_KEY_PREPEND:
		action = "key-wizard";
		detail = "wrote new,old";
		break;
	case SESSION_KEY_ALONE:
		action = "key-wizard";
		detail = "dropped the old keys";
		break;
	default:
		action = "key-probe";
		detail = "added a found key to the end of the key list";
		break;
	}
	log_line(s, action, detail, log_err);
	if (session_reload_keys(s, e) != 0) {
		struct err why = *e;

		err_set(e, why.code, "written, but %.480s", why.msg);
		goto out;
	}
	rc = 0;
out:
	sodium_free(list);
	return rc;
}

/* -- audit --------------------------------------------------------------- */

int
session_audit_new(struct session *s, const struct audit_opts *o,
    struct audit **out, struct err *e)
{
	struct audit_opts ao = *o;

	*out = NULL;
	if (check(s, POLICY_AUDIT, "audit", e) != 0 ||
	    session_store(s, e) != 0 || session_mask(s, e) != 0)
		return -1;
	if (ao.cfg == NULL)
		ao.cfg = s->keys->cfg;
	if (ao.mask == NULL)
		ao.mask = s->mask;
	if (ao.version == NULL)
		ao.version = store_airflow_version(s->store);
	/* Roles from Airflow: variables only with can_read on Variables. */
	if (!(s->policy.rights & 1u << POLICY_VAR_READ))
		ao.no_variables = 1;
	return audit_new(out, &ao, e);
}
