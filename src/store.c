/*
 * store.c: the metadata store's public calls (store.h), dispatched to the
 * backend that the URL names. Common rules live here: a read-only store
 * refuses writes, and a single write outside a transaction gets one of its
 * own.
 */
#include "config.h"

#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

static int
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

int
store_open(struct store **out, const char *url, const struct store_opts *opts,
    struct err *e)
{
	struct store *s;
	int rc;

	*out = NULL;
	if (url == NULL || *url == '\0') {
		err_set(e, ERR_CONFIG, "no metadata database URL ([database] "
		    "sql_alchemy_conn is empty)");
		return -1;
	}
	if ((s = calloc(1, sizeof *s)) == NULL) {
		err_nomem(e);
		return -1;
	}
	if (has_prefix(url, "sqlite:"))
		rc = store_sqlite_open(s, url, opts, e);
	else if (has_prefix(url, "postgresql") || has_prefix(url, "postgres:"))
		rc = store_pg_open(s, url, opts, e);
	else if (has_prefix(url, "mysql:") || has_prefix(url, "mysql+"))
		rc = store_my_open(s, url, opts, e);
	else {
		const char *colon = strchr(url, ':');

		err_set(e, ERR_CONFIG, "unsupported database URL scheme '%.*s' "
		    "(sql_alchemy_conn): ferncon reads sqlite, postgresql and mysql",
		    colon ? (int)(colon - url) : 0, url);
		rc = -1;
	}
	if (rc != 0) {
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	if (s->ops != NULL) {
		if (s->in_tx)
			s->ops->rollback(s);
		s->ops->close(s);
	}
	free(s->name);
	free(s->alembic_head);
	free(s);
}

void
store_interrupt(struct store *s)
{
	if (s != NULL && s->ops != NULL && s->impl != NULL)
		s->ops->interrupt(s);
}

const char *
store_backend(const struct store *s)
{
	return s->ops->name;
}

const char *
store_name(const struct store *s)
{
	return s->name;
}

int
store_readonly(const struct store *s)
{
	return s->readonly;
}

int
store_assume_version(struct store *s, const struct airflow_version *v,
    struct err *e)
{
	if (!airflow_version_fits_head(s->alembic_head, v)) {
		err_set(e, ERR_CONFIG, "Airflow %d.%d.%d cannot have written this "
		    "DB (alembic head %s, Airflow %d.%d.%d)", v->major, v->minor,
		    v->patch, s->alembic_head ? s->alembic_head : "none",
		    s->version.major, s->version.minor, s->version.patch);
		return -1;
	}
	s->version = *v;
	return 0;
}

const struct airflow_version *
store_airflow_version(const struct store *s)
{
	return &s->version;
}

const char *
store_alembic_head(const struct store *s)
{
	return s->alembic_head;
}

int
store_has_table(struct store *s, const char *table)
{
	return s->ops->has_table(s, table);
}

static int
check_writable(struct store *s, struct err *e)
{
	if (s->readonly) {
		err_set(e, ERR_DENIED, "database '%s' is read-only for this user; "
		    "nothing was changed", s->name);
		return -1;
	}
	return 0;
}

int
store_begin(struct store *s, struct err *e)
{
	if (check_writable(s, e) != 0)
		return -1;
	if (s->in_tx) {
		err_set(e, ERR_DB, "a transaction is already open");
		return -1;
	}
	if (s->ops->begin(s, e) != 0)
		return -1;
	s->in_tx = 1;
	return 0;
}

int
store_commit(struct store *s, struct err *e)
{
	if (!s->in_tx) {
		err_set(e, ERR_DB, "no transaction to commit");
		return -1;
	}
	if (s->ops->commit(s, e) != 0) {
		s->ops->rollback(s);
		s->in_tx = 0;
		return -1;
	}
	s->in_tx = 0;
	return 0;
}

void
store_rollback(struct store *s)
{
	if (s->in_tx) {
		s->ops->rollback(s);
		s->in_tx = 0;
	}
}

int
store_conn_iter(struct store *s, const struct store_query *q,
    struct store_iter **out, struct err *e)
{
	return s->ops->conn_iter(s, q, out, e);
}

int
store_iter_next(struct store_iter *it, struct conn *c, struct err *e)
{
	return it->ops->conn_next(it, c, e);
}

void
store_iter_free(struct store_iter *it)
{
	if (it != NULL)
		it->ops->free(it);
}

int
store_conn_get(struct store *s, const char *conn_id, struct conn *c,
    struct err *e)
{
	return s->ops->conn_get(s, conn_id, c, e);
}

/* Run one write in its own transaction unless one is open. */
#define WRITE_IN_TX(s, e, call) do {					\
	int own_ = !(s)->in_tx, rc_;					\
	if (check_writable((s), (e)) != 0)				\
		return -1;						\
	if (own_ && store_begin((s), (e)) != 0)				\
		return -1;						\
	rc_ = (call);							\
	if (own_) {							\
		if (rc_ == 0)						\
			rc_ = store_commit((s), (e));			\
		else							\
			store_rollback(s);				\
	}								\
	return rc_;							\
} while (0)

int
store_conn_insert(struct store *s, struct conn *c, struct err *e)
{
	WRITE_IN_TX(s, e, s->ops->conn_insert(s, c, e));
}

int
store_conn_update(struct store *s, const struct conn *c, struct err *e)
{
	WRITE_IN_TX(s, e, s->ops->conn_update(s, c, e));
}

int
store_conn_delete(struct store *s, const char *conn_id, struct err *e)
{
	WRITE_IN_TX(s, e, s->ops->conn_delete(s, conn_id, e));
}

int
store_conn_count(struct store *s, size_t *n, struct err *e)
{
	return s->ops->conn_count(s, n, e);
}

int
store_var_iter(struct store *s, struct store_iter **out, struct err *e)
{
	return s->ops->var_iter(s, out, e);
}

int
store_var_next(struct store_iter *it, struct store_var *v, struct err *e)
{
	return it->ops->var_next(it, v, e);
}

int
store_var_insert(struct store *s, const char *key, const char *val, size_t len,
    int is_encrypted, const char *description, struct err *e)
{
	WRITE_IN_TX(s, e, s->ops->var_insert(s, key, val, len, is_encrypted,
	    description, e));
}

/*
 * store_var_list(): keyset pages of the backend's var_list, one at a time,
 * behind one iterator. The last key of a page bounds the next one (after
 * it, or before it when descending), so a page never holds more than
 * VAR_PAGE rows, whatever the table's size; a backend may instead stream
 * every row wanted as one page (store.h, struct store_var_query's total).
 */
#define VAR_PAGE 1000

struct var_pager {
	struct store_iter	 base;
	struct store		*s;
	struct store_iter	*page;
	struct store_var_query	 q;	/* strings below are ours */
	char			*after, *before, *match, *key;
	size_t			 left;	/* rows still wanted; SIZE_MAX: all */
	size_t			 in_page;
	int			 done;
};

static int
pager_conn_next(struct store_iter *it, struct conn *c, struct err *e)
{
	(void)it;
	(void)c;
	err_set(e, ERR_INVALID, "a variable listing has no connections");
	return -1;
}

static int
pager_field_next(struct store_iter *it, struct store_value *v, struct err *e)
{
	(void)it;
	(void)v;
	err_set(e, ERR_INVALID, "a variable listing has no fields");
	return -1;
}

static int
pager_open(struct var_pager *p, struct err *e)
{
	p->q.limit = p->left < VAR_PAGE ? p->left : VAR_PAGE;
	p->q.total = p->key != NULL ? p->q.limit : p->left;
	p->in_page = 0;
	return p->s->ops->var_list(p->s, &p->q, &p->page, e);
}

static int
pager_var_next(struct store_iter *it, struct store_var *v, struct err *e)
{
	struct var_pager *p = (struct var_pager *)it;
	char **bound;
	int rc;

	for (;;) {
		if (p->done || p->left == 0)
			return 0;
		if (p->page == NULL && pager_open(p, e) != 0)
			return -1;
		if ((rc = store_var_next(p->page, v, e)) < 0)
			return -1;
		if (rc == 1)
			break;
		/*
		 * A short page is the last one, and so is a long one: the
		 * backend streamed every row wanted (store.h, total).
		 */
		if (p->in_page != p->q.limit || p->q.key != NULL)
			p->done = 1;
		store_iter_free(p->page);
		p->page = NULL;
	}
	p->in_page++;
	if (p->left != SIZE_MAX)
		p->left--;
	bound = p->q.desc ? &p->before : &p->after;
	free(*bound);
	if ((*bound = strdup(v->key != NULL ? v->key : "")) == NULL)
		return err_nomem(e);
	if (p->q.desc)
		p->q.before = p->before;
	else
		p->q.after = p->after;
	return 1;
}

static void
pager_free(struct store_iter *it)
{
	struct var_pager *p = (struct var_pager *)it;

	store_iter_free(p->page);
	free(p->after);
	free(p->before);
	free(p->match);
	free(p->key);
	free(p);
}

static const struct store_iter_ops pager_ops = {
	pager_conn_next, pager_var_next, pager_field_next, pager_free
};

/* A copy of s (NULL stays NULL) into *dst; 0, or -1 when out of memory. */
static int
dup_opt(const char *s, char **dst, const char **q)
{
	*dst = NULL;
	*q = NULL;
	if (s == NULL)
		return 0;
	if ((*dst = strdup(s)) == NULL)
		return -1;
	*q = *dst;
	return 0;
}

int
store_var_list(struct store *s, const struct store_var_query *q,
    struct store_iter **out, struct err *e)
{
	struct var_pager *p;

	*out = NULL;
	if (s->ops->var_list == NULL) {
		err_set(e, ERR_DB, "the %s backend cannot list variables",
		    s->ops->name);
		return -1;
	}
	if ((p = calloc(1, sizeof *p)) == NULL)
		return err_nomem(e);
	p->base.ops = &pager_ops;
	p->s = s;
	p->left = q != NULL && q->limit > 0 ? q->limit : SIZE_MAX;
	p->q.desc = q != NULL && q->desc;
	if (q != NULL && (dup_opt(q->after, &p->after, &p->q.after) != 0 ||
	    dup_opt(q->before, &p->before, &p->q.before) != 0 ||
	    dup_opt(q->match != NULL && *q->match != '\0' ? q->match : NULL,
	    &p->match, &p->q.match) != 0 ||
	    dup_opt(q->key, &p->key, &p->q.key) != 0)) {
		pager_free(&p->base);
		return err_nomem(e);
	}
	*out = &p->base;
	return 0;
}

int
store_var_delete(struct store *s, const char *key, struct err *e)
{
	if (s->ops->var_delete == NULL) {
		err_set(e, ERR_DB, "the %s backend cannot delete variables",
		    s->ops->name);
		return -1;
	}
	WRITE_IN_TX(s, e, s->ops->var_delete(s, key, e));
}

int
store_var_update(struct store *s, const char *key, const char *val,
    size_t len, int is_encrypted, const char *description, struct err *e)
{
	if (s->ops->var_update == NULL) {
		err_set(e, ERR_DB, "the %s backend cannot update variables",
		    s->ops->name);
		return -1;
	}
	WRITE_IN_TX(s, e, s->ops->var_update(s, key, val, len, is_encrypted,
	    description, e));
}

/* -- encrypted fields ---------------------------------------------------- */

const char *const store_col_names[COL_MAX] = {
	"description", "host", "schema", "login", "password", "port", "extra",
	"is_encrypted", "is_extra_encrypted", "team_name",
};

void
store_schema_note(struct store_schema *sch, const char *name)
{
	static const char *const required[] = { "id", "conn_id", "conn_type" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(required); i++)
		if (strcmp(name, required[i]) == 0)
			sch->required |= 1u << i;
	for (i = 0; i < COL_MAX; i++)
		if (strcmp(name, store_col_names[i]) == 0)
			sch->has[i] = 1;
}

char *
store_schema_select(const struct store_schema *sch, const char *name,
    const char *where, const char *hint, struct err *e)
{
	struct buf sel;
	char *out = NULL;
	int i;

	if (sch->required != 7u) {
		err_set(e, ERR_DB, "database '%s' has no Airflow connection "
		    "table%s: is it an Airflow metadata database%s?", name, where,
		    hint);
		return NULL;
	}
	/* SELECT list in a fixed order; absent columns read as NULL. */
	buf_init(&sel, 0);
	buf_adds(&sel, "id, conn_id, conn_type");
	for (i = 0; i < COL_MAX; i++) {
		if (sch->has[i])
			buf_addf(&sel, ", \"%s\"", store_col_names[i]);
		else
			buf_adds(&sel, ", NULL");
	}
	if (buf_check(&sel, e) == 0)
		out = buf_detach(&sel, NULL);
	buf_release(&sel);
	return out;
}

const struct store_field_sql store_field_sql[STORE_FIELD_MAX] = {
	{ "connection", "password", "is_encrypted", "conn_id" },
	{ "connection", "extra", "is_extra_encrypted", "conn_id" },
	{ "variable", "val", "is_encrypted", "\"key\"" },
	{ "\"trigger\"", "kwargs", NULL, NULL },
};

const char *
store_field_name(enum store_field f)
{
	static const char *const names[STORE_FIELD_MAX] = {
		"connection.password", "connection.extra", "variable.val",
		"trigger.kwargs",
	};

	return names[f];
}

int
store_field_exists(struct store *s, enum store_field f)
{
	switch (f) {
	case STORE_CONN_PASSWORD:
	case STORE_CONN_EXTRA:
		return 1;
	case STORE_VAR_VAL:
		return store_has_table(s, "variable");
	default:
		return store_has_table(s, "trigger");
	}
}

int
store_field_iter(struct store *s, enum store_field f, int64_t after_id,
    size_t limit, struct store_iter **out, struct err *e)
{
	return s->ops->field_iter(s, f, after_id, limit, out, e);
}

int
store_field_next(struct store_iter *it, struct store_value *v, struct err *e)
{
	return it->ops->field_next(it, v, e);
}

/*
 * store_conn_secrets_iter() for a backend without its own: a password
 * iterator and an extra iterator over the same ids, taken in turn (each
 * keeps its value until its own next call, so a row's two stay valid
 * together).
 */
struct secrets_pair {
	struct store_iter	 base;
	struct store_iter	*it[2];
	int			 turn;		/* 1: the extra is next */
	int64_t			 id;		/* the row of the password given */
};

static int
pair_conn_next(struct store_iter *it, struct conn *c, struct err *e)
{
	(void)it;
	(void)c;
	err_set(e, ERR_INVALID, "a secrets listing has no connections");
	return -1;
}

static int
pair_var_next(struct store_iter *it, struct store_var *v, struct err *e)
{
	(void)it;
	(void)v;
	err_set(e, ERR_INVALID, "a secrets listing has no variables");
	return -1;
}

static int
pair_field_next(struct store_iter *it, struct store_value *v, struct err *e)
{
	struct secrets_pair *p = (struct secrets_pair *)it;
	int t = p->turn, rc;

	if ((rc = store_field_next(p->it[t], v, e)) < 0)
		return -1;
	if (t == 0) {
		if (rc == 1) {
			p->id = v->id;
			p->turn = 1;
		}
		return rc;
	}
	p->turn = 0;
	if (rc == 0 || v->id != p->id) {
		err_set(e, ERR_DB, "internal error: the connection table changed "
		    "while it was read (row %lld)", (long long)p->id);
		return -1;
	}
	return 1;
}

static void
pair_free(struct store_iter *it)
{
	struct secrets_pair *p = (struct secrets_pair *)it;

	store_iter_free(p->it[0]);
	store_iter_free(p->it[1]);
	free(p);
}

static const struct store_iter_ops pair_ops = {
	pair_conn_next, pair_var_next, pair_field_next, pair_free
};

int
store_conn_secrets_iter(struct store *s, int64_t after_id, size_t limit,
    struct store_iter **out, struct err *e)
{
	struct secrets_pair *p;

	*out = NULL;
	if (s->ops->conn_secrets_iter != NULL)
		return s->ops->conn_secrets_iter(s, after_id, limit, out, e);
	if ((p = calloc(1, sizeof *p)) == NULL)
		return err_nomem(e);
	p->base.ops = &pair_ops;
	if (store_field_iter(s, STORE_CONN_PASSWORD, after_id, limit, &p->it[0],
	    e) != 0 || store_field_iter(s, STORE_CONN_EXTRA, after_id, limit,
	    &p->it[1], e) != 0) {
		pair_free(&p->base);
		return -1;
	}
	*out = &p->base;
	return 0;
}

int
store_field_update(struct store *s, enum store_field f, int64_t id,
    const char *value, size_t len, int flag, struct err *e)
{
	if (check_writable(s, e) != 0)
		return -1;
	if (!s->in_tx) {
		err_set(e, ERR_DB, "internal error: %s update outside a transaction",
		    store_field_name(f));
		return -1;
	}
	return s->ops->field_update(s, f, id, value, len, flag, e);
}

int
store_conn_secrets_update(struct store *s, int64_t id, unsigned which,
    const char *password, size_t pwlen, int is_encrypted, const char *extra,
    size_t extralen, int is_extra_encrypted, struct err *e)
{
	if (check_writable(s, e) != 0)
		return -1;
	if (!s->in_tx) {
		err_set(e, ERR_DB, "internal error: connection update outside "
		    "a transaction");
		return -1;
	}
	which &= STORE_SET_PASSWORD | STORE_SET_EXTRA;
	if (which == 0)
		return 0;
	return s->ops->conn_secrets_update(s, id, which, password, pwlen,
	    is_encrypted, extra, extralen, is_extra_encrypted, e);
}

int
store_field_count(struct store *s, enum store_field f, size_t *n, struct err *e)
{
	return s->ops->field_count(s, f, n, e);
}

void
store_schema_version(struct store *s, const struct store_schema *sch)
{
	s->version = airflow_version_of_head(s->alembic_head);
	if (s->version.major == 0 && sch->has[COL_TEAM_NAME]) {
		s->version.major = 3;
		s->version.minor = 2;
	}
}

void
store_conn_not_found(const char *conn_id, struct err *e)
{
	err_set(e, ERR_NOTFOUND, "Did not find a connection with `conn_id`=%s",
	    conn_id);
}
