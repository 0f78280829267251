/*
 * actions.c: deleting a connection from the console (see actions.h), through
 * the session's use case (session_conn_delete()).
 */
#include "config.h"

#include "actions.h"

#include <stdio.h>

#include "dialog.h"

int
action_ask_delete(struct app *a, const char *conn_id)
{
	char text[512];

	snprintf(text, sizeof text, "Delete connection '%s'? DAGs that use it "
	    "will fail. This cannot be undone.", conn_id);
	return dialog_confirm(a, ACTION_TAG_DELETE, "Delete connection", text);
}

int
action_delete(struct app *a, const char *conn_id)
{
	struct err e;
	int rc;

	err_clear(&e);
	if ((rc = session_conn_delete(a->session, conn_id, "console", &e)) < 0) {
		app_error(a, "%s", e.msg);
		return -1;
	}
	app_db_changed(a);
	if (rc > 0) {
		app_warn(a, "deleted '%s', but %s", conn_id, e.msg);
		return 0;
	}
	app_info(a, "Successfully deleted connection with `conn_id`=%s", conn_id);
	return 0;
}
