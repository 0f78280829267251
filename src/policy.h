/*
 * policy.h: who the user is, their role, what they may see and do, and the
 * action log (doc/design.md section 4).
 *
 * Identity is the Unix login, or SUDO_USER when ferncon runs through sudo.
 * With no `[console] roles` the local user is Admin, as with Airflow's own
 * CLI; with a role map, a user missing from it gets `[console]
 * default_role` (Viewer unless set). --as-role may only lower the role.
 *
 *   action                                Viewer/User  Op                         Admin
 *   list, open (sensitive extras as ***)  yes          yes                        yes
 *   reveal a password or masked value     no           if show_connection_password yes
 *   add, edit, delete, import             no           yes                        yes
 *   export (plaintext, logged)            no           if show_connection_password yes
 *   encrypt plaintext, rotate, key wizard no           no                         yes
 *   audit (redacted)                      yes          yes                        yes
 *
 * The action log is JSON lines (time, user, role, action, conn_id, detail)
 * appended to `[console] action_log`, created with mode 0600. It never
 * holds a secret.
 */
#ifndef FERNCON_POLICY_H
#define FERNCON_POLICY_H

#include "cfg.h"
#include "compiler.h"
#include "err.h"

enum role {
	ROLE_VIEWER,
	ROLE_USER,
	ROLE_OP,
	ROLE_ADMIN,
};

enum policy_action {
	POLICY_LIST,
	POLICY_REVEAL,
	POLICY_EDIT,
	POLICY_EXPORT,
	POLICY_ADMIN,
	POLICY_AUDIT,
};

struct policy {
	char		 user[256];
	enum role	 role;		/* in force (after --as-role) */
	enum role	 own_role;	/* from the map */
	int		 from_map;	/* 0: no role map, local user is Admin */
	int		 lowered;	/* --as-role lowered it */
	int		 show_password;	/* [webserver] show_connection_password */
	char		 log_path[4096];
};

/*
 * Work out the user and role from cfg and the environment; as_role may be
 * NULL. 0, or -1 with e set: ERR_CONFIG for a malformed role map or
 * option, ERR_USAGE for an unknown role or an --as-role above one's own.
 */
int policy_load(struct policy *p, struct config *cfg, const char *as_role,
    struct err *e) ATTR_WUR;

/* "Viewer", "User", "Op", "Admin". */
const char *policy_role_name(enum role r);

/* Parse a role name, any case. 0, or -1 when unknown. */
int policy_role_parse(const char *s, enum role *out);

/*
 * 1 if the role may do a, else 0 with *why (when not NULL) set to a short
 * reason for the status line ("Op may reveal only when [webserver]
 * show_connection_password is True").
 */
int policy_allows(const struct policy *p, enum policy_action a, const char **why);

/*
 * As policy_allows(), but as an error: 0, or -1 with e set to ERR_DENIED
 * ("role Viewer may not reveal passwords: ...").
 */
int policy_check(const struct policy *p, enum policy_action a, const char *what,
    struct err *e) ATTR_WUR;

/*
 * Append one line to the action log. conn_id and detail may be NULL;
 * neither may hold a secret. 0, or -1 with e set (ERR_IO).
 */
int policy_log(const struct policy *p, const char *action, const char *conn_id,
    const char *detail, struct err *e) ATTR_WUR;

#endif
