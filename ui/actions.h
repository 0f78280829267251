/*
 * actions.h: what more than one screen does to a connection, once: delete
 * it (one transaction, one line in the action log), with the outcome on
 * the message line.
 */
#ifndef FERNCON_UI_ACTIONS_H
#define FERNCON_UI_ACTIONS_H

#include "app.h"

/* The dialog tag of a delete confirmation. */
#define ACTION_TAG_DELETE 0x44454c

/* Ask "delete 'conn_id'?" (default No); the answer comes to resume(). */
int action_ask_delete(struct app *a, const char *conn_id);

/*
 * Delete conn_id (no key is needed: an undecryptable row can go), log it,
 * and tell the app that the DB changed. 0, or -1 (the message line says
 * why).
 */
int action_delete(struct app *a, const char *conn_id);

#endif
