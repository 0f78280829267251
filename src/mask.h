/*
 * mask.h: Airflow's masking of sensitive connection extras
 * (doc/airflow-compat.md section 6): a key is sensitive when, stripped and
 * lower-cased, it contains one of the sensitive names (a substring match);
 * everything under a sensitive key is replaced by "***" (strings; numbers and
 * booleans are kept, as Airflow's redact does). The names are
 * DEFAULT_SENSITIVE_FIELDS of the Airflow version that wrote the DB (12 in
 * 2.x; proxy, proxy_password and proxies from 3.1.6; access_key and
 * connection_string from 3.2), plus `[core] sensitive_var_conn_names`
 * (entries stripped but not lower-cased: an empty entry, such as from a
 * trailing comma, matches every key, as in Airflow). `[core]
 * hide_sensitive_var_conn_fields = False` turns masking off.
 */
#ifndef FERNCON_MASK_H
#define FERNCON_MASK_H

#include <cjson/cJSON.h>

#include "airflow.h"
#include "buf.h"
#include "cfg.h"
#include "compiler.h"
#include "conn.h"
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
 * any depth, becomes "***". Returns how many values were masked. A value
 * is wiped before it is replaced: when memory runs out it is left as ""
 * (not counted), never as the secret.
 */
int mask_tree(const struct mask *m, cJSON *node);

/* -- the display copy of a connection ------------------------------------ */

/* What a display copy holds for the extra. */
enum mask_extra {
	MASK_EXTRA_NONE = 0,	/* no extra: NULL or "" (NULL too when no
				   key opens it: see conn->extra_info) */
	MASK_EXTRA_JSON,	/* parsed: the tree is in view->extra */
	MASK_EXTRA_WITHHELD,	/* hidden: not a JSON object (not JSON, a JSON
				   string, a list...); NULL in the copy */
	MASK_EXTRA_RAW,		/* revealed and not JSON: the copy holds the
				   text as stored, there is no tree */
};

/* A connection as a role may see it; see mask_conn(). */
struct mask_view {
	struct conn	*conn;		/* the display copy (owned) */
	cJSON		*extra;		/* the extra's tree, MASK_EXTRA_JSON
					   only, else NULL (owned) */
	enum mask_extra	 extra_state;
	int		 masked;	/* extra values hidden as *** */
	int		 hidden;	/* the extra is withheld or no key
					   opens it: a structured output
					   shows null, never {} */
	const char	*shown;		/* what a structured output says
					   of the extra (static text):
					   "none", "masked", "revealed",
					   "revealed; not JSON", "not a
					   JSON object; hidden" or
					   "undecryptable; hidden" */
};

/*
 * The display copy of a plaintext connection c, for every front end that
 * shows one (a table, `connections get -o json`, the console's detail and
 * edit screens), into *out (any previous content is not freed).
 *
 * Unless reveal is set: a non-empty password becomes "***" (NULL and ""
 * stay); an extra that is a JSON object (read with pyjson_loads_kept(), so
 * \u0000 and lone surrogates are kept as json.loads keeps them) is
 * masked with mask_tree() and the copy's extra becomes json.dumps() of
 * the masked tree (Python's spacing and ensure_ascii, numbers exactly as
 * stored: 3 stays 3), as Airflow's REST API writes
 * json.dumps(redact(json.loads(extra))). It is written again even when
 * nothing was masked, since the stored text may hold what the tree does
 * not show (the first of two equal keys). Any other extra (not JSON, or
 * JSON but not an object, whose values have no key to judge them by) is
 * withheld: NULL in the copy, MASK_EXTRA_WITHHELD, never shown, because
 * it may hold anything. So uri_format() of the copy can carry nothing
 * that the mask hides.
 *
 * With reveal (the caller checked the role and logged it): the copy is
 * the record as it is, and the extra's tree is given when the extra is
 * JSON of any kind (MASK_EXTRA_JSON), else MASK_EXTRA_RAW. masked is 0.
 *
 * In both cases hidden and shown say, once for every structured output
 * (`-o json`, yaml), what became of the extra, so that a withheld extra
 * or one no key opens is never mistaken for an empty one.
 *
 * The caller formats out->extra as it likes (pyjson_dumps with its own
 * indent, or as a node of its own output: it may take the tree, setting
 * out->extra to NULL, and then frees it with pyjson_free) and frees the
 * rest with mask_view_release(). The tree and the copy hold secrets when
 * revealed: both are wiped when freed. 0, or -1 with e set (out of
 * memory) and *out empty.
 */
int mask_conn(const struct mask *m, const struct conn *c, int reveal,
    struct mask_view *out, struct err *e) ATTR_WUR;

/* Wipe and free the copy and the tree; *v is left empty. NULL does nothing. */
void mask_view_release(struct mask_view *v);

/* -- the display copy of a variable -------------------------------------- */

/*
 * The display copy of a variable's plaintext value (len bytes) for a role
 * that may not reveal, appended to out (locked: buf_init(out, 1)), before
 * the session's audit decides whether it may be shown (session_var.c):
 * under a sensitive key (mask_is_sensitive(), Airflow's rule for
 * variables) the whole value is "***"; a value that is a JSON object or
 * list is masked per key as an extra is (mask_tree()) and written again
 * with json.dumps() when anything was masked; any other value is copied
 * as it is. *masked gets how many values were hidden (1 for a sensitive
 * key). 0, or -1 with e set (out of memory).
 */
int mask_var(const struct mask *m, const char *key, const char *val,
    size_t len, struct buf *out, int *masked, struct err *e) ATTR_WUR;

/* -- saving an edited extra ---------------------------------------------- */

/*
 * Airflow 3's rule for an edited extra (the connection PATCH of the REST
 * API, #53943: update_orm_from_pydantic() in airflow-core's
 * api_fastapi/core_api/services/public/connections.py calls the secrets
 * masker's merge(json.loads(new), json.loads(old))): a user who was shown
 * "***" and left it in place keeps the stored value, so that a role that
 * may not see secrets can still edit the rest of an extra.
 *
 * In place on edited (a tree from pyjson_loads), against stored (the
 * stored plaintext extra, parsed): walking both by key (objects) and by
 * index (lists) where both have a container of the same kind, a string
 * exactly "***" in edited is replaced by a copy of the stored value at
 * the same path when that path is sensitive (its key, or a key above it,
 * is sensitive by mask_is_sensitive()) and the stored value there was
 * masked for display (a string, or a container holding one). Everything
 * else stays as edited: a "***" at a path whose stored value was shown
 * (a user who typed ***), a "***" under another key or at another index
 * (a renamed or moved one never copies a secret), keys added by the user
 * (kept) or removed (gone), values whose type changed. When masking is
 * off (hide_sensitive_var_conn_fields = False) nothing is sensitive and
 * nothing is restored.
 *
 * Two differences from Airflow's merge, both from showing more than it
 * does: Airflow also puts back a stored number or boolean under a
 * sensitive key where the user typed "***" (ferncon showed that value,
 * so the "***" was typed), and below depth 5, where its redact stops,
 * puts back any "***"; ferncon masks at every depth and restores by the
 * same rule at every depth.
 *
 * Returns how many values were put back, or -1 with e set (out of
 * memory; edited may be partly restored: discard it). The copies hold
 * secrets: free edited with pyjson_free().
 */
int mask_restore(const struct mask *m, cJSON *edited, const cJSON *stored,
    struct err *e) ATTR_WUR;

/*
 * The extra to store when a user saved the edited text over the stored
 * plaintext extra, appended to out (pass a secret buffer), as Airflow 3's
 * PATCH decides it: when edited is NULL nothing is appended (store none);
 * when stored is NULL, or either text is not JSON (there is nothing to
 * merge in an unstructured extra), edited as it is; else
 * json.dumps(merged) (Python's spacing, ensure_ascii, numbers exact) of
 * edited with mask_restore() applied. Validating edited (conn_validate_
 * extra) is the caller's business. Returns how many values were put
 * back, or -1 with e set (out of memory).
 */
int mask_merge_extra(const struct mask *m, const char *edited,
    const char *stored, struct buf *out, struct err *e) ATTR_WUR;

#endif
