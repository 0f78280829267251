/*
 * session.h: the state of one run of ferncon, ferncon's counterpart of
 * git's `struct repository`. Both front ends (the commands in cli/ and the
 * console in ui/) work through one session: where to read from (the
 * command-line options), and what is loaded from there on first use: the
 * configuration (airflow.cfg and the environment), the key ring, the
 * metadata DB, the user's role and Airflow's masking rules.
 *
 * Loading is lazy and happens once: each session_<thing>() below loads on
 * its first call and returns 0 at once afterwards, so a command that never
 * touches the DB never opens it. A failed load leaves nothing behind and
 * may be tried again.
 *
 * Keys and configuration come in generations. The console's key wizard
 * writes a new fernet_key into airflow.cfg and then reads the configuration
 * again (session_reload_keys()); screens and background threads may still
 * hold the configuration and ring they started with. So the configuration,
 * the ring and where the ring came from form one reference-counted
 * `struct session_keys`, and a reload swaps in a new one, as tmux
 * refcounts its windows. The rules:
 *
 *  - s->keys is the current generation. The session holds one reference to
 *    it. A pointer read from it (s->keys, s->keys->cfg, s->keys->kr, a string
 *    in s->keys->origin) is borrowed: valid until the next
 *    session_reload_keys() or session_free() of s, whichever comes first.
 *    Code that uses them only within one call (on one thread) needs no
 *    more than that.
 *  - Code that keeps them longer (a screen that lives across a reload, a
 *    thread) takes its own reference with session_keys_ref() and releases
 *    it with session_keys_unref() when done. The generation and what it
 *    holds stay valid, unchanged, until then, whatever happens to the
 *    session: reloads (any number) and session_free() included.
 *  - A generation is freed when its last reference goes, by whichever
 *    thread drops it. Counting is thread-safe (atomic); taking a reference
 *    to the current generation and reloading are for the thread that owns
 *    the session. The objects inside are not thread-safe themselves: a
 *    config or a ring is used by one thread at a time (a ring writes its
 *    decrypt hint), so a thread parses a private ring from origin.value.
 *  - The first generation is filled on first use (session_config(),
 *    session_keyring()); once set, a field of a generation never changes.
 *    A reloaded generation is complete when it is swapped in.
 *
 * The store, the policy and the mask are loaded once per session and are
 * not reloaded with the keys (the role and the masking rules stay those the
 * run started with, as before the key wizard existed).
 *
 * The core never prints. What the front end should tell the user besides
 * an error (today: a key in the standard base64 alphabet) is left in the
 * session for it to take with session_warning().
 */
#ifndef FERNCON_SESSION_H
#define FERNCON_SESSION_H

#include <signal.h>

#include "audit.h"
#include "cfg.h"
#include "cfgwrite.h"
#include "compiler.h"
#include "err.h"
#include "keyring.h"
#include "lifecycle.h"
#include "mask.h"
#include "policy.h"
#include "store.h"
#include "transfer.h"

/* One generation of configuration and keys; see the rules above. */
struct session_keys {
	struct config		*cfg;	/* airflow.cfg and the environment; NULL
					   until session_config() */
	struct keyring		*kr;	/* NULL until session_keyring() */
	struct config_value	 origin;	/* where kr came from ("--keys",
					   or [core] fernet_key's origin; value
					   points into cfg, NULL for --keys) */
};

/*
 * The session. Front ends read the fields; only session.c writes them,
 * except opts and as_role, which main() may set before the first load.
 */
struct session {
	/* Where to read from; the strings are borrowed (argv) and must
	   outlive the session. Set them before anything is loaded. */
	const char		*airflow_version_arg;	/* --airflow-version */
	struct config_opts	 opts;
	const char		*as_role;	/* --as-role, or NULL */
	const char		*login;		/* --login, or NULL */
	int			 login_again;	/* --login was given twice: a
						   forced command's wrapper
						   added the client's words */

	struct policy_identity	 id;		/* valid once id_loaded */
	int			 id_loaded;

	struct session_keys	*keys;	/* the current generation; never NULL */
	struct store		*store;	/* NULL until session_store() */
	struct policy		 policy;	/* valid once policy_loaded */
	int			 policy_loaded;
	struct mask		*mask;	/* NULL until session_mask() */
	struct audit		*var_audit;	/* the value rules for masking
						   variables; NULL until
						   session_var_display() */

	/* role_source = airflow (session_airflow()): the Airflow user. */
	struct policy_airflow	 airflow;
	int			 airflow_loaded;
	int			 airflow_login;	/* airflow_login = password */
	int			 login_ok;	/* the password was checked */
	int			 login_failed;	/* wrong passwords so far */

	const char		*warning;	/* see session_warning() */
	int			 lock_said;	/* the arena's lock failure told */
	char			 lock_msg[200];
};

/* -- lifecycle ----------------------------------------------------------- */

/*
 * A new session with empty options (the defaults: $AIRFLOW_CONFIG,
 * $AIRFLOW_HOME, [database] sql_alchemy_conn) and nothing loaded. Caller
 * frees with session_free(). 0, or -1 with e set (out of memory).
 */
int session_new(struct session **out, struct err *e) ATTR_WUR;

/*
 * Close the store and free what the session loaded. The session's
 * reference to the current generation is dropped: generations that others
 * still hold a reference to live on until they are released (rules above).
 * NULL does nothing.
 */
void session_free(struct session *s);

/* -- who acts, and restricted mode --------------------------------------- */

/*
 * Work out who ferncon acts for (once, before anything else is read):
 * policy_identify() with s->login, into s->id. When the person is not the
 * account ferncon runs as (s->id.restricted: sudo, an SSH forced command;
 * doc/design.md section 4, "Trust model"), the session is in restricted
 * mode, and this is where it is set up, once for both front ends:
 *
 *  - --config, --airflow-home and --db are refused (ERR_USAGE, one line
 *    naming the option and why); so is a second --login, in any mode;
 *  - the environment is replaced by the account's own: HOME, USER, LOGNAME
 *    and SHELL from its passwd entry, PATH=/usr/local/bin:/usr/bin:/bin,
 *    and of the caller's only TERM, LANG, LANGUAGE, LC_*, COLUMNS, LINES
 *    and NO_COLOR, when they hold no '/'. AIRFLOW_HOME, AIRFLOW_CONFIG and
 *    AIRFLOW__* go: under sudo or sshd they are the caller's (env_keep,
 *    AcceptEnv), and nothing tells them from the account's. So the
 *    configuration is <passwd home>/airflow/airflow.cfg, as Airflow's
 *    default, with every setting in that file (a symlink there to another
 *    AIRFLOW_HOME will do), and libpq finds the account's own ~/.pgpass.
 *
 * Every loader below calls it first; a front end calls it at start so that
 * a refusal comes before anything else. 0, or -1 with e set (nothing
 * changed).
 */
int session_identity(struct session *s, struct err *e) ATTR_WUR;

/* What restricted mode refuses besides the global options. */
enum session_guard {
	SESSION_GUARD_DEMO,		/* `demo`: writes files where told */
	SESSION_GUARD_PROBE_FROM,	/* `key probe --from FILE` */
	SESSION_GUARD_IMPORT_FILE,	/* import from a file, not stdin */
	SESSION_GUARD_EXPORT_FILE,	/* export to a file, not stdout */
	SESSION_GUARD_AUDIT_FILE,	/* `audit --baseline/--ignore FILE` */
};

/*
 * 0 when the session may do g; in restricted mode -1 with e set
 * (ERR_DENIED, one line naming what and why). Loads the identity.
 */
int session_restricted(struct session *s, enum session_guard g,
    struct err *e) ATTR_WUR;

/*
 * As session_restricted(), for a path an import reads or an export
 * writes: "-" (stdin, stdout) is always allowed.
 */
int session_restricted_path(struct session *s, enum session_guard g,
    const char *path, struct err *e) ATTR_WUR;

/*
 * The key ring for `token decrypt` and `token encrypt`: with keys_arg (a
 * ring of one's own, --keys) no role is needed; the configured ring needs
 * Admin (ERR_DENIED: "decrypt or encrypt tokens with the configured key
 * ring"). Then as session_keyring().
 */
int session_token_keyring(struct session *s, const char *keys_arg,
    struct err *e) ATTR_WUR;

/* -- loading on first use ------------------------------------------------ */

/* Load airflow.cfg and the environment (once): s->keys->cfg. 0, or -1. */
int session_config(struct session *s, struct err *e) ATTR_WUR;

/*
 * Load the key ring (once): s->keys->kr and s->keys->origin. With keys_arg
 * (--keys) the ring is parsed from it and the configuration is not read;
 * else it is the configuration's [core] fernet_key. 0, or -1 with e set
 * (ERR_CONFIG for a bad key, the message saying where it came from). A key
 * in the standard base64 alphabet leaves a warning (session_warning()).
 */
int session_keyring(struct session *s, const char *keys_arg, struct err *e)
    ATTR_WUR;

/*
 * Which Airflow version ferncon assumes and why, into buf: "3.1.6 (from
 * [console] airflow_version)", "3.2.0 (alembic head 6222ce48e289)", or
 * "3.1.0 (alembic head cc92b33c6709, which 3.1.0 to 3.1.7 share; name the
 * release with [console] airflow_version)"; "unknown" without a known
 * head. Opens the DB. 0, or -1 with e set.
 */
int session_airflow_version(struct session *s, char *buf, size_t len,
    struct err *e) ATTR_WUR;

/*
 * The exact Airflow release the user names: --airflow-version
 * (s->airflow_version_arg, origin "--airflow-version"), else [console]
 * airflow_version; value NULL when neither is set. 0, or -1 with e set.
 */
int session_named_version(struct session *s, struct config_value *out,
    struct err *e) ATTR_WUR;

/* Open the metadata DB (once): --db, else [database] sql_alchemy_conn. */
int session_store(struct session *s, struct err *e) ATTR_WUR;

/*
 * The user's role from the configuration and --as-role (once): s->policy.
 * With `[console] role_source = airflow`, the rights of the person's
 * Airflow user (session_airflow()); with `airflow_login = password` too,
 * only after session_airflow_login() accepted their password (ERR_DENIED
 * before).
 */
int session_policy(struct session *s, struct err *e) ATTR_WUR;

/*
 * role_source = airflow: look the person up as an Airflow user (once):
 * s->airflow (doc/design.md section 4, "Roles from Airflow"). *needed
 * (may be NULL) is set to 1 when a password must be checked before
 * session_policy() answers: airflow_login = password, the user exists and
 * is active, and no password was accepted yet. With role_source = map, 0
 * and *needed 0. 0, or -1 with e set.
 */
int session_airflow(struct session *s, int *needed, struct err *e) ATTR_WUR;

/*
 * Whether a front end must ask for the Airflow password before anything
 * else: session_airflow()'s *needed, but with no DB opened unless both
 * role_source = airflow and airflow_login = password. 0, or -1 with e set.
 */
int session_login_needed(struct session *s, int *needed, struct err *e)
    ATTR_WUR;

/* The tries session_airflow_login() allows. */
#define SESSION_LOGIN_TRIES 3

/*
 * Check password (len bytes) as the person's Airflow password; every
 * attempt is written to the action log without it. 0 when accepted (the
 * policy is then loaded with the user's rights); -1 with e set: ERR_DENIED
 * for a wrong one ("wrong Airflow password for alice (1 of 3)"), and after
 * SESSION_LOGIN_TRIES wrong ones every later call fails too; ERR_CONFIG
 * when the user has no password hash (LDAP, OAuth).
 */
int session_airflow_login(struct session *s, const char *password, size_t len,
    struct err *e) ATTR_WUR;

/* Airflow's masking rules for the opened DB's version (once): s->mask. */
int session_mask(struct session *s, struct err *e) ATTR_WUR;

/*
 * Configuration, role, key ring, store and mask, each loaded once: what the
 * use cases need to read a row and show it for the role.
 */
int session_load_rows(struct session *s, struct err *e) ATTR_WUR;

/* One operation of a use-case module, for session_may(). */
struct session_op {
	enum policy_action	 action;	/* the right it needs */
	const char		*what;		/* named in a refusal */
};

/*
 * Whether the role may do op (configuration and role loaded first): 0, or
 * -1 with e set (ERR_DENIED naming op->what). The session_conn_may() and
 * session_var_may() of the use-case modules, over their tables of ops.
 */
int session_may(struct session *s, const struct session_op *op,
    struct err *e) ATTR_WUR;

/*
 * The warning the last load left for the user, as one sentence without the
 * "ferncon: warning: " a front end puts in front, or NULL. Taking it clears
 * it. Once memory for secrets could not be locked (arena_lock_errno()), the
 * next call says so, once per session. The text lives as long as s.
 * Front ends take warnings after loading and again before exit.
 */
const char *session_warning(struct session *s);

/* -- key generations ----------------------------------------------------- */

/*
 * Read airflow.cfg and the environment again and parse the fernet_key they
 * give now (after the key wizard wrote it), as a new generation that
 * becomes s->keys. The old one loses the session's reference (it is freed
 * unless someone holds one). 0, or -1 with e set and nothing changed.
 */
int session_reload_keys(struct session *s, struct err *e) ATTR_WUR;

/*
 * A new reference to the current generation (s->keys), for code that keeps
 * it beyond the next reload. Never fails. Release with session_keys_unref().
 */
struct session_keys *session_keys_ref(struct session *s);

/*
 * Drop a reference (from any thread); the last one frees the generation:
 * its configuration and its ring (wiped). NULL does nothing.
 */
void session_keys_unref(struct session_keys *k);

/* -- use cases ----------------------------------------------------------- */

/*
 * (To come.) The actions both front ends offer, each as one function taking
 * the session first: check the role (s->policy), act in one transaction on
 * s->store, write one action-log line; refused, nothing is written or
 * logged. They load what they need through the functions above and
 * return 0 or -1 with e set, as the rest of the core.
 */

/* -- lifecycle (src/session_life.c) -------------------------------------- */

/*
 * The Admin's key and encryption use cases: encrypt-plaintext, rotate, the
 * lost-key probe, the key wizard's writes of [core] fernet_key, and the
 * audit's start. Each checks the role in s->policy (POLICY_ADMIN, or
 * POLICY_AUDIT for the audit) before anything is read or written; a refusal
 * is ERR_DENIED, with nothing written and nothing logged. An action that
 * changes something writes one action-log line once it is done.
 *
 * A line that cannot be written does not undo the action (the rotation is
 * committed, the file written): the use case returns 0 and leaves the
 * reason in its `log_err` out-parameter (code ERR_NONE when the line was
 * written) for the front end to warn about, as before the move.
 *
 * `via` names the front end for the log: NULL for the command line,
 * "console" for the console. The lines are those each front end wrote
 * before the move (the console's rotation is logged as "rotate", the
 * command's as "rotate-fernet-key", for instance).
 */

/* How session_job_open() sets up a job. */
struct session_job_opts {
	const char			*via;		/* NULL, or "console" */
	int				 own_store;	/* a private DB connection, so
							   that the job may run on
							   another thread */
	lifecycle_progress_fn		 progress;	/* as in lifecycle_opts */
	void				*progress_arg;
	const volatile sig_atomic_t	*cancel;
};

/*
 * A lifecycle runner opened for the Admin on the session's key list: the
 * runner (lc), the store it works on, and a reference to the key
 * generation it was made from, held until session_job_free() (so a key
 * reload in the meantime does not pull the key list from under it).
 */
struct session_job {
	struct session		*s;		/* borrowed */
	struct session_keys	*keys;		/* a reference */
	struct store		*store;		/* s->store, or the private one */
	struct store		*own;		/* the private one, or NULL */
	struct lifecycle	*lc;
	const char		*via;
};

/*
 * Check that the role may do `what` (POLICY_ADMIN; "rotate the Fernet key",
 * "encrypt plaintext values", "probe keys": the words of the refusal), load
 * the configuration, key ring and store, and make a runner. o may be NULL
 * (command line, the session's store, no progress). A job runs on one
 * thread at a time; with o->own_store that may be any thread (from there
 * the job reads only the session's policy, which does not change, and
 * appends to the action log). 0 with *out set (free with
 * session_job_free()), or -1 with e set (ERR_DENIED when refused).
 */
int session_job_open(struct session *s, const char *what,
    const struct session_job_opts *o, struct session_job **out,
    struct err *e) ATTR_WUR;

/* Free the runner and the private store, drop the reference. NULL: none. */
void session_job_free(struct session_job *j);

/* lifecycle_preflight() with no stale limit: reads only, logs nothing. */
int session_job_preflight(struct session_job *j,
    struct lifecycle_preflight *out, struct err *e) ATTR_WUR;

/*
 * encrypt-plaintext (lifecycle_encrypt()). Committed, one line: action
 * "encrypt-plaintext". 0, or -1 with e set as lifecycle_encrypt() (nothing
 * changed, nothing logged).
 */
int session_job_encrypt(struct session_job *j, struct lifecycle_result *out,
    struct err *log_err, struct err *e) ATTR_WUR;

/*
 * rotate-fernet-key (lifecycle_rotate(), flags as there). Once committed,
 * one line (action "rotate-fernet-key", or "rotate" from the console),
 * saying whether the verify pass was ok, even when that pass could not run
 * (-1 with out->committed set). Else -1 with nothing changed or logged.
 */
int session_job_rotate(struct session_job *j, unsigned flags,
    struct lifecycle_result *out, struct err *log_err, struct err *e) ATTR_WUR;

/*
 * The lost-key probe (lifecycle_probe()); candidates are the caller's
 * (keep them in locked memory). Reads only; one line, action "key-probe".
 */
int session_job_probe(struct session_job *j, const char *candidates,
    size_t len, struct lifecycle_probe *out, struct err *log_err,
    struct err *e) ATTR_WUR;

/*
 * The key wizard's first step: check the role ("use the key wizard") and
 * generate a new Fernet key into key (FERNET_KEY_B64LEN + 1 bytes, the
 * caller's locked memory). Writes and logs nothing. 0, or -1 with e set.
 */
int session_key_generate(struct session *s, char *key, struct err *e)
    ATTR_WUR;

/* What session_key_write() writes as [core] fernet_key. */
enum session_key_write {
	SESSION_KEY_PREPEND,	/* key,current list: the wizard's "new,old" */
	SESSION_KEY_ALONE,	/* key alone: the wizard drops the old keys */
	SESSION_KEY_APPEND,	/* current list,key: the probe adds a found key */
};

/*
 * Write a new [core] fernet_key made of key (klen bytes, one Fernet key;
 * the caller keeps it in locked memory) and the current list, into
 * airflow.cfg (cfgwrite_fernet_key(): plan into *plan, refused with
 * ERR_CONFIG when the key comes from the environment or a command), then
 * log one line (action "key-wizard" for PREPEND and ALONE, "key-probe" for
 * APPEND) and read the keys again (session_reload_keys()). The role check
 * says "use the key wizard" or "change the key list". 0; or -1 with e set:
 * nothing written, or (message "written, but ...") written and logged but
 * the reload failed.
 */
int session_key_write(struct session *s, enum session_key_write how,
    const char *key, size_t klen, struct cfgwrite_plan *plan,
    struct err *log_err, struct err *e) ATTR_WUR;

/*
 * The audit's start: check POLICY_AUDIT ("audit"), load the configuration,
 * store and mask, and make an audit with o. Of o, cfg, mask and version
 * are filled in from the session when NULL; kr is used as given (the
 * caller's ring: s->keys->kr on the session's thread, a private one on
 * another). What the audit borrows must outlive it: a caller that keeps it
 * past a key reload holds a reference to the generation. Logs nothing (the
 * audit only reads and redacts). 0 with *out set, or -1 with e set.
 */
int session_audit_new(struct session *s, const struct audit_opts *o,
    struct audit **out, struct err *e) ATTR_WUR;

/*
 * A new connection to the session's DB (the current configuration's
 * [database] sql_alchemy_conn and schema), for a thread. Caller closes.
 */
int session_store_open(struct session *s, struct store **out, struct err *e)
    ATTR_WUR;

/* -- connections (src/session_conn.c) ------------------------------------ */

/*
 * The connection use cases: what a person may see of a connection, and
 * every change to one, for both front ends. Each loads what it needs
 * (configuration, role, store, ring, mask) through the loaders above; a
 * front end that takes the key ring from --keys loads it first with
 * session_keyring(). The role is checked here, from s->policy: a refusal
 * is -1 with ERR_DENIED and a message naming the action ("role Viewer may
 * not add connections: ..."), and nothing is read from the caller's input,
 * written to the DB or logged. The logged detail (which front end, what
 * was done) is the caller's: it never holds a secret.
 *
 * A change is made in one transaction, then logged. When the change is
 * committed but its action-log line cannot be written, the use case
 * returns 1 with e set to why (the front end warns: the change is made);
 * a reveal or an export is logged first and does not happen unlogged.
 */

/* What may be done to connections; see session_conn_may(). */
enum session_conn_op {
	SESSION_CONN_REVEAL,	/* see passwords and masked values */
	SESSION_CONN_ADD,
	SESSION_CONN_EDIT,
	SESSION_CONN_DELETE,
	SESSION_CONN_IMPORT,
	SESSION_CONN_EXPORT,	/* write every secret to a file */
	SESSION_CONN_LIST,	/* list and open: can_read on Connections */
};

/*
 * The audit engine of the console's list: the marks of its rows ('!',
 * '*', '.') and its is:flagged filter (connwin_set_audit()) both ask it,
 * so that a row is flagged exactly when it is marked. Every finding of
 * the audit's connection rules counts (from info up: '.' is low or info),
 * with k's configuration (the token age limit), kr for decrypting (the
 * caller's ring: one engine per thread), the session's masking and the
 * Airflow version of st (the caller's store, may be NULL); it makes no
 * hash key file. No role check: a mark says that a row has findings,
 * never what they are (the audit screen checks POLICY_AUDIT). What it
 * borrows must outlive it. 0 with *out set, or -1 with e set.
 */
int session_conn_flag_audit(struct session *s, struct session_keys *k,
    struct keyring *kr, struct store *st, struct audit **out,
    struct err *e) ATTR_WUR;

/*
 * Whether the role may do op, as the use case below will decide it: for a
 * front end that must read input first (a password from stdin, a file)
 * and should refuse before it does. 0, or -1 with e set (ERR_DENIED, or
 * the failure to load the role). The use cases check again.
 */
int session_conn_may(struct session *s, enum session_conn_op op,
    struct err *e) ATTR_WUR;

/*
 * Read conn_id into c (an empty record) and decrypt it: plaintext, a field
 * that no key opens marked undecryptable (conn_decrypt()). A role that
 * may list (POLICY_LIST: can_read on Connections) may.
 * 0, or -1 with e set (ERR_NOTFOUND when there is none); c is then to be
 * cleared by the caller either way.
 */
int session_conn_get(struct session *s, const char *conn_id, struct conn *c,
    struct err *e) ATTR_WUR;

/*
 * conn_id as Airflow's BaseHook.get_connection() finds it for a task: the
 * AIRFLOW_CONN_<ID upper-cased> environment variable first (its value
 * stripped, then Connection.from_json() when it starts with "{", else a
 * URI), then the DB (session_conn_get()). env_name (env_size bytes) gets
 * the variable's name when the connection came from it, "" otherwise; an
 * environment connection is plaintext, its password and extra state
 * CONN_SECRET_PLAIN (or EMPTY), id 0. 0, or -1 with e set: ERR_NOTFOUND
 * "Connection not found." (Airflow's `connections get`), or the parse
 * error prefixed by the variable's name.
 */
int session_conn_lookup(struct session *s, const char *conn_id,
    struct conn *c, char *env_name, size_t env_size, struct err *e) ATTR_WUR;

/*
 * Only the environment's conn_id (session_conn_lookup() without the DB),
 * for a screen that shows a row session_conn_env_rows() listed. 0, or -1
 * with e set: ERR_NOTFOUND when no variable holds it (always so in
 * restricted mode), the parse error prefixed by the variable's name, or
 * ERR_DENIED for a role that may not list.
 */
int session_conn_env_get(struct session *s, const char *conn_id,
    struct conn *c, char *env_name, size_t env_size, struct err *e) ATTR_WUR;

/*
 * 1 when a variable of the environment shadows the DB's conn_id for
 * Airflow (its name into name, size bytes), else 0 (name ""); never in
 * restricted mode. The session must be loaded (session_config()).
 */
int session_conn_env_shadows(const struct session *s, const char *conn_id,
    char *name, size_t size);

/*
 * The connections Airflow's lookup finds in the environment before the
 * DB (EnvironmentVariablesBackend before MetastoreBackend in
 * DEFAULT_SECRETS_SEARCH_PATH), as list rows (connwin.h) sorted by conn_id:
 * one per AIRFLOW_CONN_<ID> variable that conn_id.upper() can name (an ID
 * with a lower-case letter cannot, and is left out), conn_id the ID
 * lower-cased, env set, no secret kept; a value that does not parse is a
 * row all the same, its description saying so. None in restricted mode:
 * the caller's environment is gone there (session_identity()) and must
 * not add connections. A role that may list may. *rows (free with
 * session_conn_env_rows_free()) and *n; 0, or -1 with e set.
 */
struct conn_row;
int session_conn_env_rows(struct session *s, struct conn_row **rows,
    size_t *n, struct err *e) ATTR_WUR;
void session_conn_env_rows_free(struct conn_row *rows, size_t n);

/*
 * The refusal of op on the environment's connection conn_id: ferncon
 * writes only the DB, and a reveal would show a value that is not in it.
 * Always -1 with e set (ERR_DENIED, naming the variable).
 */
int session_conn_env_refuse(const char *conn_id, enum session_conn_op op,
    struct err *e);

/*
 * The display copy of the plaintext connection c for the session's role
 * (mask_conn()): masked, or with reveal as it is. reveal needs a role that
 * may reveal (-1 with ERR_DENIED otherwise) and is logged by
 * session_conn_reveal(), which the caller calls first, once per action.
 * The caller releases out with mask_view_release(). 0, or -1 with e set
 * and out empty.
 */
int session_conn_display(struct session *s, const struct conn *c, int reveal,
    struct mask_view *out, struct err *e) ATTR_WUR;

/*
 * Check that the role may reveal and write the "reveal" line (conn_id and
 * detail may be NULL: "connections list" for every row). 0: reveal; -1
 * with e set: do not (ERR_DENIED, or the log could not be written).
 */
int session_conn_reveal(struct session *s, const char *conn_id,
    const char *detail, struct err *e) ATTR_WUR;

/* Where the extra to store comes from; see struct session_save. */
enum session_extra {
	SESSION_EXTRA_GIVEN,	/* c->extra as it is (NULL: none) */
	SESSION_EXTRA_EDITED,	/* c->extra was edited from a masked display
				   copy: every *** left in place keeps the
				   value it hid (mask_merge_extra()) */
	SESSION_EXTRA_STORED,	/* keep the stored extra (edit only): one that
				   no key opens or that is not JSON stays as
				   stored, token and flag; else its plaintext
				   is sealed again */
};

/* How session_conn_save() saves. */
struct session_save {
	int			 add;		/* 1: a new connection; 0: edit
						   the stored c->conn_id */
	enum session_extra	 extra;
	const char		*extra_base;	/* EDITED on add: the plaintext
						   extra the display copy was
						   made from (NULL: none); on
						   edit the stored one is used */
	const char		*detail;	/* for the log line, or NULL */
	/* Out: which value was refused, for a form to point at it. */
	enum { SESSION_SAVE_OK, SESSION_SAVE_BAD_ID, SESSION_SAVE_BAD_EXTRA }
				 bad;
};

/*
 * Add or edit a connection ("save"), with Airflow's write rules: the role
 * may edit (ERR_DENIED: "add connections" / "edit connections"); the
 * conn_id is valid (conn_validate_id(), ERR_USAGE, bad = BAD_ID); the
 * extra to store is a JSON object (conn_validate_extra(), ERR_INVALID,
 * bad = BAD_EXTRA). Then, in one transaction: an edit reads the stored row
 * again (ERR_NOTFOUND when it went), keeps its id and team_name, merges
 * the edited extra against its plaintext and seals c against it (an empty
 * password keeps the stored token and flag); an add seals c alone and
 * inserts it (ERR_INVALID when the conn_id exists). One "add" or "edit"
 * line with o->detail follows the commit.
 *
 * c is the plaintext record the user gave (conn_id set); it is turned into
 * its stored form in place (conn_seal()) and holds nothing to show after
 * the call: free it. 0, 1 (saved, not logged: e says why), or -1 with e
 * set and nothing written.
 */
int session_conn_save(struct session *s, struct conn *c, struct session_save *o,
    struct err *e) ATTR_WUR;

/*
 * Delete conn_id (no key is needed: a row that no key opens can go) and
 * write the "delete" line with detail. 0, 1 (deleted, not logged), or -1
 * with e set (ERR_DENIED, ERR_NOTFOUND).
 */
int session_conn_delete(struct session *s, const char *conn_id,
    const char *detail, struct err *e) ATTR_WUR;

/* What became of one connection of an import file. */
enum session_import_outcome {
	SESSION_IMPORT_BAD_EXTRA = 1,	/* not imported: conn_validate_extra() */
	SESSION_IMPORT_EXISTS,		/* not imported: exists, no overwrite */
	SESSION_IMPORT_DONE,		/* imported (committed) */
	SESSION_IMPORT_BAD_ID,		/* not imported: conn_validate_key() */
};

/* An import's file and outcome; release with session_import_release(). */
struct session_import {
	struct transfer_set	 set;		/* the file's connections, in order */
	unsigned char		*outcome;	/* per set.conns[i], an enum
						   session_import_outcome */
	size_t			 done;		/* how many were imported */
};

/*
 * Import the connections of an Airflow json, yaml or env file (path) into
 * out: the role may import (ERR_DENIED: "import connections"), the file is
 * read (transfer_read()), and every connection with a valid conn_id
 * (conn_validate_key()) and a valid extra is written in one transaction:
 * inserted, or with overwrite merged into the existing row as Airflow's
 * session.merge() does: the row's id kept; an entry without a password
 * keeps the stored password and its flag; a URI entry without a query
 * keeps the stored extra (an object entry replaces it, also by nothing);
 * team_name replaced on Airflow 3.2 and later, kept before. One "import" line per imported connection
 * follows the commit. Airflow commits each connection alone; all or
 * nothing here. 0, 1 (imported, some lines not logged: e says why), or -1
 * with e set and nothing written (out may hold the file: release it).
 */
int session_conn_import(struct session *s, const char *path, int overwrite,
    struct session_import *out, struct err *e) ATTR_WUR;

/* Free what an import holds (plaintext wiped). NULL does nothing. */
void session_import_release(struct session_import *im);

/* An export: what the front end asks for, and what came of it. */
struct session_export {
	const char			*path;		/* the file, or "-" */
	FILE				*stream;	/* for "-": where to write
							   (the front end's
							   stdout) */
	enum transfer_format		 fmt;
	enum transfer_serialization	 ser;
	int				 overwrite;	/* may replace a regular
							   file of ours */
	/* Called for each connection left out because no key opens its
	   password or extra (field: "password" or "extra"); may be NULL. */
	void				(*skipped)(void *arg,
					    const char *conn_id,
					    const char *field);
	void				*arg;
	/* Out. */
	size_t				 n;		/* connections written */
	size_t				 n_skipped;
	size_t				 n_stale;	/* temporary files that a
							   killed export had left
							   beside the file, now
							   removed */
};

/*
 * Export every connection in x->fmt (transfer.h), in the order Airflow's
 * export reads them: the role may export (ERR_DENIED: "export connections
 * (the file holds plaintext passwords)"), the "export" line (detail: the
 * path) is written before anything else, then the rows are decrypted and
 * written. A file is new and appears whole or not at all (outfile.h: an
 * existing path is refused unless x->overwrite and it is a regular file
 * of ours; nothing is left behind on failure). A connection that no key
 * opens is left out and reported through x->skipped; a stored value that
 * is not valid UTF-8 stops the export naming the connection
 * (transfer_writer_add()). 0 with x->n and x->n_skipped set, or -1 with e
 * set and no file written (to a stream, what was written stays). In
 * restricted mode x->path must be "-" (ERR_DENIED otherwise).
 */
int session_conn_export(struct session *s, struct session_export *x,
    struct err *e) ATTR_WUR;

/* -- variables (src/session_var.c) --------------------------------------- */

/*
 * The variable use cases, the connection rules of doc/design.md section 4
 * applied to Airflow's other Fernet-encrypted secret (resource Variables):
 * what a role sees of a value, revealing it, setting, deleting, importing
 * and exporting, for both front ends. As for connections: the role is
 * checked here (ERR_DENIED naming the action, nothing read, written or
 * logged when refused), a change is one transaction and then one
 * action-log line (action "variable-<op>", the key where the connection
 * line has the conn_id), 1 with e set when the change is made but the line
 * could not be written; a reveal or an export is logged first.
 */

/* What may be done to variables; see session_var_may(). */
enum session_var_op {
	SESSION_VAR_REVEAL,
	SESSION_VAR_SET,
	SESSION_VAR_DELETE,
	SESSION_VAR_IMPORT,
	SESSION_VAR_EXPORT,
	SESSION_VAR_READ,	/* see values at all (can_read on Variables) */
};

/* As session_conn_may(), for variables. */
int session_var_may(struct session *s, enum session_var_op op, struct err *e)
    ATTR_WUR;

/* One variable, decrypted; release with session_var_clear(). */
struct session_var {
	int64_t			 id;
	char			*key;
	char			*description;	/* NULL: none */
	char			*val;	/* plaintext in locked memory, NUL-
					   terminated; NULL for SQL NULL and
					   for a value no key opens */
	size_t			 len;
	int			 is_encrypted;	/* the stored flag */
	struct conn_secret_info	 info;	/* EMPTY, PLAIN, ENCRYPTED (key and
					   token time), UNDECRYPTABLE */
	char			*mem;	/* the locked buffer val points into,
					   kept from row to row */
	size_t			 cap;
};

/*
 * Fill v (zeroed, or holding an earlier row: its locked buffer is reused,
 * so that a listing does not lock memory per row) from a stored row
 * (store_var_next()): copied, and the value decrypted with the session's
 * ring. A flagged value
 * with no key configured, or one that no key opens, is UNDECRYPTABLE with
 * val NULL (Airflow's get_val returns None for it). Loads the ring. 0, or
 * -1 with e set (out of memory).
 */
int session_var_from_row(struct session *s, const struct store_var *row,
    struct session_var *v, struct err *e) ATTR_WUR;

/*
 * Read the variable key into v (zeroed) and decrypt it: every role may.
 * 0, or -1 with e set (ERR_NOTFOUND: "Variable KEY does not exist", as
 * Airflow's KeyError says it).
 */
int session_var_get(struct session *s, const char *key, struct session_var *v,
    struct err *e) ATTR_WUR;

/* Wipe and free what v holds; v is left zeroed. NULL does nothing. */
void session_var_clear(struct session_var *v);

/*
 * The value of v as the session's role may see it, appended to out (a
 * locked buf: buf_init(out, 1)). With reveal (the role may reveal, -1
 * with ERR_DENIED otherwise; the caller logged it with
 * session_var_reveal() first) the value as it is. Else the display copy
 * (mask_var(): "***" under a sensitive key, JSON masked per key), and
 * "***" when the audit's value rules still find a secret in that copy.
 * *masked (may be NULL) is set to 1 when anything was hidden. A value
 * that is NULL or no key opens adds nothing (the caller shows its state).
 * 0, or -1 with e set.
 */
int session_var_display(struct session *s, const struct session_var *v,
    int reveal, struct buf *out, int *masked, struct err *e) ATTR_WUR;

/* As session_conn_reveal(): check and write the "variable-reveal" line. */
int session_var_reveal(struct session *s, const char *key, const char *detail,
    struct err *e) ATTR_WUR;

/*
 * Airflow's Variable.set(key, value, description, serialize_json=json):
 * the role may set (ERR_DENIED: "set variables"); the key is not empty and
 * at most 250 bytes (ERR_USAGE); with json the value is stored as
 * json.dumps(value, indent=2) of the string. The value is encrypted with
 * the primary key when a key is configured, else stored in plain text
 * with is_encrypted false (*plain, may be NULL, set to 1, for the front
 * end to warn). In one transaction, as the DB's Airflow writes it: on 2.x
 * the old row goes and a new one is inserted; on 3.x (an upsert) a row
 * that exists is updated in place and keeps its id. The description is
 * the one given, NULL for none. Then one "variable-set" line. 0, 1, or -1.
 */
int session_var_set(struct session *s, const char *key, const char *val,
    size_t len, const char *description, int json, int *plain,
    const char *detail, struct err *e) ATTR_WUR;

/*
 * Delete key (no key is needed to delete a value no key opens), then one
 * "variable-delete" line. 0, 1, or -1 (ERR_NOTFOUND when there is none:
 * nothing logged).
 */
int session_var_delete(struct session *s, const char *key, const char *detail,
    struct err *e) ATTR_WUR;

/* What `variables import` does with a key that exists. */
enum session_var_existing {
	SESSION_VAR_OVERWRITE,
	SESSION_VAR_FAIL,
	SESSION_VAR_SKIP,
};

/* An import's outcome; release with session_var_import_release(). */
struct session_var_import {
	size_t		 total;		/* keys in the file (duplicates folded) */
	size_t		 done;		/* set */
	char		**skipped;	/* keys left as they were (SKIP), sorted */
	size_t		 n_skipped;
	int		 plain;		/* stored in plain text: no key */
};

/*
 * Import an Airflow variables file (text, len bytes, read by the front end
 * from path, which is checked against restricted mode and logged): up to
 * Airflow 3.0 a JSON object of key to value, anything else ERR_INVALID
 * "Invalid variables file."; from 3.1 (or an unknown version) json, yaml
 * or env by path's extension, as transfer_read_vars() reads them, with its
 * errors. For Airflow 3 a value that is an object with "value" gives the
 * value and its "description". A string is stored as it is, anything else
 * as json.dumps(v, indent=2), each as session_var_set() does. The role may
 * import (ERR_DENIED: "import variables"); with
 * FAIL and existing keys, ERR_INVALID "Failed. These keys: [...] already
 * exists." (Airflow's words, the keys as a Python list). Airflow commits
 * each variable alone; here it is all in one transaction. One
 * "variable-import" line per variable set. 0, 1, or -1 with nothing
 * written.
 */
int session_var_import(struct session *s, const char *path, const char *text,
    size_t len, enum session_var_existing existing,
    struct session_var_import *out, struct err *e) ATTR_WUR;

void session_var_import_release(struct session_var_import *im);

/*
 * Export every variable as Airflow's `variables export` writes it for the
 * DB's version (json.dump(..., sort_keys=True, indent=4), no newline at
 * the end; a value that is JSON is written as JSON; Airflow 3 writes
 * {"description", "value"} for a variable with a description), through
 * x as session_conn_export() does (x->fmt and x->ser are not used): the
 * role may export (ERR_DENIED: "export variables (the file holds
 * plaintext values)"), the "variable-export" line first, a new file that
 * appears whole, or "-" (restricted mode: only "-"). A value no key opens
 * is left out and reported through x->skipped (field "val").
 */
int session_var_export(struct session *s, struct session_export *x,
    struct err *e) ATTR_WUR;

#endif
