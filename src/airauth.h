/*
 * airauth.h: roles from Airflow itself (doc/design.md section 4, "Roles
 * from Airflow"): the person's Airflow user, their roles and the rights
 * those give on Connections and Variables, read from FAB's ab_* tables
 * (Airflow 2, and the FAB provider on 3.x) or from SimpleAuthManager's
 * `[core] simple_auth_manager_users` (Airflow 3); and the optional check of
 * their Airflow password (`[console] airflow_login = password`) against
 * ab_user.password, a werkzeug hash, or SimpleAuthManager's passwords file.
 *
 * Which auth manager: `[core] auth_manager` naming SimpleAuthManager or
 * FabAuthManager; unset, Airflow's default for the DB's version (FAB
 * before 3, SimpleAuthManager from 3).
 */
#ifndef FERNCON_AIRAUTH_H
#define FERNCON_AIRAUTH_H

#include <stddef.h>

#include "cfg.h"
#include "compiler.h"
#include "err.h"
#include "policy.h"
#include "store.h"

/*
 * The Airflow user `name` (policy_airflow_user() of the person) into af:
 * found, active, roles, rights and whether a role is named Admin. FAB: the
 * permissions of the user's roles on Connections and Variables (can_read,
 * can_create, can_edit, can_delete; menu_access gives nothing here).
 * SimpleAuthManager: as its is_authorized_connection() and
 * is_authorized_variable() decide, op and admin hold all four on both,
 * viewer and user none; admin is Admin; simple_auth_manager_all_admins
 * makes everyone admin. 0, or -1 with e set: ERR_CONFIG when the DB lacks
 * FAB's tables, when simple_auth_manager_users is malformed (a role other
 * than viewer, user, op or admin) or auth_manager names another manager.
 */
int airauth_load(struct config *cfg, struct store *s, const char *name,
    struct policy_airflow *af, struct err *e) ATTR_WUR;

/* `[console] airflow_login = password`: 1 on, 0 off. 0, or -1 with e set. */
int airauth_login_required(struct config *cfg, int *on, struct err *e)
    ATTR_WUR;

/*
 * Check password (len bytes; not NUL-terminated) for af's user: *ok 1 when
 * it is theirs. FAB: ab_user.password in werkzeug's formats; a user with
 * no hash (LDAP, OAuth) is ERR_CONFIG, saying password login cannot serve
 * them. SimpleAuthManager: the user's entry in its passwords file. 0, or
 * -1 with e set.
 */
int airauth_check_password(struct config *cfg, struct store *s,
    const struct policy_airflow *af, const char *password, size_t len,
    int *ok, struct err *e) ATTR_WUR;

/*
 * A werkzeug hash ("pbkdf2:sha256[:iterations]$salt$hex" with 260000
 * iterations when none is given, as werkzeug 2.2 that Airflow 2.10 pins;
 * "scrypt[:n:r:p]$salt$hex", n=2^15 r=8 p=1 by default) against password,
 * compared in constant time: *ok 1 when they match. 0, or -1 with e set
 * (ERR_CONFIG: a format werkzeug would not make).
 */
int airauth_werkzeug_check(const char *hash, const char *password, size_t len,
    int *ok, struct err *e) ATTR_WUR;

#endif
