/*
 * store_int.h: what a store backend implements (private to src/store*.c
 * and tests). store.c dispatches the public calls of store.h to the
 * backend's operations; a backend fills struct store's common fields on
 * open.
 */
#ifndef FERNCON_STORE_INT_H
#define FERNCON_STORE_INT_H

#include "store.h"

struct store_ops {
	const char *name;
	void	(*close)(struct store *s);
	int	(*has_table)(struct store *s, const char *table);
	int	(*begin)(struct store *s, struct err *e);
	int	(*commit)(struct store *s, struct err *e);
	void	(*rollback)(struct store *s);
	int	(*conn_iter)(struct store *s, const struct store_query *q,
		    struct store_iter **out, struct err *e);
	int	(*conn_get)(struct store *s, const char *conn_id, struct conn *c,
		    struct err *e);
	int	(*conn_insert)(struct store *s, struct conn *c, struct err *e);
	int	(*conn_update)(struct store *s, const struct conn *c, struct err *e);
	int	(*conn_delete)(struct store *s, const char *conn_id, struct err *e);
	int	(*conn_count)(struct store *s, size_t *n, struct err *e);
	int	(*var_iter)(struct store *s, struct store_iter **out, struct err *e);
	int	(*var_insert)(struct store *s, const char *key, const char *val,
		    size_t len, int is_encrypted, const char *description,
		    struct err *e);
	int	(*field_iter)(struct store *s, enum store_field f,
		    int64_t after_id, size_t limit, struct store_iter **out,
		    struct err *e);
	int	(*field_update)(struct store *s, enum store_field f, int64_t id,
		    const char *value, size_t len, int flag, struct err *e);
	int	(*conn_secrets_update)(struct store *s, int64_t id,
		    unsigned which, const char *password, size_t pwlen,
		    int is_encrypted, const char *extra, size_t extralen,
		    int is_extra_encrypted, struct err *e);
	int	(*field_count)(struct store *s, enum store_field f, size_t *n,
		    struct err *e);
	/* From another thread than the owner's (store_interrupt()). */
	void	(*interrupt)(struct store *s);
	/*
	 * A read of Airflow's own tables (store_fab.c): run sql as
	 * store_sql_expand() gives it for the backend, with the n text
	 * parameters, outside any transaction of ours, and hand each row's
	 * columns as text (NULL for SQL NULL; a boolean as "1"/"0") to row.
	 * NULL in a backend that cannot: store_fab_*() then say so.
	 */
	int	(*text_rows)(struct store *s, const char *sql,
		    const char *const *params, int n, store_row_fn row,
		    void *arg, struct err *e);
	/*
	 * One page of variables: q->limit is always set (store.c pages).
	 * The rows come through the iterator's var_next, description filled.
	 */
	int	(*var_list)(struct store *s, const struct store_var_query *q,
		    struct store_iter **out, struct err *e);
	int	(*var_delete)(struct store *s, const char *key, struct err *e);
	/*
	 * store_conn_secrets_iter(); NULL: store.c reads the two fields with
	 * two field iterators, taken in turn.
	 */
	int	(*conn_secrets_iter)(struct store *s, int64_t after_id,
		    size_t limit, struct store_iter **out, struct err *e);
	/*
	 * Set val, description and is_encrypted of the row with key, in
	 * place (its id kept). No row is not an error here: MySQL counts
	 * only changed rows, so the caller checks that the key exists.
	 */
	int	(*var_update)(struct store *s, const char *key, const char *val,
		    size_t len, int is_encrypted, const char *description,
		    struct err *e);
};

/*
 * sql of store_fab.c for a backend: each '@' (before a table name) becomes
 * qual (a schema prefix, or ""), and with dollar set each '?' becomes $1,
 * $2, ... (PostgreSQL). A new string (caller frees), or NULL (no memory).
 */
char *store_sql_expand(const char *sql, const char *qual, int dollar);

/*
 * The optional columns of `connection`, found by name in each DB; the
 * backends select them in this order after id, conn_id and conn_type.
 */
enum col {
	COL_DESCRIPTION, COL_HOST, COL_SCHEMA, COL_LOGIN, COL_PASSWORD, COL_PORT,
	COL_EXTRA, COL_IS_ENCRYPTED, COL_IS_EXTRA_ENCRYPTED, COL_TEAM_NAME,
	COL_MAX
};
extern const char *const store_col_names[COL_MAX];

/*
 * Schema discovery, the same for every backend: each column name of the
 * connection table goes through store_schema_note(); then
 * store_schema_select() checks that Airflow's id, conn_id and conn_type
 * are there and gives the SELECT list the backends read rows with.
 */
struct store_schema {
	int		has[COL_MAX];	/* the optional columns found */
	unsigned	required;	/* a bit each for id, conn_id, conn_type */
};

/* Note one column name of the connection table. */
void store_schema_note(struct store_schema *sch, const char *name);

/*
 * "id, conn_id, conn_type" then every optional column in enum col order
 * (quoted), NULL for a column the table lacks: a new string (caller frees),
 * or NULL with e set: ERR_DB "database '<name>' has no Airflow connection
 * table<where>: is it an Airflow metadata database?<hint>" when a required
 * column is missing (where and hint say where the backend looked: "" or a
 * phrase that starts with a blank), ERR_NOMEM.
 */
char *store_schema_select(const struct store_schema *sch, const char *name,
    const char *where, const char *hint, struct err *e);

/*
 * The Airflow version of s from its alembic head (s->alembic_head, may be
 * NULL); an unknown head is placed by the columns Airflow added (team_name:
 * 3.2). Sets s->version.
 */
void store_schema_version(struct store *s, const struct store_schema *sch);

/*
 * Airflow's message for a conn_id with no row ("Did not find a connection
 * with `conn_id`=..."), ERR_NOTFOUND, written here once for every backend.
 */
void store_conn_not_found(const char *conn_id, struct err *e);

/* What each field is in SQL; shared by the backends. */
struct store_field_sql {
	const char	*table;		/* as it must be quoted: "trigger" is a keyword */
	const char	*column;
	const char	*flag;		/* NULL: no flag column */
	const char	*name;		/* the row's name column, or NULL */
};
extern const struct store_field_sql store_field_sql[STORE_FIELD_MAX];

struct store_iter_ops {
	int	(*conn_next)(struct store_iter *it, struct conn *c, struct err *e);
	int	(*var_next)(struct store_iter *it, struct store_var *v, struct err *e);
	int	(*field_next)(struct store_iter *it, struct store_value *v,
		    struct err *e);
	void	(*free)(struct store_iter *it);
};

struct store {
	const struct store_ops	*ops;
	void			*impl;		/* the backend's state */
	char			*name;		/* for messages */
	char			*alembic_head;
	struct airflow_version	 version;
	int			 readonly;
	int			 in_tx;
};
/*
 * Threads: every field above belongs to the owner thread. ops and impl
 * are set at open and not changed until close, so the interrupting thread
 * may read them; what a backend's interrupt touches is guarded by the
 * backend (store_sqlite.c, store_pg.c say how).
 */

struct store_iter {
	const struct store_iter_ops	*ops;
	void				*impl;
};

/* Backends: open url into s (ops, impl, name, ...); 0 or -1 with e set. */
int store_sqlite_open(struct store *s, const char *url,
    const struct store_opts *opts, struct err *e);
int store_pg_open(struct store *s, const char *url,
    const struct store_opts *opts, struct err *e);
int store_my_open(struct store *s, const char *url,
    const struct store_opts *opts, struct err *e);

#endif
