/*
 * lifecycle_int.h: the state of the lifecycle engine, shared by its files
 * (private to src/lifecycle*.c): lifecycle.c (pages read and applied in
 * the job's transaction, progress, the jobs) and lifecycle_pool.c (the
 * worker threads that do the Fernet work of a page). The census
 * (lifecycle_census.c) needs none of it. The console and the CLI use
 * lifecycle.h only.
 */
#ifndef FERNCON_LIFECYCLE_INT_H
#define FERNCON_LIFECYCLE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include <sodium.h>

#include "lifecycle.h"

#define DEFAULT_PAGE_ROWS	2000
#define DEFAULT_INTERVAL_MS	100
#define MAX_THREADS		8
#define CHUNK_ROWS		16		/* rows a worker takes at a time */
#define PAGE_IN_BUDGET		((size_t)512 << 10)	/* value bytes per page */
#define PAGE_OUT_BUDGET		((size_t)768 << 10)	/* token bytes per page */
#define NO_NAME			((size_t)-1)
#define NPAGES			3
#define ROW_DIGEST		16		/* bytes of a row's digest */
#define DIG_KEY			16		/* bytes of the digests' key */
#define DIG_REC			(1 + 8 + ROW_DIGEST)	/* a record of job.digf */

/* What a worker does to each row of a page. */
enum op {
	OP_SCAN,	/* which key opens the token, and its time */
	OP_ENCRYPT,	/* plaintext -> token under the primary key */
	OP_ROTATE,	/* MultiFernet.rotate */
	OP_VERIFY,	/* does the primary key alone open it */
	OP_PROBE,	/* the ring, else which candidate opens it */
};

/* What the reader decides for a value before any Fernet work. */
enum class {
	CL_WORK,	/* copied into the page for the workers */
	CL_EMPTY,	/* NULL or "" */
	CL_PLAIN,	/* flag false */
	CL_LEGACY,	/* a trigger row that is plain `{...}` JSON */
	CL_ENCRYPTED,	/* flag true (encrypt leaves it alone) */
};

/* A row's outcome, set by a worker. */
enum status {
	ST_NONE,
	ST_DONE,	/* rotated or encrypted: out holds the new token */
	ST_UNOPENED,	/* no key opens it */
};

struct row {
	int64_t		id;
	enum store_field field;			/* p->field, except in a pair */
	size_t		in_off, in_len;		/* the value, in page->in */
	size_t		out_off, out_cap, out_len;	/* the new token, in page->out */
	size_t		name_off;		/* in page->names, or NO_NAME */
	uint64_t	ts;			/* token time */
	int		flag;
	int		key;			/* key index that opens it, -1 none */
	int		cand;			/* probe: candidate index, -1 none */
	int		status;
	uint8_t		dig[ROW_DIGEST];	/* rotate: lifecycle_row_digest() */
};

struct page {
	enum store_field	 field;		/* a pair: STORE_CONN_PASSWORD */
	int			 pair;		/* both connection secrets */
	enum op			 op;
	uint64_t		 now;		/* encrypt: the token time */
	struct row		*rows;
	size_t			 nrows, rows_cap;
	size_t			 nread;		/* rows read from the table, work or not */
	char			*in;		/* sodium_malloc: may hold plaintexts */
	size_t			 in_cap, in_used;
	char			*out;
	size_t			 out_cap, out_used;
	char			*names;
	size_t			 names_cap, names_used;
	int64_t			 last_id;	/* the next page starts after it */
	int			 more;		/* the table may hold more rows */
	atomic_size_t		 next;		/* the workers' cursor */
};

struct worker {
	struct lifecycle	*lc;
	pthread_t		 tid;
	int			 started;
	struct keyring		*kr;
	struct keyring		*cand;		/* probe candidates, or NULL */
	uint8_t			*plain;		/* sodium_malloc scratch for checks */
	size_t			 plain_cap;
	struct err		 err;
	int			 failed;
};

/* The state of the job in progress. */
struct job {
	enum op				 op;
	enum lifecycle_phase		 phase;
	unsigned			 flags;
	struct lifecycle_preflight	*pf;
	struct lifecycle_result		*res;
	struct lifecycle_verify		*vf;
	struct lifecycle_probe		*pr;
	size_t				 total, done;
	size_t				 rows[STORE_FIELD_MAX];	/* counted at the start */
	enum store_field		 field;
	double				 t0, last;
	int				 cancelled;
	int				 may_cancel;
	int				 unopened;	/* rotate stopped on a value no key opens */
	FILE				*digf;		/* rotate: (field, id, digest) of
							   each value written or left, in
							   write order (an unlinked temp
							   file: memory stays flat) */
	size_t				 ndig;		/* records in digf */
	uint8_t				 dig_key[DIG_KEY];	/* rotate: random */
	int				 digf_failed;	/* a write to digf failed */
};

struct lifecycle {
	struct store		*s;
	struct lifecycle_opts	 opts;
	size_t			 nkeys;
	unsigned		 nworkers;	/* crypto contexts; w[0] is the caller's */
	struct worker		*w;
	pthread_mutex_t		 mu;
	pthread_cond_t		 work, done;
	int			 sync_ok;
	unsigned		 gen;		/* bumped for each page handed out */
	unsigned		 busy;		/* workers still on the current page */
	int			 quit;
	struct page		*current;	/* the page the workers work on */
	struct page		 pages[NPAGES];
	struct job		 job;
	size_t			 counted[STORE_FIELD_MAX];	/* rows, at the last count */
	int			 counts_fresh;	/* reuse them once (rotate's verify) */
};

/* -- the worker pool (lifecycle_pool.c) ---------------------------------- */

/*
 * The digest of one stored value's bytes: SipHash-2-4 with a 128-bit
 * output (libsodium's crypto_shorthash_siphashx24) under key, which the
 * rotation draws at random (struct job's dig_key). A rotation keeps the
 * digest of each value as it writes it (or leaves it), beside its field
 * and id; the check after COMMIT reads the values back and compares
 * (lifecycle.c, rotate_check()). A keyed PRF is enough to tell a changed
 * value from the one written, since nobody outside the process knows the
 * key, and costs a quarter of BLAKE2b on a token (doc/perf.md section 3).
 */
void lifecycle_row_digest(uint8_t out[ROW_DIGEST],
    const uint8_t key[DIG_KEY], const char *val, size_t len);

/*
 * Which key of the ring opens tok (len bytes), on the calling thread
 * (worker 0's keys and scratch): its index, -1 when none does, or -2 on a
 * failure that is not the token's (e set).
 */
int lifecycle_pool_open(struct lifecycle *lc, const char *tok, size_t len,
    struct err *e);

/*
 * The thread body of worker w (a struct worker *): the Fernet work of
 * each page handed out, until lc->quit. Returns NULL.
 */
void *lifecycle_worker_main(void *arg);

/* Hand page p to the worker threads. */
void lifecycle_pool_start(struct lifecycle *lc, struct page *p);

/*
 * Wait until the current page (if any) is done; with help, the calling
 * thread takes rows of it too (as worker 0).
 */
void lifecycle_pool_wait(struct lifecycle *lc, int help);

/*
 * After lifecycle_pool_wait(): 0, or -1 with the first failure of a
 * worker copied into e (when not NULL).
 */
int lifecycle_pool_check(struct lifecycle *lc, struct err *e);

#endif
