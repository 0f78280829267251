/*
 * screens.h: every screen of the console, and the table of the screens
 * that the home list opens with one key.
 *
 * To add a screen: write ui/scr_<name>.c with a `const struct screen_ops
 * scr_<name>_ops` (app.h), declare it below, add the file to Makefile.am,
 * and, when a key of the home list opens it, add one line to ui_entries[]
 * in screens.c: the key, its label and help, and the policy action it
 * needs (the key is then shown in the bar, dimmed for roles that may not
 * use it, listed in the help, and refused with the reason).
 */
#ifndef FERNCON_UI_SCREENS_H
#define FERNCON_UI_SCREENS_H

#include <stddef.h>

#include "app.h"

/* The screens. */
extern const struct screen_ops scr_list_ops;	/* home: the connections */
extern const struct screen_ops scr_detail_ops;	/* arg: const char *conn_id */
extern const struct screen_ops scr_detail_env_ops; /* arg: const char *conn_id
						   of AIRFLOW_CONN_<ID> */
extern const struct screen_ops scr_edit_ops;	/* arg: const char *conn_id, NULL to add */
extern const struct screen_ops scr_help_ops;	/* arg: const struct screen * it explains */
extern const struct screen_ops scr_keys_ops;	/* arg: NULL */
extern const struct screen_ops scr_rotate_ops;	/* arg: NULL (Admin only) */
extern const struct screen_ops scr_audit_ops;	/* arg: NULL */
extern const struct screen_ops scr_wizard_ops;	/* arg: NULL (Admin only) */
extern const struct screen_ops scr_probe_ops;	/* arg: NULL (Admin only) */
extern const struct screen_ops scr_var_ops;	/* arg: NULL */
extern const struct screen_ops scr_var_detail_ops;	/* arg: const char *key */
extern const struct screen_ops scr_var_edit_ops;	/* arg: const char *key, NULL to add */

/* A screen that a key of the home list opens (with a NULL arg). */
struct ui_entry {
	struct ui_key			 key;
	const struct screen_ops		*ops;
};

extern const struct ui_entry ui_entries[];
extern const size_t ui_entries_len;

#endif
