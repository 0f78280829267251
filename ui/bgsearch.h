/*
 * bgsearch.h: the list's filter, run as a background job (bgjob.h), so that a
 * filter that few rows match (SQLite then reads the whole table: seconds
 * on a million rows) never freezes the console: the screen says
 * "searching", keys keep working, and only the newest filter's result is
 * shown. The searcher has its own store connection, key ring, audit
 * engine (for is:flagged) and a window of rows (connwin.h) that its jobs
 * fill, one job (thread) per request; the result is handed over by
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
 * Threads: the caller (the console's thread) calls every function here,
 * and alone holds the requests, the result and the state of the running
 * request; a job runs one request's queries. The caller's only use of the
 * store while a job runs is store_interrupt(), the job's cancel hook,
 * always under the job's mutex while its query runs, and the store is
 * closed only after the last job ended, so the interrupt never meets
 * store_close(). The window is the job's while it runs a request and the
 * caller's (bgsearch_poll() swaps it) only once it ended. A waiting
 * request is started by bgsearch_submit() or bgsearch_poll() once the job
 * before it ended.
 */
#ifndef FERNCON_UI_BGSEARCH_H
#define FERNCON_UI_BGSEARCH_H

#include <stddef.h>

#include "compiler.h"
#include "connwin.h"
#include "err.h"
#include "session.h"

struct bgsearch;

/*
 * Open the DB at url (schema as [database] sql_alchemy_schema, may be
 * NULL), a key ring of the session's current keys (the searcher holds a
 * reference to them) and the list's audit engine of its own
 * (session_conn_flag_audit(): is:flagged is answered on the job's thread
 * by the rules that mark the list's rows; s->mask is borrowed and must
 * outlive the searcher); no job runs yet. 0 with *out set, or -1 with e
 * set.
 */
int bgsearch_new(struct bgsearch **out, struct session *s, const char *url,
    const char *schema, struct err *e) ATTR_WUR;

/*
 * The environment's connection rows that every view shows above the DB's
 * (connwin_set_env(), copied). Call before the first bgsearch_submit(),
 * while no job runs. 0, or -1 with e set.
 */
int bgsearch_set_env(struct bgsearch *b, const struct conn_row *rows,
    size_t n, struct err *e) ATTR_WUR;

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
 * searcher stays, idle, for the next bgsearch_submit(). NULL does nothing.
 */
void bgsearch_cancel(struct bgsearch *b);

/*
 * If the result of request seq is ready, swap it into w (w's rows, filter
 * and order become the result's; its store and ring stay) and return 1;
 * -1 with e set if that request failed (never because it was interrupted;
 * "cannot start the search thread" if its job could not start); 0 while
 * it is not ready (results of older requests are dropped). While an older
 * query that was interrupted still runs, interrupts it again (at most
 * every 100 ms); once it ended, starts the waiting request.
 */
int bgsearch_poll(struct bgsearch *b, unsigned seq, struct connwin *w,
    struct err *e);

/*
 * Let go of the searcher: the running query is interrupted, and its job
 * is waited for (up to 2 s: an interrupted query ends at once) and freed
 * with everything the searcher holds, so that nothing of it outlives the
 * console. A job still busy after that (a cancel request to a host that
 * does not answer) is abandoned (bgjob_abandon()) and frees the searcher
 * when it ends, or ends with the process. NULL does nothing.
 */
void bgsearch_free(struct bgsearch *b);

#endif
