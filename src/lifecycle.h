/*
 * lifecycle.h: the encryption lifecycle of the values Airflow encrypts
 * (connection password and extra, variable values, trigger kwargs):
 *
 *   census      which key opens what, plaintext and undecryptable rows (the
 *               summary `key status` and the console's status line show);
 *   preflight   the same per field and per key, with token ages, the rows no
 *               key opens named, and the plaintext `{...}` trigger rows;
 *   encrypt     encrypt-plaintext: every connection password and extra and
 *               every variable whose flag is false gets a token from the
 *               primary key and its flag set;
 *   rotate      MultiFernet.rotate over every encrypted value (any key
 *               decrypts, the first encrypts, the original timestamp is
 *               kept, a fresh IV), flags unchanged, then a verify pass;
 *   verify      every encrypted value opens with the primary key alone;
 *   probe       which candidate keys open the rows no configured key opens.
 *
 * A job reads each field's rows in pages by id (WHERE id > ? ORDER BY id
 * LIMIT n, store_field_iter()), never with OFFSET, and holds at most three
 * pages: memory does not grow with the table. Worker threads (one per CPU
 * but one, each with its own parse of the key list, as fernet objects are
 * not thread-safe) do the Fernet work on one page while the calling thread
 * reads the next and writes the previous one, then lends a hand; the store
 * is only ever used from the calling thread. lifecycle_free() wipes the
 * calling thread's Fernet scratch (fernet_thread_cleanup()). encrypt and rotate run in ONE transaction: a failure,
 * a cancel or a kill at any moment leaves every value as it was (SQLite's
 * journal, PostgreSQL's MVCC); only a completed COMMIT changes anything.
 * Plaintexts exist only in locked memory (sodium_malloc) that is wiped.
 * No message holds a key or a value; rows are named by conn_id, variable
 * key or trigger id.
 *
 * Progress: the job calls opts->progress from the calling thread between
 * pages, at most every interval_ms, and at each phase's start and end
 * (always right before COMMIT). A non-zero return, or *opts->cancel set
 * (e.g. from a signal handler or the console's key handler), cancels the job
 * at the next page boundary: the transaction is rolled back and the job
 * returns -1 with result->cancelled set. Once COMMIT has begun a job is no
 * longer cancelled.
 */
#ifndef FERNCON_LIFECYCLE_H
#define FERNCON_LIFECYCLE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "err.h"
#include "keyring.h"
#include "store.h"

#define CENSUS_MAX_KEYS		16
#define LIFECYCLE_MAX_KEYS	CENSUS_MAX_KEYS	/* a longer fernet_key is refused */
#define LIFECYCLE_MAX_NAMED	50	/* rows named in a report; the rest are counted */
#define LIFECYCLE_MAX_CANDIDATES 64	/* candidate keys of one probe */

/* -- census (key status) ------------------------------------------------- */

/* Counts for one kind of value (e.g. connection passwords). */
struct census_count {
	size_t		per_key[CENSUS_MAX_KEYS];	/* tokens each key opens */
	size_t		plaintext;	/* non-empty, flag false */
	size_t		undecryptable;	/* flag true, no key opens it */
	size_t		empty;		/* NULL or "" */
};

struct census {
	size_t			connections;
	size_t			variables;
	int			has_variables;	/* the table exists */
	struct census_count	password, extra, var;
	/* Token timestamps per key: the oldest and newest. */
	uint64_t		oldest[CENSUS_MAX_KEYS];
	uint64_t		newest[CENSUS_MAX_KEYS];
};

/*
 * Count every encrypted value of the store by the key that opens it, in
 * one streaming pass, on the calling thread. Rings of more than
 * CENSUS_MAX_KEYS keys are refused. 0, or -1 with e set.
 */
int lifecycle_census(struct store *s, struct keyring *kr, struct census *out,
    struct err *e) ATTR_WUR;

/* Totals over the three kinds of value. */
size_t census_total_plaintext(const struct census *c);
size_t census_total_undecryptable(const struct census *c);
size_t census_total_for_key(const struct census *c, size_t key);

/* -- jobs: options, progress, reports ------------------------------------ */

struct lifecycle;

enum lifecycle_phase {
	LIFECYCLE_PREFLIGHT,
	LIFECYCLE_ENCRYPT,
	LIFECYCLE_ROTATE,
	LIFECYCLE_COMMIT,	/* reported once, right before COMMIT */
	LIFECYCLE_VERIFY,
	LIFECYCLE_PROBE,
};

/*
 * done and total count the rows of ALL the fields a phase reads, one after
 * another (a connection row counts once for its password and once for its
 * extra): done / total is the fraction of the whole phase, not of `field`.
 */
struct lifecycle_progress {
	enum lifecycle_phase	 phase;
	enum store_field	 field;		/* the field being read now */
	size_t			 done;		/* rows of the phase passed so far */
	size_t			 total;		/* rows of the phase (counted at its start) */
	double			 rate;		/* rows per second since the phase began */
	double			 eta;		/* seconds left at that rate; -1 unknown */
	double			 elapsed;	/* seconds since the phase began */
};

/*
 * The one wording of progress, for the CLI's line and the console's bar:
 * "rotate: 48213 of 100000 rows (48%), 12034 rows/s, ETA 0:04" (the phase,
 * rows done of total, the rate in rows/s, the time left; "committing..."
 * for COMMIT). Into buf (len bytes).
 */
void lifecycle_progress_format(const struct lifecycle_progress *p, char *buf,
    size_t len);

/*
 * Called on the job's thread; may draw, read a key, sleep. Returns 0 to go
 * on, non-zero to cancel (ignored in the COMMIT and VERIFY phases).
 */
typedef int (*lifecycle_progress_fn)(const struct lifecycle_progress *p,
    void *arg);

struct lifecycle_opts {
	lifecycle_progress_fn		 progress;	/* NULL: none */
	void				*progress_arg;
	unsigned			 interval_ms;	/* 0: 100 (at most 10 calls/s) */
	const volatile sig_atomic_t	*cancel;	/* NULL: none; polled between pages */
	unsigned			 threads;	/* Fernet threads, the caller's included;
							   0: one per CPU (max 8); 1: no thread */
	size_t				 page_rows;	/* rows per page; 0: 2000 */
};

/* A row named in a report: which field of which row. */
struct lifecycle_row {
	enum store_field	 field;
	int64_t			 id;
	char			 name[256];	/* conn_id or variable key; "" for a trigger */
	int			 key;		/* probe: candidate index that opens it, -1 none */
};

/* Per field: what a preflight found. */
struct lifecycle_stats {
	size_t		rows;		/* rows in the table */
	size_t		empty;		/* NULL or "" */
	size_t		plaintext;	/* flag false (triggers: legacy `{...}` JSON) */
	size_t		undecryptable;	/* a token no key opens */
	size_t		per_key[LIFECYCLE_MAX_KEYS];	/* tokens each key opens */
	size_t		stale;		/* tokens made before stale_before */
	uint64_t	oldest[LIFECYCLE_MAX_KEYS];	/* token times, per key (0: none) */
	uint64_t	newest[LIFECYCLE_MAX_KEYS];
};

struct lifecycle_preflight {
	size_t			nkeys;		/* keys in the ring (0: encryption off) */
	int			present[STORE_FIELD_MAX];	/* the field's table exists */
	struct lifecycle_stats	field[STORE_FIELD_MAX];
	uint64_t		stale_before;	/* as given */
	/* Totals over the fields. */
	size_t			tokens;		/* tokens some key opens: what rotate rewrites */
	size_t			plaintext;	/* flag-false values of connections and variables:
						   what encrypt-plaintext encrypts */
	size_t			legacy;		/* plaintext `{...}` trigger rows */
	size_t			undecryptable;
	size_t			stale;
	uint64_t		oldest[LIFECYCLE_MAX_KEYS];	/* per key, over the fields */
	uint64_t		newest[LIFECYCLE_MAX_KEYS];
	/* The first LIFECYCLE_MAX_NAMED of each kind, in field then id order. */
	struct lifecycle_row	bad[LIFECYCLE_MAX_NAMED];	/* no key opens them */
	size_t			nbad;
	struct lifecycle_row	legacy_rows[LIFECYCLE_MAX_NAMED];
	size_t			nlegacy_rows;
};

struct lifecycle_verify {
	size_t			checked;	/* tokens read after the commit */
	size_t			primary;	/* open with the primary key alone */
	size_t			other;		/* open only with another key of the ring */
	size_t			undecryptable;	/* no key opens them */
	size_t			missing;	/* rotate: values written that are
						   gone since (row deleted, emptied) */
	size_t			bad;		/* rotate: values that fail: changed
						   since and not opened by the
						   primary key, or missing */
	size_t			since;		/* rotate: values changed since the
						   COMMIT (another writer) that the
						   primary key alone opens: named,
						   not a failure */
	int			ok;		/* other == 0, undecryptable <= skipped;
						   rotate: every value is as written
						   (or left), or changed since and
						   opened by the primary key */
	int			changed;	/* rotate: the DB does not hold exactly
						   the values written and left */
	double			seconds;
	struct lifecycle_row	rows[LIFECYCLE_MAX_NAMED];	/* the first not opened
								   by key 1 (key: the one
								   that opens it, -1 none;
								   rotate: -2 gone) */
	size_t			nrows;
	struct lifecycle_row	since_rows[LIFECYCLE_MAX_NAMED];	/* the first
								   changed since */
	size_t			nsince_rows;
};

struct lifecycle_result {
	size_t			rows;		/* rows read */
	size_t			changed[STORE_FIELD_MAX];	/* values rotated or encrypted */
	size_t			skipped[STORE_FIELD_MAX];	/* undecryptable, left as they are */
	size_t			total_changed;
	size_t			total_skipped;
	size_t			legacy;		/* plaintext `{...}` trigger rows, left alone */
	struct lifecycle_row	skipped_rows[LIFECYCLE_MAX_NAMED];
	size_t			nskipped_rows;
	double			seconds;	/* reading, Fernet and writing (not verify) */
	double			commit_seconds;
	int			committed;
	int			cancelled;
	struct lifecycle_verify	verify;		/* rotate only: the pass after COMMIT */
	struct lifecycle_preflight preflight;	/* rotate only: what the one pass found
						   (see lifecycle_rotate()) */
};

/*
 * A finished job's rate, rows read per second of its work (res->rows /
 * res->seconds): what the summaries say and the console's bar ends on.
 */
double lifecycle_result_rate(const struct lifecycle_result *res);

/*
 * The progress a finished job ends on: phase (LIFECYCLE_ROTATE or
 * LIFECYCLE_ENCRYPT), every row read, at lifecycle_result_rate().
 */
void lifecycle_result_progress(const struct lifecycle_result *res,
    enum lifecycle_phase phase, struct lifecycle_progress *out);

/* lifecycle_rotate() flags. */
#define LIFECYCLE_SKIP_UNDECRYPTABLE	0x1	/* leave them as they are, report them */

/* -- lifecycle ----------------------------------------------------------- */

/*
 * A job runner for the store s (borrowed: it must outlive the runner, and
 * nobody else may use it while a job runs; a job may run on any thread, one
 * job at a time) and the key list fernet_key (len
 * bytes, Airflow's [core] fernet_key text; empty means encryption off),
 * parsed once per worker thread. opts may be NULL (defaults) and is copied.
 * Returns 0 with *out set (free with lifecycle_free()), or -1 with e set
 * (ERR_CONFIG for a bad key or a ring of more than LIFECYCLE_MAX_KEYS keys,
 * ERR_NOMEM, or a thread that cannot be started).
 */
int lifecycle_new(struct lifecycle **out, struct store *s, const char *fernet_key,
    size_t len, const struct lifecycle_opts *opts, struct err *e) ATTR_WUR;

/* Stop the workers and wipe and free everything. NULL does nothing. */
void lifecycle_free(struct lifecycle *lc);

/* Number of keys (0 when encryption is off) and of Fernet threads. */
size_t lifecycle_key_count(const struct lifecycle *lc);
unsigned lifecycle_threads(const struct lifecycle *lc);

/* -- jobs ---------------------------------------------------------------- */

/*
 * Read every field that exists and count, per field and per key, what the
 * ring opens, with the oldest and newest token time per key and the tokens
 * made before stale_before (Unix seconds; 0: none is stale). Names the first
 * rows no key opens and the first plaintext trigger rows. Reads only (no
 * transaction; works on a read-only DB). 0, or -1 with e set (and
 * out->... partial); cancelled as described above.
 */
int lifecycle_preflight(struct lifecycle *lc, uint64_t stale_before,
    struct lifecycle_preflight *out, struct err *e) ATTR_WUR;

/*
 * encrypt-plaintext, in one transaction: every connection password and
 * extra that is non-empty and every variable value that is not NULL
 * (Airflow's set_val encrypts "" too) whose flag is false gets a token from
 * the primary key at the current time, and its flag set. Rows whose flag is
 * true and trigger rows are never touched. Refuses with ERR_CONFIG when
 * encryption is off, ERR_DENIED on a read-only DB. 0 with out filled
 * (committed), or -1 with e set and nothing changed (out->cancelled when
 * cancelled).
 */
int lifecycle_encrypt(struct lifecycle *lc, struct lifecycle_result *out,
    struct err *e) ATTR_WUR;

/*
 * rotate-fernet-key, in one transaction: every non-empty value whose flag
 * is true, and every trigger row that is not plaintext `{...}` JSON, is
 * rotated (MultiFernet.rotate: original timestamp, fresh IV, primary key);
 * flags are never changed and flag-false rows never touched. The one pass
 * is its own preflight: out->preflight gets the counts lifecycle_preflight()
 * gives (which key opened each value, token ages, plaintext and legacy
 * rows). A value no key opens makes the job roll back on the first one
 * (ERR_INVALID, naming it), then run lifecycle_preflight() into
 * out->preflight so that every such value is named, nothing changed;
 * unless flags has LIFECYCLE_SKIP_UNDECRYPTABLE, when it is left as it is
 * and reported in out->skipped. Each new token is opened in memory with
 * the primary key alone before it is written. After COMMIT the values are
 * read back and the digest of each (field, id, value) compared with the
 * one kept while writing (on an unlinked temp file, so that memory stays
 * flat). A value that differs, or a new one, is opened: the primary key
 * opens it, it was changed since the COMMIT by another writer (an Airflow
 * already on the new key list) and is counted in out->verify.since and
 * named, not a failure; otherwise it is a failure (out->verify.other or
 * undecryptable), as is a value written that is gone (missing). A verify
 * that is not ok does not make the job fail (the rotation is committed):
 * check out->verify.ok.
 * Refuses with ERR_CONFIG when encryption is off, ERR_DENIED on a read-only
 * DB; a DB locked by another process fails after the store's busy timeout
 * with the store's message. 0 (committed and verified), or -1 with e set:
 * nothing changed, unless out->committed is set (the rotation committed but
 * the verify pass could not run, e.g. the DB went away).
 */
int lifecycle_rotate(struct lifecycle *lc, unsigned flags,
    struct lifecycle_result *out, struct err *e) ATTR_WUR;

/*
 * Read every encrypted value (flag true and non-empty; trigger rows that are
 * not `{...}`) and check that it opens with the primary key alone; those
 * that do not are counted as opening with another key of the ring or with
 * none. out->ok is set when no value needs another key and at most
 * `skipped` values open with no key. Reads only. 0, or -1 with e set.
 */
int lifecycle_verify(struct lifecycle *lc, size_t skipped,
    struct lifecycle_verify *out, struct err *e) ATTR_WUR;

/* -- probe --------------------------------------------------------------- */

struct lifecycle_probe {
	size_t			ncand;		/* candidate keys */
	unsigned		cand_line[LIFECYCLE_MAX_CANDIDATES];	/* 1-based input line */
	int			cand_in_ring[LIFECYCLE_MAX_CANDIDATES];	/* already configured:
									   index in the ring, or -1 */
	size_t			opened[LIFECYCLE_MAX_CANDIDATES];	/* rows each one opens */
	size_t			checked;	/* tokens read */
	size_t			unopened;	/* tokens no configured key opens */
	size_t			still_unopened;	/* ... and no candidate either */
	size_t			per_field[STORE_FIELD_MAX];	/* unopened, per field */
	struct lifecycle_row	rows[LIFECYCLE_MAX_NAMED];	/* the first unopened rows,
								   with the candidate (key) */
	size_t			nrows;
	unsigned		skipped_line[LIFECYCLE_MAX_CANDIDATES];	/* malformed
									   lines, 1-based */
	size_t			nskipped;	/* lines skipped (the first
						   LIFECYCLE_MAX_CANDIDATES listed) */
};

/*
 * Which candidate keys open the values that no configured key opens, and how
 * many each (the first candidate, in input order, that opens a value gets
 * it). candidates (len bytes) holds one key per line; blank lines and lines
 * starting with `#` are skipped; a line may hold a comma-separated list
 * (an old fernet_key value), each key a candidate. A malformed line is
 * skipped and its number recorded (skipped_line: the caller warns, naming
 * the line, never its text); no well-formed candidate at all is ERR_USAGE.
 * Reads only. 0, or -1 with e set.
 */
int lifecycle_probe(struct lifecycle *lc, const char *candidates, size_t len,
    struct lifecycle_probe *out, struct err *e) ATTR_WUR;

/*
 * Values that open only under a key other than the primary (an old key of
 * the ring), over every field of pf. While there are some the old keys are
 * still needed; at 0 (after a rotation) the key list may be cut to the
 * primary key alone (the key wizard's D; key status says so).
 */
size_t lifecycle_old_key_values(const struct lifecycle_preflight *pf);

/*
 * The candidates of a probe to add to the key list: each one that opened
 * values and is not in the ring, in input order. A candidate given twice
 * is found once (the first in order opens the values). Writes at most max
 * indexes into idx; returns how many there are.
 */
size_t lifecycle_probe_found(const struct lifecycle_probe *pr, size_t *idx,
    size_t max);

/* -- reports ------------------------------------------------------------- */

/*
 * "connection.password of 'warehouse_pg' (id 12)", "variable.val of
 * 'api_token' (id 3)", "trigger.kwargs of trigger 7" into buf.
 */
void lifecycle_row_format(const struct lifecycle_row *r, char *buf, size_t len);

/* "preflight", "encrypt", "rotate", "commit", "verify", "probe". */
const char *lifecycle_phase_name(enum lifecycle_phase p);

#endif
