/*
 * transfer_tree.c: the values of an imported file as Python holds them
 * once json.loads or yaml.safe_load has read it (None, str, bool, int,
 * float, dict, list, other objects), kept only as far as connections need
 * them: Python's type names and truth values, dict() of a mapping with
 * yaml merge keys flattened, what SafeConstructor refuses, and json.dumps()
 * of a value (an extra given as a mapping). transfer.c's readers and
 * pyyaml.c's composer build the tree.
 */
#include "config.h"

#include "transfer_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pyjson.h"
#include "strmap.h"

/* -- import: the values of a file ---------------------------------------- */

/* Set e to "<path>:<line>: <message>" (no line when line is 0). */
void
transfer_reader_err(struct reader *r, struct err *e, enum err_code code, size_t line,
    const char *fmt, ...)
{
	char msg[sizeof e->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		err_set(e, code, "%s:%zu: %s", r->path, line, msg);
	else
		err_set(e, code, "%s: %s", r->path, msg);
}

struct tnode *
tnode_new(struct reader *r, enum tnode_type type, size_t line)
{
	struct tnode *n;

	if (r->nnodes == r->capnodes) {
		size_t cap = r->capnodes ? r->capnodes * 2 : 64;
		struct tnode **v = realloc(r->nodes, cap * sizeof *v);

		if (v == NULL)
			return NULL;
		r->nodes = v;
		r->capnodes = cap;
	}
	if ((n = calloc(1, sizeof *n)) == NULL)
		return NULL;
	n->type = type;
	n->line = line;
	r->nodes[r->nnodes++] = n;
	return n;
}

int
tnode_add(struct tnode *n, struct tnode *kid)
{
	if (n->nkids == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 8;
		struct tnode **v = realloc(n->kids, cap * sizeof *v);

		if (v == NULL)
			return -1;
		n->kids = v;
		n->cap = cap;
	}
	n->kids[n->nkids++] = kid;
	return 0;
}

void
transfer_reader_nodes_trim(struct reader *r, size_t keep)
{
	size_t i;

	for (i = keep; i < r->nnodes; i++) {
		struct tnode *n = r->nodes[i];

		if (n->owned && n->s != NULL) {
			sodium_memzero(n->s, n->len);
			free(n->s);
		}
		free(n->kids);
		free(n);
	}
	if (keep < r->nnodes)
		r->nnodes = keep;
}

void
transfer_reader_nodes_free(struct reader *r)
{
	transfer_reader_nodes_trim(r, 0);
	free(r->nodes);
	r->nodes = NULL;
	r->nnodes = r->capnodes = 0;
}

/* Python's type name of a value, as type(v) prints it. */
const char *
tnode_pytype(const struct tnode *n)
{
	switch (n->type) {
	case TN_NULL:	return "NoneType";
	case TN_STR:	return "str";
	case TN_BOOL:	return "bool";
	case TN_INT:	return "int";
	case TN_FLOAT:	return "float";
	case TN_MAP:	return "dict";
	case TN_SEQ:	return "list";
	case TN_OTHER:	return n->pytype;
	case TN_MERGE:
	case TN_VALUE:	break;
	}
	return "str";
}

/* Python's truth value of v. */
int
tnode_truthy(const struct tnode *n)
{
	if (n == NULL)
		return 0;
	switch (n->type) {
	case TN_NULL:	return 0;
	case TN_STR:	return n->len > 0;
	case TN_BOOL:	return n->b;
	case TN_INT:	return !n->i_ok || n->i != 0;
	case TN_FLOAT:	return n->d != 0.0;
	case TN_MAP:
	case TN_SEQ:	return n->nkids > 0;
	case TN_OTHER:
	case TN_MERGE:
	case TN_VALUE:	break;
	}
	return 1;
}

/*
 * SafeConstructor.flatten_mapping(): "<<" keys merge the mapping (or the
 * list of mappings, the first one winning) they name in front of the
 * node's own entries; a "=" key is a str.
 */
static int
tnode_flatten(struct reader *r, struct tnode *m, struct err *e)
{
	struct tnode **merged = NULL, **own = NULL;
	size_t nm = 0, no = 0, i, j, k;
	int rc = -1;

	if (m->flattened)
		return 0;
	m->flattened = 1;
	for (i = 0; i < m->nkids; i += 2)
		if (m->kids[i]->type == TN_MERGE || m->kids[i]->type == TN_VALUE)
			break;
	if (i >= m->nkids)
		return 0;
	/* At most: every entry of every merged mapping, plus our own. */
	k = m->nkids;
	for (i = 0; i < m->nkids; i += 2) {
		struct tnode *v = m->kids[i + 1];

		if (m->kids[i]->type != TN_MERGE)
			continue;
		if (v->type == TN_MAP) {
			if (tnode_flatten(r, v, e) != 0)
				return -1;
			k += v->nkids;
		} else if (v->type == TN_SEQ) {
			for (j = 0; j < v->nkids; j++) {
				if (v->kids[j]->type != TN_MAP) {
					transfer_reader_err(r, e, ERR_INVALID,
					    v->kids[j]->line, "while constructing "
					    "a mapping: expected a mapping for "
					    "merging, but found %s",
					    tnode_pytype(v->kids[j]));
					return -1;
				}
				if (tnode_flatten(r, v->kids[j], e) != 0)
					return -1;
				k += v->kids[j]->nkids;
			}
		} else {
			transfer_reader_err(r, e, ERR_INVALID, v->line, "while "
			    "constructing a mapping: expected a mapping or list "
			    "of mappings for merging, but found %s",
			    tnode_pytype(v));
			return -1;
		}
	}
	if ((merged = calloc(k, sizeof *merged)) == NULL ||
	    (own = calloc(m->nkids, sizeof *own)) == NULL) {
		err_nomem(e);
		goto out;
	}
	for (i = 0; i < m->nkids; i += 2) {
		struct tnode *key = m->kids[i], *v = m->kids[i + 1];

		if (key->type != TN_MERGE) {
			if (key->type == TN_VALUE)
				key->type = TN_STR;
			own[no++] = key;
			own[no++] = v;
		} else if (v->type == TN_MAP) {
			memcpy(merged + nm, v->kids, v->nkids * sizeof *merged);
			nm += v->nkids;
		} else {
			/* later mappings of the list first: earlier ones win */
			for (j = v->nkids; j > 0; j--) {
				struct tnode *sub = v->kids[j - 1];

				memcpy(merged + nm, sub->kids,
				    sub->nkids * sizeof *merged);
				nm += sub->nkids;
			}
		}
	}
	memcpy(merged + nm, own, no * sizeof *merged);
	free(m->kids);
	m->kids = merged;
	m->nkids = m->cap = nm + no;
	merged = NULL;
	rc = 0;
out:
	free(merged);
	free(own);
	return rc;
}

/* dict(m): one entry per key, the last value at the first key's place. */
int
tnode_pairs(struct reader *r, struct tnode *m, struct pairs *p,
    struct err *e)
{
	struct strmap seen;
	size_t i, j, n = m->nkids / 2;

	memset(p, 0, sizeof *p);
	if (tnode_flatten(r, m, e) != 0)
		return -1;
	n = m->nkids / 2;
	if (n == 0)
		return 0;
	p->k = calloc(n, sizeof *p->k);
	p->v = calloc(n, sizeof *p->v);
	if (p->k == NULL || p->v == NULL) {
		free(p->k);
		free(p->v);
		memset(p, 0, sizeof *p);
		err_nomem(e);
		return -1;
	}
	/* str keys through an index: a mapping may hold 100,000 entries */
	strmap_init(&seen);
	for (i = 0; i < m->nkids; i += 2) {
		const struct tnode *k = m->kids[i];

		j = k->type == TN_STR ? strmap_get(&seen, k->s, k->len) :
		    STRMAP_NONE;
		if (j == STRMAP_NONE) {
			j = p->n++;
			p->k[j] = m->kids[i];
			if (k->type == TN_STR &&
			    strmap_put(&seen, k->s, k->len, j) != 0) {
				strmap_release(&seen);
				tnode_pairs_release(p);
				err_nomem(e);
				return -1;
			}
		}
		p->v[j] = m->kids[i + 1];
	}
	strmap_release(&seen);
	return 0;
}

void
tnode_pairs_release(struct pairs *p)
{
	free(p->k);
	free(p->v);
	memset(p, 0, sizeof *p);
}

/*
 * What SafeConstructor would refuse anywhere in the document, since
 * safe_load constructs all of it: a merge or value tag outside a key, a bad
 * merge, a mapping or list as a mapping key.
 */
int
tnode_check(struct reader *r, struct tnode *n, int depth, struct err *e)
{
	size_t i;

	if (n->checked)
		return 0;
	n->checked = 1;
	if (depth > YAML_MAX_DEPTH) {
		transfer_reader_err(r, e, ERR_INVALID, n->line, "the document nests "
		    "deeper than %d levels", YAML_MAX_DEPTH);
		return -1;
	}
	switch (n->type) {
	case TN_MERGE:
	case TN_VALUE:
		transfer_reader_err(r, e, ERR_INVALID, n->line, "could not determine a "
		    "constructor for the tag 'tag:yaml.org,2002:%s'",
		    n->type == TN_MERGE ? "merge" : "value");
		return -1;
	case TN_MAP:
		if (tnode_flatten(r, n, e) != 0)
			return -1;
		for (i = 0; i < n->nkids; i++) {
			struct tnode *k = n->kids[i];

			if (i % 2 == 0 && (k->type == TN_MAP ||
			    k->type == TN_SEQ)) {
				transfer_reader_err(r, e, ERR_INVALID, k->line, "while "
				    "constructing a mapping: found unhashable "
				    "key");
				return -1;
			}
			if (tnode_check(r, k, depth + 1, e) != 0)
				return -1;
		}
		return 0;
	case TN_SEQ:
	case TN_OTHER:
		for (i = 0; i < n->nkids; i++)
			if (tnode_check(r, n->kids[i], depth + 1, e) != 0)
				return -1;
		return 0;
	case TN_NULL:
	case TN_STR:
	case TN_BOOL:
	case TN_INT:
	case TN_FLOAT:
		break;
	}
	return 0;
}

/* -- import: json.dumps of a value --------------------------------------- */

/* A key as json.dumps turns it into a str (str, int, bool, None). */
static int
json_key(struct reader *r, const struct tnode *k, struct buf *b,
    struct err *e)
{
	buf_reset(b);
	switch (k->type) {
	case TN_STR:
		pyjson_kept_add(b, k->s, k->len);	/* a yaml "\0" kept */
		break;
	case TN_INT:
		if (k->s == NULL)
			goto big;
		buf_adds(b, k->s);
		break;
	case TN_BOOL:
		buf_adds(b, k->b ? "true" : "false");
		break;
	case TN_NULL:
		buf_adds(b, "null");
		break;
	case TN_FLOAT:
	case TN_MAP:
	case TN_SEQ:
	case TN_OTHER:
	case TN_MERGE:
	case TN_VALUE:
		transfer_reader_err(r, e, ERR_INVALID, k->line, "keys must be str, int, "
		    "float, bool or None, not %s", tnode_pytype(k));
		return -1;
	}
	return buf_check(b, e);
big:
	transfer_reader_err(r, e, ERR_INVALID, k->line, "an integer beyond 64 bits "
	    "cannot be written as JSON here");
	return -1;
}

cJSON *
tnode_to_json(struct reader *r, struct tnode *n, int depth, struct err *e)
{
	struct pairs p = { NULL, NULL, 0 };
	struct buf key;
	cJSON *v = NULL, *kid;
	const char *name;
	size_t i;

	if (depth > YAML_MAX_DEPTH) {
		transfer_reader_err(r, e, ERR_INVALID, n->line, "the value nests deeper "
		    "than %d levels", YAML_MAX_DEPTH);
		return NULL;
	}
	buf_init(&key, 1);
	switch (n->type) {
	case TN_NULL:
		v = cJSON_CreateNull();
		break;
	case TN_STR:
		/* a yaml "\0": json.dumps writes \u0000 (pyjson's kept form) */
		pyjson_kept_add(&key, n->s, n->len);
		if (buf_check(&key, e) != 0)
			goto fail;
		v = cJSON_CreateString(buf_str(&key));
		break;
	case TN_BOOL:
		v = cJSON_CreateBool(n->b);
		break;
	case TN_INT:
		if (n->s == NULL) {
			transfer_reader_err(r, e, ERR_INVALID, n->line, "an integer "
			    "beyond 64 bits cannot be written as JSON here");
			return NULL;
		}
		v = cJSON_CreateRaw(n->s);
		break;
	case TN_FLOAT:
		v = cJSON_CreateNumber(n->d);
		break;
	case TN_MAP:
		if (tnode_pairs(r, n, &p, e) != 0)
			return NULL;
		if ((v = cJSON_CreateObject()) == NULL)
			break;
		for (i = 0; i < p.n; i++) {
			if (json_key(r, p.k[i], &key, e) != 0 ||
			    (kid = tnode_to_json(r, p.v[i], depth + 1, e)) ==
			    NULL)
				goto fail;
			if (!cJSON_AddItemToObject(v, buf_str(&key), kid)) {
				pyjson_free(kid);
				goto nomem;
			}
		}
		break;
	case TN_SEQ:
		if ((v = cJSON_CreateArray()) == NULL)
			break;
		for (i = 0; i < n->nkids; i++) {
			if ((kid = tnode_to_json(r, n->kids[i], depth + 1,
			    e)) == NULL)
				goto fail;
			if (!cJSON_AddItemToArray(v, kid)) {
				pyjson_free(kid);
				goto nomem;
			}
		}
		break;
	case TN_OTHER:
	case TN_MERGE:
	case TN_VALUE:
		/* json's TypeError names the class alone ("date") */
		name = strrchr(tnode_pytype(n), '.');
		transfer_reader_err(r, e, ERR_INVALID, n->line, "Object of type %s is "
		    "not JSON serializable", name != NULL ? name + 1 :
		    tnode_pytype(n));
		return NULL;
	}
	if (v == NULL)
		goto nomem;
	tnode_pairs_release(&p);
	buf_release(&key);
	return v;
nomem:
	err_nomem(e);
fail:
	tnode_pairs_release(&p);
	buf_release(&key);
	pyjson_free(v);
	return NULL;
}

/* json.dumps(n) (Python's defaults: one line, ensure_ascii) into out. */
int
tnode_dumps(struct reader *r, struct tnode *n, struct buf *out, struct err *e)
{
	static const struct pyjson_opts opts = { -1, 0, 1 };
	cJSON *tree = NULL;
	int rc;

	if (n->json != NULL)
		return pyjson_dumps(n->json, &opts, out, e);
	if ((tree = tnode_to_json(r, n, 0, e)) == NULL)
		return -1;
	rc = pyjson_dumps(tree, &opts, out, e);
	pyjson_free(tree);
	return rc;
}
