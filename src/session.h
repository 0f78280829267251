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
	struct config_opts	 opts;
	const char		*as_role;	/* --as-role, or NULL */

	struct session_keys	*keys;	/* the current generation; never NULL */
	struct store		*store;	/* NULL until session_store() */
	struct policy		 policy;	/* valid once policy_loaded */
	int			 policy_loaded;
	struct mask		*mask;	/* NULL until session_mask() */

	const char		*warning;	/* see session_warning() */
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

/* Open the metadata DB (once): --db, else [database] sql_alchemy_conn. */
int session_store(struct session *s, struct err *e) ATTR_WUR;

/* The user's role from the configuration and --as-role (once): s->policy. */
int session_policy(struct session *s, struct err *e) ATTR_WUR;

/* Airflow's masking rules for the opened DB's version (once): s->mask. */
int session_mask(struct session *s, struct err *e) ATTR_WUR;

/*
 * The warning the last load left for the user, as one sentence without the
 * "ferncon: warning: " a front end puts in front, or NULL. Taking it clears
 * it. The text is static.
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

#endif
