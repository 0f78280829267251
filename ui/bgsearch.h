/*
 * bgsearch.h: the list's filter, run on a thread of its own, so that a
 * filter that few rows match (SQLite then reads the whole table: seconds
 * on a million rows) never freezes the console: the screen says
 * "searching", keys keep working, and only the newest filter's result is
 * shown. The thread has its own store connection and key ring and a
 * window of rows (connwin.h) that it fills; the result is handed over by
 * swapping windows. No curses.
 *
 * A query that is running cannot be stopped; a newer filter waits for it
 * and then runs. Freeing the searcher while a query runs lets the thread
 * finish on its own (it frees itself), or end with the process.
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
 * replaces a request not started yet. 0, or -1 (out of memory).
 */
int bgsearch_submit(struct bgsearch *b, const char *match, int desc, size_t n,
    unsigned seq);

/*
 * If the result of request seq is ready, swap it into w (w's rows, filter
 * and order become the result's; its store and ring stay) and return 1;
 * -1 with e set if that request failed; 0 while it is not ready (results
 * of older requests are dropped).
 */
int bgsearch_poll(struct bgsearch *b, unsigned seq, struct connwin *w,
    struct err *e);

/* Stop the thread (see above). NULL does nothing. */
void bgsearch_free(struct bgsearch *b);

#endif
