/*
 * store_fab.c: the reads of Airflow's own users, roles and permissions
 * (FAB's ab_* tables) for role_source = airflow (doc/design.md section 4,
 * "Roles from Airflow"). The SQL is written here once, for every backend:
 * '@' before a table name stands for the backend's schema prefix and '?'
 * for a parameter; each backend's text_rows operation runs it
 * (store_int.h), so a new backend adds that one function.
 *
 * The user is found as FAB's find_user() finds them: lower(username) =
 * lower(?), whatever auth_username_ci says (the Airflow override compares
 * lowered names in both branches).
 */
#include "config.h"

#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

static const char *const fab_tables[] = {
	"ab_user", "ab_role", "ab_user_role", "ab_permission", "ab_view_menu",
	"ab_permission_view", "ab_permission_view_role",
};

char *
store_sql_expand(const char *sql, const char *qual, int dollar)
{
	struct buf b;
	struct err e;
	int n = 0;

	buf_init(&b, 0);
	for (; *sql != '\0'; sql++) {
		if (*sql == '@')
			buf_adds(&b, qual);
		else if (*sql == '?' && dollar)
			buf_addf(&b, "$%d", ++n);
		else
			buf_add(&b, sql, 1);
	}
	if (buf_check(&b, &e) != 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

int
store_fab_present(struct store *s)
{
	size_t i;

	for (i = 0; i < sizeof fab_tables / sizeof fab_tables[0]; i++)
		if (!store_has_table(s, fab_tables[i]))
			return 0;
	return 1;
}

static int
rows(struct store *s, const char *sql, const char *username, store_row_fn row,
    void *arg, struct err *e)
{
	const char *params[1] = { username };

	if (s->ops->text_rows == NULL) {
		err_set(e, ERR_CONFIG, "the %s backend cannot read Airflow's "
		    "users and roles: role_source = airflow is not available "
		    "on it", s->ops->name);
		return -1;
	}
	return s->ops->text_rows(s, sql, params, 1, row, arg, e);
}

/* The user's row by FAB's comparison; a join's starting point. */
#define FAB_USER "@ab_user u WHERE lower(u.username) = lower(?)"

int
store_fab_user(struct store *s, const char *username, store_row_fn row,
    void *arg, struct err *e)
{
	return rows(s, "SELECT u.id, CASE WHEN u.active THEN 1 ELSE 0 END, "
	    "CASE WHEN u.password IS NULL OR u.password = '' THEN 0 ELSE 1 END "
	    "FROM " FAB_USER, username, row, arg, e);
}

int
store_fab_roles(struct store *s, const char *username, store_row_fn row,
    void *arg, struct err *e)
{
	return rows(s, "SELECT r.name FROM @ab_role r JOIN @ab_user_role ur ON "
	    "ur.role_id = r.id WHERE ur.user_id IN (SELECT u.id FROM " FAB_USER
	    ") ORDER BY r.name", username, row, arg, e);
}

int
store_fab_perms(struct store *s, const char *username, store_row_fn row,
    void *arg, struct err *e)
{
	return rows(s, "SELECT DISTINCT p.name, v.name FROM @ab_user_role ur "
	    "JOIN @ab_permission_view_role pvr ON pvr.role_id = ur.role_id "
	    "JOIN @ab_permission_view pv ON pv.id = pvr.permission_view_id "
	    "JOIN @ab_permission p ON p.id = pv.permission_id "
	    "JOIN @ab_view_menu v ON v.id = pv.view_menu_id "
	    "WHERE v.name IN ('Connections', 'Variables') AND ur.user_id IN "
	    "(SELECT u.id FROM " FAB_USER ")", username, row, arg, e);
}

int
store_fab_password(struct store *s, const char *username, store_row_fn row,
    void *arg, struct err *e)
{
	return rows(s, "SELECT u.password FROM " FAB_USER, username, row, arg,
	    e);
}
