/*
 * bgaudit.h: the secret audit (audit_run()) on a thread of its own, for
 * the audit screen and the list's marker column: the thread has its own
 * store connection, key ring and audit engine, collects the findings
 * (already redacted by the audit core: never a secret) and hands them over
 * when done. It can be cancelled between connections. No curses.
 */
#ifndef FERNCON_UI_BGAUDIT_H
#define FERNCON_UI_BGAUDIT_H

#include <stddef.h>

#include "audit.h"
#include "compiler.h"
#include "err.h"
#include "session.h"

struct bgaudit;

/*
 * Start the audit of the DB at url (schema may be NULL) with the session's
 * current configuration and key list (the thread holds a reference to
 * them, and parses a ring of its own) and its masking (borrowed: s->mask
 * must outlive the thread). 0 with *out set, or -1 with e set.
 */
int bgaudit_start(struct bgaudit **out, struct session *s, const char *url,
    const char *schema, struct err *e) ATTR_WUR;

/*
 * 0 while it runs; 1 when done: the findings move into *out (sorted, worst
 * first; release with audit_list_release()) and *st gets the counts; -1
 * when it failed, with e set. Never blocks.
 */
int bgaudit_poll(struct bgaudit *b, struct audit_list *out,
    struct audit_stats *st, struct err *e);

/* Cancel, wait for the thread, free. NULL does nothing. */
void bgaudit_free(struct bgaudit *b);

#endif
