/*
 * mask.h: Airflow's masking of sensitive connection extras (AIRFLOW.md
 * section 6): a key is sensitive when, stripped and lower-cased, it
 * contains one of the sensitive names (a substring match); everything under
 * a sensitive key is replaced by "***" (strings; numbers and booleans are
 * kept, as Airflow's redact does). The names are DEFAULT_SENSITIVE_FIELDS of
 * the Airflow version that wrote the DB (12 in 2.x; proxy, proxy_password
 * and proxies from 3.1.6; access_key and connection_string from 3.2), plus
 * `[core] sensitive_var_conn_names` (entries stripped but not lower-cased:
 * an empty entry, such as from a trailing comma, matches every key, as in
 * Airflow). `[core] hide_sensitive_var_conn_fields = False` turns masking
 * off.
 */
#ifndef FERNCON_MASK_H
#define FERNCON_MASK_H

#include <cjson/cJSON.h>

#include "airflow.h"
#include "cfg.h"
#include "compiler.h"
#include "err.h"

#define MASK_REPLACEMENT "***"

struct mask;

/* Build the rules from cfg (may be NULL: defaults) for Airflow version v. */
int mask_new(struct mask **out, struct config *cfg,
    const struct airflow_version *v, struct err *e) ATTR_WUR;

/* NULL does nothing. */
void mask_free(struct mask *m);

/* 1 if a value under key name must be hidden. */
int mask_is_sensitive(const struct mask *m, const char *name);

/*
 * Redact a parsed extra in place: every string under a sensitive key, at
 * any depth, becomes "***". Returns how many values were masked.
 */
int mask_tree(const struct mask *m, cJSON *node);

#endif
