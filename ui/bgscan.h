/*
 * bgscan.h: the key-status scan of the DB (lifecycle_preflight(): values
 * per key, plaintext and undecryptable values, token ages) run on a thread
 * of its own, so that the console paints at once and stays responsive on a
 * million rows while the status line says how far the count is. The
 * thread has its own store connection and its own lifecycle runner (with
 * no worker threads); it only reads, page by page, so it holds no lock
 * between pages. It can be cancelled at any page boundary. No curses.
 */
#ifndef FERNCON_UI_BGSCAN_H
#define FERNCON_UI_BGSCAN_H

#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "err.h"
#include "lifecycle.h"

struct bgscan;

/*
 * Open the DB at url (schema: [database] sql_alchemy_schema, may be NULL)
 * and start the scan with the key list fernet_key (len bytes; NULL:
 * encryption off); tokens made before stale_before (Unix seconds, 0: none)
 * are counted as stale. 0 with *out set, or -1 with e set.
 */
int bgscan_start(struct bgscan **out, const char *url, const char *schema,
    const char *fernet_key, size_t len, uint64_t stale_before,
    struct err *e) ATTR_WUR;

/*
 * 0 while it runs (*done and *total, when not NULL, get the rows read and
 * to read, 0 until it knows); 1 when done, with *out filled; -1 when it
 * failed, with e set. Never blocks.
 */
int bgscan_poll(struct bgscan *b, struct lifecycle_preflight *out,
    size_t *done, size_t *total, struct err *e);

/* Cancel it if it runs, wait for the thread (one page at most), free. NULL does nothing. */
void bgscan_free(struct bgscan *b);

#endif
