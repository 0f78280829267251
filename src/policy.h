/*
 * policy.h: who the user is, their role, what they may see and do, and the
 * action log (doc/design.md section 4).
 *
 * Identity (policy_identify(); the trust model of doc/design.md section 4)
 * is the login of the real uid, except where ferncon acts for a person
 * other than the account it runs as (restricted mode): under sudo, the
 * SUDO_USER that sudo set; in an SSH forced command, the `--login NAME` of
 * the authorized_keys line. With no `[console] roles` the local user is
 * Admin, as with Airflow's own CLI, except in restricted mode, where it is
 * `[console] default_role` (Viewer unless set); with a role map, a user
 * missing from it gets default_role too. A login listed twice in the map
 * is a configuration error. --as-role may only lower the role.
 *
 *   action                                Viewer/User  Op                         Admin
 *   list, open (sensitive extras as ***)  yes          yes                        yes
 *   reveal a password or masked value     no           if show_connection_password yes
 *   add, edit, delete, import             no           yes                        yes
 *   export (plaintext, logged)            no           if show_connection_password yes
 *   encrypt plaintext, rotate, key wizard no           no                         yes
 *   token decrypt/encrypt, configured ring no          no                         yes
 *   audit (redacted)                      yes          yes                        yes
 *
 * With `[console] role_source = airflow` the rights come from Airflow
 * instead (struct policy_airflow, read by src/airauth.c; doc/design.md
 * section 4, "Roles from Airflow"): per right, so that custom roles work.
 * Listing needs can_read on Connections; add and import can_create; edit
 * can_edit; delete can_delete; reveal and export can_edit and the role named
 * Admin or show_connection_password; the Admin row's key actions the role
 * named Admin.
 *
 * The action log is JSON lines (time, user, role, action, conn_id, detail)
 * appended to `[console] action_log`, created with mode 0600. It never
 * holds a secret.
 */
#ifndef FERNCON_POLICY_H
#define FERNCON_POLICY_H

#include <sys/types.h>

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
	POLICY_CREATE,		/* add, import: can_create on Connections */
	POLICY_DELETE,		/* delete: can_delete on Connections */
	/* The same on the resource Variables (the same table, its rights). */
	POLICY_LIST_VARS,	/* list and open: can_read on Variables */
	POLICY_REVEAL_VARS,
	POLICY_EDIT_VARS,
	POLICY_EXPORT_VARS,
	POLICY_CREATE_VARS,
	POLICY_DELETE_VARS,
};

/*
 * The rights a person holds, one bit each in struct policy's rights: FAB's
 * permissions on the resources Connections and Variables. A map role has
 * those of the table above (Viewer and User read, Op and Admin all four);
 * an Airflow user those of their roles (doc/design.md section 4, "Roles
 * from Airflow").
 */
enum policy_right {
	POLICY_CONN_READ,	/* can_read on Connections: list and open */
	POLICY_CONN_CREATE,	/* can_create: add and import */
	POLICY_CONN_EDIT,	/* can_edit: edit (and reveal, export: below) */
	POLICY_CONN_DELETE,	/* can_delete: delete */
	POLICY_VAR_READ,	/* the same four on Variables */
	POLICY_VAR_CREATE,
	POLICY_VAR_EDIT,
	POLICY_VAR_DELETE,
	POLICY_RIGHT_MAX
};

/* Where the rights came from: [console] role_source and the auth manager. */
enum policy_from {
	POLICY_FROM_MAP,	/* [console] roles, or none (role_source = map) */
	POLICY_FROM_FAB,	/* FAB's ab_* tables in the metadata DB */
	POLICY_FROM_SIMPLE,	/* [core] simple_auth_manager_users */
};

/*
 * An Airflow user as the auth manager holds them (src/airauth.c reads it):
 * the input of policy_load_airflow().
 */
struct policy_airflow {
	enum policy_from from;		/* FAB or SIMPLE */
	char		 user[256];	/* the Airflow user name looked up */
	int		 found;		/* there is such a user */
	int		 active;	/* ab_user.active (SimpleAuthManager: 1) */
	char		 roles[512];	/* their role names, ", " between */
	unsigned	 rights;	/* 1u << enum policy_right, from the roles */
	int		 admin;		/* one role is named Admin (or admin) */
};

/* How the person was told apart from the account ferncon runs as. */
enum policy_source {
	POLICY_ID_UID,		/* the login of the real uid: the account itself */
	POLICY_ID_SUDO,		/* SUDO_USER, as sudo set it */
	POLICY_ID_SSH,		/* --login NAME of an SSH forced command */
};

/* Whether the account owns the configuration restricted mode reads. */
enum policy_owner {
	POLICY_OWNS,		/* <home>/airflow/airflow.cfg is the account's */
	POLICY_OWNS_NOT,	/* it is another's */
	POLICY_OWNS_MISSING,	/* there is none */
};

/*
 * What policy_decide() decides from: the process's facts, gathered by
 * policy_identify(), or a test's. Strings may be NULL (unset).
 */
struct policy_facts {
	uid_t		 uid;		/* the real uid */
	const char	*account;	/* its login (passwd) */
	const char	*config;	/* <passwd home>/airflow/airflow.cfg */
	enum policy_owner owner;	/* of config */
	const char	*sudo_user;	/* env SUDO_USER */
	const char	*sudo_uid;	/* env SUDO_UID */
	long		 sudo_user_uid;	/* passwd uid of sudo_user, -1: none */
	const char	*ssh_connection; /* env SSH_CONNECTION */
	const char	*login_arg;	/* --login NAME */
};

/* Who ferncon acts for, and as whom. */
struct policy_identity {
	char		 login[256];	/* the person: named in the log and the map */
	char		 account[256];	/* the account ferncon runs as */
	uid_t		 uid;		/* its real uid */
	enum policy_source source;
	int		 restricted;	/* login is not the account: restricted mode */
	char		 note[512];	/* why SUDO_USER was ignored, or "" */
};

/*
 * The rules of the trust model, on f (no system call): 0 with id set, or -1
 * with e set. SUDO_USER counts when SUDO_UID is a number other than the
 * real uid, SUDO_USER's passwd entry has that uid, and the process runs as
 * root or as the owner of f->config (a caller outside sudo runs as
 * themselves, and does not own the service account's file). Where sudo's
 * variables are consistent but the account has no configuration of its
 * own, ERR_CONFIG (fail closed: restricted mode would have nothing to
 * read). --login counts only in an SSH session (SSH_CONNECTION) not under
 * sudo, on root or the owner of f->config; given anywhere else it is
 * ERR_USAGE, never ignored. A login is 1-255 characters of [A-Za-z0-9._@-],
 * not starting with -.
 */
int policy_decide(const struct policy_facts *f, struct policy_identity *id,
    struct err *e) ATTR_WUR;

/*
 * The identity of this process (policy_decide() on its real uid, passwd,
 * environment and login_arg, which may be NULL). 0, or -1 with e set.
 */
int policy_identify(const char *login_arg, struct policy_identity *id,
    struct err *e) ATTR_WUR;

/* "uid", "sudo", "ssh --login". */
const char *policy_source_name(enum policy_source s);

struct policy {
	struct policy_identity id;	/* who; user is id.login */
	char		 user[256];
	enum role	 role;		/* in force (after --as-role) */
	enum role	 own_role;	/* from the map */
	int		 from_map;	/* 0: no role map: local user is Admin,
					   or default_role when restricted */
	int		 in_map;	/* the user is in the role map */
	int		 lowered;	/* --as-role lowered it */
	int		 show_password;	/* [webserver] show_connection_password */
	char		 log_path[4096];
	enum policy_from from;		/* where the rights came from */
	unsigned	 rights;	/* in force: 1u << enum policy_right */
	int		 admin;		/* in force: the role named Admin */
	struct policy_airflow airflow;	/* from != MAP: the Airflow user */
};

/*
 * Work out the role of id (NULL: policy_identify() with no --login) from
 * cfg; as_role may be NULL. 0, or -1 with e set: ERR_CONFIG for a
 * malformed role map (a login listed twice included) or option, ERR_USAGE
 * for an unknown role or an --as-role above one's own.
 */
int policy_load_as(struct policy *p, struct config *cfg,
    const struct policy_identity *id, const char *as_role, struct err *e)
    ATTR_WUR;

/*
 * [console] role_source: *airflow 1 for `airflow`, 0 for `map` (the
 * default). 0, or -1 with e set (ERR_CONFIG for any other value).
 */
int policy_role_source(struct config *cfg, int *airflow, struct err *e)
    ATTR_WUR;

/*
 * The Airflow user name of login: its entry in `[console] airflow_users =
 * login:airflow_user, ...`, else login itself. 0, or -1 with e set
 * (ERR_CONFIG: malformed, or a login listed twice).
 */
int policy_airflow_user(struct config *cfg, const char *login, char *out,
    size_t len, struct err *e) ATTR_WUR;

/*
 * policy_load_as() with the rights of the Airflow user af (role_source =
 * airflow): an active user found has the rights of their roles and is
 * Admin when a role is named Admin; an inactive or unknown one has those
 * of [console] default_role, never more. as_role then keeps only the
 * rights that map role also has. 0, or -1 with e set.
 */
int policy_load_airflow(struct policy *p, struct config *cfg,
    const struct policy_identity *id, const struct policy_airflow *af,
    const char *as_role, struct err *e) ATTR_WUR;

/* "map", "FAB", "SimpleAuthManager". */
const char *policy_from_name(enum policy_from f);

/* "can_read on Connections", ... */
const char *policy_right_name(enum policy_right r);

/*
 * The role as the log and refusals name it: the map role ("Op"), or the
 * Airflow user's roles ("Admin, Op"; "none").
 */
const char *policy_role_label(const struct policy *p);

/* policy_load_as() for this process's identity. */
int policy_load(struct policy *p, struct config *cfg, const char *as_role,
    struct err *e) ATTR_WUR;

/*
 * Where p's own role came from, as a phrase for `whoami` ("no [console]
 * roles: acting for another person, [console] default_role, not Admin").
 */
const char *policy_role_reason(const struct policy *p);

/* "Viewer", "User", "Op", "Admin". */
const char *policy_role_name(enum role r);

/* Parse a role name, any case. 0, or -1 when unknown. */
int policy_role_parse(const char *s, enum role *out);

/*
 * 1 if the role may do a, else 0 with *why (when not NULL) set to a short
 * reason for the status line ("Op may reveal only when [webserver]
 * show_connection_password is True"; with roles from Airflow, the missing
 * permission: "no can_delete on Connections in the roles of Airflow user
 * bob", in a per-thread buffer valid until the thread's next call).
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
