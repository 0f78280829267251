/*
 * session.c: the state of one run (see session.h): the loaders that read
 * the configuration, the key ring, the DB, the role and the masking rules
 * on first use, the reference-counted key generations that a reload
 * swaps, and restricted mode (who ferncon acts for, and what it then
 * refuses; doc/design.md section 4, "Trust model").
 */
#include "config.h"

#include "session.h"

#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "airauth.h"
#include "arena.h"

/*
 * A generation and its count. The public part comes first, so that the
 * pointer handed out is also the pointer to this.
 */
struct keys_gen {
	struct session_keys	 k;
	atomic_uint		 refs;
};

static const char std_alphabet_warning[] = "a Fernet key uses the standard "
    "base64 alphabet ('+' or '/'); Airflow accepts it today but newer Python "
    "versions will not";
static const char not_clean_warning[] = "the configured fernet_key text is "
    "not a clean key: Airflow (Python's non-strict base64 decoder) ignores "
    "characters outside the base64url alphabet and anything after the "
    "padding, and so does ferncon; write each key alone, 44 characters";

static struct session_keys *
keys_new(void)
{
	struct keys_gen *g;

	if ((g = calloc(1, sizeof *g)) == NULL)
		return NULL;
	atomic_init(&g->refs, 1);
	return &g->k;
}

struct session_keys *
session_keys_ref(struct session *s)
{
	struct keys_gen *g = (struct keys_gen *)s->keys;

	atomic_fetch_add(&g->refs, 1);
	return s->keys;
}

void
session_keys_unref(struct session_keys *k)
{
	struct keys_gen *g = (struct keys_gen *)k;

	if (g == NULL || atomic_fetch_sub(&g->refs, 1) != 1)
		return;
	keyring_free(g->k.kr);
	config_free(g->k.cfg);
	free(g);
}

int
session_new(struct session **out, struct err *e)
{
	struct session *s;

	*out = NULL;
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    (s->keys = keys_new()) == NULL) {
		free(s);
		err_nomem(e);
		return -1;
	}
	*out = s;
	return 0;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	audit_free(s->var_audit);
	mask_free(s->mask);
	store_close(s->store);
	session_keys_unref(s->keys);
	free(s);
}

/* -- restricted mode ------------------------------------------------------ */

/* The caller's variables that restricted mode keeps (no '/' in the value). */
static int
env_kept(const char *entry)
{
	static const char *const names[] = { "TERM=", "LANG=", "LANGUAGE=",
	    "LC_", "COLUMNS=", "LINES=", "NO_COLOR=" };
	const char *eq = strchr(entry, '=');
	size_t i;

	if (eq == NULL || strchr(eq, '/') != NULL)
		return 0;
	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strncmp(entry, names[i], strlen(names[i])) == 0)
			return 1;
	return 0;
}

/* Replace the environment by the account's own (session_identity()). */
static int
env_restrict(uid_t uid, struct err *e)
{
	extern char **environ;
	struct passwd *pw;
	char **keep = NULL;
	size_t n = 0, i;
	int rc = -1;

	if ((pw = getpwuid(uid)) == NULL) {
		err_set(e, ERR_CONFIG, "cannot find the passwd entry of uid %u",
		    (unsigned)uid);
		return -1;
	}
	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		;
	if ((keep = calloc(i + 1, sizeof *keep)) == NULL)
		goto nomem;
	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		if (env_kept(environ[i]) &&
		    (keep[n++] = strdup(environ[i])) == NULL)
			goto nomem;
	if (clearenv() != 0)
		goto nomem;
	for (i = 0; i < n; i++) {
		char *eq = strchr(keep[i], '=');

		*eq = '\0';
		if (setenv(keep[i], eq + 1, 1) != 0)
			goto nomem;
	}
	if (setenv("HOME", pw->pw_dir, 1) != 0 ||
	    setenv("USER", pw->pw_name, 1) != 0 ||
	    setenv("LOGNAME", pw->pw_name, 1) != 0 ||
	    setenv("SHELL", pw->pw_shell[0] ? pw->pw_shell : "/bin/sh", 1) != 0 ||
	    setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1) != 0)
		goto nomem;
	rc = 0;
	goto out;
nomem:
	err_nomem(e);
out:
	for (i = 0; i < n; i++)
		free(keep[i]);
	free(keep);
	return rc;
}

/* "ferncon acts for alice as airflow (sudo)". */
static void
acting(const struct session *s, char *buf, size_t len)
{
	snprintf(buf, len, "ferncon acts for %s as %s (%s)", s->id.login,
	    s->id.account, policy_source_name(s->id.source));
}

int
session_identity(struct session *s, struct err *e)
{
	static const struct { const char *name; const char *why; } refused[] = {
		{ "--config", "the account's own airflow.cfg is the only "
		  "configuration; another could run its _cmd as the account" },
		{ "--airflow-home", "the account's own airflow.cfg is the only "
		  "configuration; another could run its _cmd as the account" },
		{ "--db", "the DB is the one the account's configuration names; "
		  "another URL could send the account's DB password elsewhere" },
		{ "--airflow-version", "the version is the one the account's "
		  "configuration or DB says; another could change what is masked" },
	};
	const char *given[4];
	char who[600];
	size_t i;

	if (s->id_loaded)
		return 0;
	if (s->login_again) {
		err_set(e, ERR_USAGE, "--login is refused: it is given more than "
		    "once, and only the forced command's may name the person");
		return -1;
	}
	if (policy_identify(s->login, &s->id, e) != 0)
		return -1;
	if (s->id.restricted) {
		given[0] = s->opts.config_file;
		given[1] = s->opts.airflow_home;
		given[2] = s->opts.db_url;
		given[3] = s->airflow_version_arg;
		acting(s, who, sizeof who);
		for (i = 0; i < 4; i++) {
			if (given[i] == NULL)
				continue;
			err_set(e, ERR_USAGE, "%s is refused: %s, and %s",
			    refused[i].name, who, refused[i].why);
			return -1;
		}
		if (env_restrict(s->id.uid, e) != 0)
			return -1;
	}
	s->id_loaded = 1;
	return 0;
}

int
session_restricted(struct session *s, enum session_guard g, struct err *e)
{
	static const struct { const char *name; const char *why; } what[] = {
		[SESSION_GUARD_DEMO] = { "demo",
		    "it would write files as the account where told" },
		[SESSION_GUARD_PROBE_FROM] = { "key probe --from", "it would "
		    "read a file as the account; give the candidate keys on "
		    "stdin" },
		[SESSION_GUARD_IMPORT_FILE] = { "connections import FILE", "it "
		    "would read a file as the account; give the file on stdin "
		    "('-')" },
		[SESSION_GUARD_EXPORT_FILE] = { "connections export FILE", "it "
		    "would write a file as the account; export to stdout ('-')" },
		[SESSION_GUARD_AUDIT_FILE] = { "audit --baseline/--ignore FILE",
		    "it would read a file as the account" },
	};
	char who[600];

	if (session_identity(s, e) != 0)
		return -1;
	if (!s->id.restricted)
		return 0;
	acting(s, who, sizeof who);
	err_set(e, ERR_DENIED, "%s is refused: %s, and %s", what[g].name, who,
	    what[g].why);
	return -1;
}

int
session_restricted_path(struct session *s, enum session_guard g,
    const char *path, struct err *e)
{
	if (path != NULL && strcmp(path, "-") == 0)
		return session_identity(s, e);
	return session_restricted(s, g, e);
}

int
session_token_keyring(struct session *s, const char *keys_arg, struct err *e)
{
	if (keys_arg == NULL && (session_policy(s, e) != 0 ||
	    policy_check(&s->policy, POLICY_ADMIN, "decrypt or encrypt tokens "
	    "with the configured key ring", e) != 0))
		return -1;
	return session_keyring(s, keys_arg, e);
}

/* -- loading on first use ------------------------------------------------- */

int
session_config(struct session *s, struct err *e)
{
	if (s->keys->cfg != NULL)
		return 0;
	if (session_identity(s, e) != 0)
		return -1;
	return config_load(&s->keys->cfg, &s->opts, e);
}

int
session_keyring(struct session *s, const char *keys_arg, struct err *e)
{
	struct session_keys *k = s->keys;
	struct config_value v;
	int std_alpha = 0;

	if (k->kr != NULL)
		return 0;
	if (keys_arg != NULL) {
		if (keyring_parse(&k->kr, keys_arg, strlen(keys_arg), &std_alpha,
		    e) != 0) {
			err_prefix(e, "--keys");
			return -1;
		}
		memset(&v, 0, sizeof v);
		v.origin = "--keys";
		v.source = CONFIG_SRC_ARG;
	} else {
		if (session_config(s, e) != 0 ||
		    config_fernet_key(k->cfg, &v, e) != 0)
			return -1;
		if (keyring_parse(&k->kr, v.value ? v.value : "", v.value ? v.len :
		    0, &std_alpha, e) != 0) {
			err_prefix(e, "[core] fernet_key from %s", v.origin);
			return -1;
		}
	}
	k->origin = v;
	if (std_alpha & KEYRING_WARN_NOT_CLEAN)
		s->warning = not_clean_warning;
	else if (std_alpha & KEYRING_WARN_STD_ALPHABET)
		s->warning = std_alphabet_warning;
	return 0;
}

int
session_named_version(struct session *s, struct config_value *out,
    struct err *e)
{
	if (session_config(s, e) != 0)
		return -1;
	if (s->airflow_version_arg != NULL) {
		memset(out, 0, sizeof *out);
		out->value = s->airflow_version_arg;
		out->len = strlen(s->airflow_version_arg);
		out->source = CONFIG_SRC_ARG;
		out->origin = "--airflow-version";
		return 0;
	}
	return config_get(s->keys->cfg, "console", "airflow_version", out, e);
}

int
session_airflow_version(struct session *s, char *buf, size_t len,
    struct err *e)
{
	const struct airflow_version *v;
	struct airflow_version next;
	struct config_value cv;
	const char *head;

	if (session_store(s, e) != 0 || session_named_version(s, &cv, e) != 0)
		return -1;
	v = store_airflow_version(s->store);
	head = store_alembic_head(s->store);
	if (v->major == 0) {
		snprintf(buf, len, "unknown (alembic head %s)", head ? head :
		    "none");
		return 0;
	}
	if (cv.value != NULL && *cv.value != '\0') {
		snprintf(buf, len, "%d.%d.%d (from %s)", v->major, v->minor,
		    v->patch, cv.origin);
		return 0;
	}
	next = *v;
	next.patch++;
	if (head != NULL && airflow_version_of_head(head).major != 0 &&
	    airflow_version_fits_head(head, &next))
		snprintf(buf, len, "%d.%d.%d (alembic head %s, which later "
		    "%d.%d releases share: name the exact one with [console] "
		    "airflow_version)", v->major, v->minor, v->patch, head,
		    v->major, v->minor);
	else
		snprintf(buf, len, "%d.%d.%d (alembic head %s)", v->major,
		    v->minor, v->patch, head ? head : "none; from the columns");
	return 0;
}

int
session_store(struct session *s, struct err *e)
{
	if (s->store != NULL)
		return 0;
	return session_store_open(s, &s->store, e);
}

int
session_airflow(struct session *s, int *needed, struct err *e)
{
	char name[256];
	int airflow;

	if (needed != NULL)
		*needed = 0;
	if (session_config(s, e) != 0 ||
	    policy_role_source(s->keys->cfg, &airflow, e) != 0)
		return -1;
	if (!airflow)
		return 0;
	if (!s->airflow_loaded) {
		if (session_store(s, e) != 0 ||
		    policy_airflow_user(s->keys->cfg, s->id.login, name,
		    sizeof name, e) != 0 ||
		    airauth_load(s->keys->cfg, s->store, name, &s->airflow,
		    e) != 0 ||
		    airauth_login_required(s->keys->cfg, &s->airflow_login,
		    e) != 0)
			return -1;
		s->airflow_loaded = 1;
	}
	if (needed != NULL)
		*needed = s->airflow_login && !s->login_ok &&
		    s->airflow.found && s->airflow.active;
	return 0;
}

int
session_login_needed(struct session *s, int *needed, struct err *e)
{
	int airflow, on;

	*needed = 0;
	if (session_config(s, e) != 0 ||
	    policy_role_source(s->keys->cfg, &airflow, e) != 0)
		return -1;
	if (!airflow)
		return 0;
	if (airauth_login_required(s->keys->cfg, &on, e) != 0)
		return -1;
	return on ? session_airflow(s, needed, e) : 0;
}

int
session_policy(struct session *s, struct err *e)
{
	int airflow, needed;

	if (s->policy_loaded)
		return 0;
	if (session_config(s, e) != 0 ||
	    policy_role_source(s->keys->cfg, &airflow, e) != 0)
		return -1;
	if (!airflow) {
		if (policy_load_as(&s->policy, s->keys->cfg, &s->id, s->as_role,
		    e) != 0)
			return -1;
	} else {
		if (session_airflow(s, &needed, e) != 0)
			return -1;
		if (needed) {
			err_set(e, ERR_DENIED, "[console] airflow_login = "
			    "password: the Airflow password of %s is needed "
			    "first", s->airflow.user);
			return -1;
		}
		if (policy_load_airflow(&s->policy, s->keys->cfg, &s->id,
		    &s->airflow, s->as_role, e) != 0)
			return -1;
	}
	s->policy_loaded = 1;
	return 0;
}

int
session_airflow_login(struct session *s, const char *password, size_t len,
    struct err *e)
{
	struct policy logp;
	struct policy_airflow none;
	struct err le;
	char detail[600];
	int ok = 0, needed, rc;

	if (session_airflow(s, &needed, e) != 0)
		return -1;
	if (!needed)
		return session_policy(s, e);
	if (s->login_failed >= SESSION_LOGIN_TRIES) {
		err_set(e, ERR_DENIED, "%d wrong Airflow passwords for %s: no "
		    "more tries", s->login_failed, s->airflow.user);
		return -1;
	}
	/* The log line names the person with the default role's rights. */
	none = s->airflow;
	none.active = 0;
	if (policy_load_airflow(&logp, s->keys->cfg, &s->id, &none, NULL,
	    e) != 0)
		return -1;
	rc = airauth_check_password(s->keys->cfg, s->store, &s->airflow,
	    password, len, &ok, e);
	if (rc != 0)
		snprintf(detail, sizeof detail, "not checked: %s", e->msg);
	else if (ok)
		snprintf(detail, sizeof detail, "accepted for Airflow user %s",
		    s->airflow.user);
	else
		snprintf(detail, sizeof detail, "wrong password (%d of %d)",
		    s->login_failed + 1, SESSION_LOGIN_TRIES);
	err_clear(&le);
	if (policy_log(&logp, "airflow_login", NULL, detail, &le) != 0) {
		*e = le;
		return -1;
	}
	if (rc != 0)
		return -1;
	if (!ok) {
		s->login_failed++;
		err_set(e, ERR_DENIED, "wrong Airflow password for %s (%d of %d)",
		    s->airflow.user, s->login_failed, SESSION_LOGIN_TRIES);
		return -1;
	}
	s->login_ok = 1;
	return session_policy(s, e);
}

int
session_mask(struct session *s, struct err *e)
{
	if (s->mask != NULL)
		return 0;
	if (session_config(s, e) != 0 || session_store(s, e) != 0)
		return -1;
	/* [admin] names only where the DB's Airflow still reads them. */
	config_set_airflow_major(s->keys->cfg,
	    store_airflow_version(s->store)->major);
	return mask_new(&s->mask, s->keys->cfg, store_airflow_version(s->store),
	    e);
}

int
session_load_rows(struct session *s, struct err *e)
{
	if (session_config(s, e) != 0 || session_policy(s, e) != 0 ||
	    session_keyring(s, NULL, e) != 0 || session_store(s, e) != 0 ||
	    session_mask(s, e) != 0)
		return -1;
	return 0;
}

int
session_may(struct session *s, const struct session_op *op, struct err *e)
{
	if (session_config(s, e) != 0 || session_policy(s, e) != 0)
		return -1;
	return policy_check(&s->policy, op->action, op->what, e);
}

const char *
session_warning(struct session *s)
{
	const char *w = s->warning;
	int err;

	s->warning = NULL;
	if (w == NULL && !s->lock_said && (err = arena_lock_errno()) != 0) {
		s->lock_said = 1;
		snprintf(s->lock_msg, sizeof s->lock_msg, "cannot lock memory for "
		    "secrets (%s): they may be written to swap; raise the "
		    "locked-memory limit (ulimit -l) to avoid it", strerror(err));
		w = s->lock_msg;
	}
	return w;
}

int
session_reload_keys(struct session *s, struct err *e)
{
	struct session_keys *k;
	struct config_value v;

	if ((k = keys_new()) == NULL) {
		err_nomem(e);
		return -1;
	}
	if (config_load(&k->cfg, &s->opts, e) != 0 ||
	    config_fernet_key(k->cfg, &v, e) != 0 ||
	    keyring_parse(&k->kr, v.value ? v.value : "", v.value ? v.len : 0,
	    NULL, e) != 0) {
		session_keys_unref(k);
		return -1;
	}
	k->origin = v;
	session_keys_unref(s->keys);
	s->keys = k;
	return 0;
}
