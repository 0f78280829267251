/*
 * connwin.h: the window of connection rows that the list screen shows,
 * paged from the DB by key (store_query after/before/desc) so that a
 * million-row table opens at once and only a few pages are ever in memory.
 * It is core code, used by the console's list screen: it can be driven
 * without a terminal, as tests/test_connwin.c does.
 *
 * The window holds a run of consecutive rows of the ordered, filtered set
 * (conn_id ascending, or descending with desc), at most cap of them, as
 * summaries: names, port, the encryption state of the password and extra,
 * and the key and age of their tokens. It never holds a password or an
 * extra: rows are decrypted one by one into a scratch record that is wiped.
 * at_start / at_end say that the window touches either end of the set.
 * They are learnt from a fetch that comes back short: when a full page
 * happens to end at an end, the flag is set by the next fetch, which adds
 * nothing.
 *
 * Connections defined in the environment (AIRFLOW_CONN_<ID>, given by
 * connwin_set_env()) come first, as a block in view order above the DB's
 * rows, because Airflow's lookup reads the environment before the DB
 * (session_conn_env_rows()); a DB row that such a variable hides is marked
 * shadowed. The filter applies to both. Paging runs over the two blocks
 * by (block, conn_id), so an id in both is two rows and never confuses
 * the keyset.
 */
#ifndef FERNCON_CONNWIN_H
#define FERNCON_CONNWIN_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"
#include "compiler.h"
#include "conn.h"
#include "connfilter.h"
#include "err.h"
#include "keyring.h"
#include "store.h"

/* One row, without secrets. Strings may be NULL (SQL NULL). */
struct conn_row {
	char			*conn_id;
	char			*conn_type;
	char			*host;
	char			*login;
	char			*description;
	int			 has_port;
	long			 port;
	enum conn_secret_state	 password;
	enum conn_secret_state	 extra;
	int			 key_index;	/* that opened the token shown; -1 none */
	uint64_t		 timestamp;	/* of that token (unverified if undecryptable) */
	int			 has_timestamp;
	int			 env;		/* from AIRFLOW_CONN_<ID>, not the DB */
	int			 shadowed;	/* a DB row that a variable of the
						   environment hides from Airflow */
};

struct connwin {
	struct store	*store;		/* borrowed */
	struct keyring	*kr;		/* borrowed */
	char		*match;		/* the store's narrowing: the filter's first
					   free-text term, or NULL */
	struct connfilter filter;	/* every term (connfilter.h) */
	char		*text;		/* the filter as given, or NULL */
	struct audit	*audit;		/* borrowed: answers is:flagged; NULL:
					   is:flagged is refused */
	int		 desc;		/* conn_id descending */
	struct conn_row	*rows;
	size_t		 n, cap;
	size_t		 alloc;		/* private: rows allocated */
	int		 at_start, at_end;
	struct conn	 scratch;	/* one row at a time, wiped */
	struct conn_row	*env;		/* the environment's rows, by conn_id */
	size_t		 env_n;
};

/* The worst state of a row (undecryptable > plaintext > encrypted > empty). */
enum conn_secret_state conn_row_state(const struct conn_row *r);

/*
 * The summary of the decrypted connection c into r (no secret is copied).
 * 0, or -1 with e set (ERR_NOMEM) and r empty. Release r with
 * connwin_row_release().
 */
int connwin_row_fill(struct conn_row *r, const struct conn *c, struct err *e)
    ATTR_WUR;
void connwin_row_release(struct conn_row *r);

/* Set up an empty window of at most cap rows over store and kr. */
void connwin_init(struct connwin *w, struct store *s, struct keyring *kr,
    size_t cap);

/*
 * The audit engine that answers is:flagged (borrowed; NULL for none; one
 * engine per thread, as audit.h says). A row is flagged when the audit's
 * rules report a finding for it (audit_conn_worst(): what the list marks
 * with '!', '*' or '.'). It is run on the row already read and decrypted
 * for the window, with no read of its own, and only on a row that every
 * other term matched; the engine bounds its work per value (audit.h), so
 * a row costs one bounded scan.
 */
void connwin_set_audit(struct connwin *w, struct audit *a);

/* Free the rows and wipe the scratch record. */
void connwin_release(struct connwin *w);

/*
 * The rows of the environment's connections (session_conn_env_rows(); each
 * with env set), copied into w and sorted by conn_id; n 0 for none. The
 * window is emptied; load it again. 0, or -1 with e set (w unchanged).
 */
int connwin_set_env(struct connwin *w, const struct conn_row *rows, size_t n,
    struct err *e) ATTR_WUR;

/*
 * Set the filter (connfilter.h: free text, a substring of conn_id,
 * conn_type or host, and state terms such as is:plaintext or key:2, joined
 * by AND; NULL or "" for none) and the order. The window is emptied; load
 * it again. A filter with state terms reads on past the rows it skips, a
 * page at a time, so a load may read the whole table to fill n rows. A
 * malformed term is ERR_USAGE (the view is left as it was).
 */
int connwin_set_view(struct connwin *w, const char *match, int desc,
    struct err *e) ATTR_WUR;

/* Load the first / last n rows of the set. 0, or -1 with e set. */
int connwin_load_first(struct connwin *w, size_t n, struct err *e) ATTR_WUR;
int connwin_load_last(struct connwin *w, size_t n, struct err *e) ATTR_WUR;

/*
 * Load up to n rows before and n rows from the DB row conn_id on (in the
 * order of the view); *index is the row of conn_id, or of the first row after it when
 * it is gone (the last row when none follows).
 */
int connwin_load_at(struct connwin *w, const char *conn_id, size_t n,
    size_t *index, struct err *e) ATTR_WUR;

/*
 * Add up to n rows after the last one (down) or before the first one (up).
 * *added is how many came; rows beyond cap are dropped from the other end
 * and counted in *dropped (for down, the first rows: indexes shift down by
 * *dropped; for up, the last rows, and indexes shift up by *added).
 */
int connwin_extend_down(struct connwin *w, size_t n, size_t *added,
    size_t *dropped, struct err *e) ATTR_WUR;
int connwin_extend_up(struct connwin *w, size_t n, size_t *added,
    size_t *dropped, struct err *e) ATTR_WUR;

#endif
