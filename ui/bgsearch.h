/*
 * bgsearch.h: the list's filter, run on a thread of its own, so that a
 * filter that few rows match (SQLite then reads the whole table: seconds
 * on a million rows) never freezes the console: the screen says
 * "searching", keys keep working, and only the newest filter's result is
 * shown. The thread has its own store connection and key ring and a
 * window of rows (connwin.h) that it fills; the result is handed over by
 * swapping windows. No curses.
 *
 * A query that is running is stopped (store_interrupt()) when it is no
 * longer wanted: a newer request, bgsearch_cancel() and bgsearch_free()
 * interrupt it, so that the newest filter starts at once and quitting
 * does not wait. An interrupted request gives no result at all: it is
 * never reported as a failure nor as an empty view. An interrupt that
 * comes between two statements is lost (store.h); bgsearch_poll() then
 * interrupts the old query again while the caller waits for a newer one.
 *
 * Threads: the caller (the console's thread) calls every function here;
 * the search thread runs the queries. They share the request, the result
 * and the state of the running request under the searcher's mutex; the
 * caller's only use of the thread's store is store_interrupt(), always
 * under that mutex, and the thread closes the store only after it has
 * seen bgsearch_free()'s request under the mutex, so the interrupt never
 * meets store_close(). The thread's window is the thread's while it runs
 * a request and the caller's (bgsearch_poll() swaps it) only once the
 * result is posted.
 */
#ifndef FERNCON_UI_BGSEARCH_H
#define FERNCON_UI_BGSEARCH_H

#include <stddef.h>

#include "compiler.h"
#include "connwin.h"
#include "err.h"

struct bgsearch;

/*
 * Open the DB at url (schema as [database] sql_alchemy_schema, may be
 * NULL) and the key ring of fernet_key (len bytes; NULL: encryption off),
 * and start the idle thread. 0 with *out set, or -1 with e set.
 */
int bgsearch_new(struct bgsearch **out, const char *url, const char *schema,
    const char *fernet_key, size_t len, struct err *e) ATTR_WUR;

/*
 * Ask for the first n rows of the view (match, desc), tagged seq; it
 * replaces a request not started yet and interrupts the one running. 0, or
 * -1 (out of memory).
 */
int bgsearch_submit(struct bgsearch *b, const char *match, int desc, size_t n,
    unsigned seq);

/*
 * Drop the request not started yet and interrupt the one running, whose
 * result is then never given (nor is a result not yet polled). The
 * thread stays, idle, for the next bgsearch_submit(). NULL does nothing.
 */
void bgsearch_cancel(struct bgsearch *b);

/*
 * If the result of request seq is ready, swap it into w (w's rows, filter
 * and order become the result's; its store and ring stay) and return 1;
 * -1 with e set if that request failed (never because it was interrupted);
 * 0 while it is not ready (results of older requests are dropped). While
 * an older query that was interrupted still runs, interrupts it again
 * (at most every 100 ms).
 */
int bgsearch_poll(struct bgsearch *b, unsigned seq, struct connwin *w,
    struct err *e);

/*
 * Let go of the searcher: the running query is interrupted, and the thread
 * is waited for (up to 2 s: an interrupted query ends at once) and freed
 * with everything it holds, so that nothing of it outlives the console.
 * A thread still busy after that (a cancel request to a host that does not
 * answer) is detached and frees itself when it ends, or ends with the
 * process. NULL does nothing.
 */
void bgsearch_free(struct bgsearch *b);

#endif
