/*
 * pgurl.h: the SQLAlchemy URL of a PostgreSQL database (sql_alchemy_conn)
 * read as SQLAlchemy's psycopg2 dialect reads it, into the connection
 * keywords libpq takes (PQconnectdbParams). The store opens its session
 * with them; the audit asks them which hosts the database is on. No
 * connection is made here.
 */
#ifndef FERNCON_PGURL_H
#define FERNCON_PGURL_H

#include <stddef.h>

#include "compiler.h"
#include "err.h"

struct buf;

/* One parsed URL: its keywords, in locked memory where secret. */
struct pgurl;

/* -- lifecycle ----------------------------------------------------------- */

/*
 * Parse url (postgresql://, postgresql+driver://, postgres://) into *out:
 * ferncon's defaults (fallback_application_name, connect_timeout,
 * client_encoding) first, then what the URL sets, the later value winning.
 * Caller frees *out with pgurl_free(). 0, or -1 with e set and *out NULL:
 * ERR_CONFIG for a URL that SQLAlchemy or ferncon refuses (the message
 * never holds the password), ERR_NOMEM.
 */
int pgurl_parse(const char *url, struct pgurl **out, struct err *e) ATTR_WUR;

/* Wipe the password and free. NULL does nothing. */
void pgurl_free(struct pgurl *u);

/* -- what it holds ------------------------------------------------------- */

/*
 * The keywords and their values for PQconnectdbParams: two arrays of the
 * same length, each ending with NULL, owned by u (a value may be a secret:
 * use it, never show it).
 */
const char *const *pgurl_keys(const struct pgurl *u);
const char *const *pgurl_values(const struct pgurl *u);

/*
 * The server for messages until connected: "h1:p1,h2:p2/db", every host
 * with its port as libpq pairs them (PGHOST, PGPORT and PGDATABASE where
 * the URL leaves them out). Never holds the password; owned by u.
 */
const char *pgurl_where(const struct pgurl *u);

/*
 * Every host and address libpq may be given: the values of the host and
 * then of the hostaddr keyword, each split at ','. An empty one is libpq's
 * default (the Unix socket). *n gets the count (0 when the URL names no
 * host); the array and its strings are owned by u.
 */
const char *const *pgurl_hosts(const struct pgurl *u, size_t *n);

/*
 * s[0..len) %XX-decoded (and '+' made ' ' when plus), as SQLAlchemy
 * decodes a URL's parts; in sodium_malloc memory when secret (free with
 * sodium_free), else malloc. Shared with myurl.c. NULL out of memory.
 */
char *pgurl_decode(const char *s, size_t len, int plus, int secret);

/* -- for messages and tests ---------------------------------------------- */

/*
 * Append one host as messages show it: "localhost" for "" (libpq's
 * default), an IPv6 address in brackets, any other name with a ':' in
 * quotes (so that its port stays apart).
 */
void pgurl_host_name(struct buf *b, const char *host, size_t len);

/*
 * What pgurl_parse() makes of url, as text: *keywords gets "key=value"
 * pairs joined by spaces, in the order they were set, a password shown as
 * "password=<set>"; *where gets pgurl_where(). Caller frees both. 0, or -1
 * with e set as pgurl_parse() sets it (both NULL then).
 */
int pgurl_keywords(const char *url, char **keywords, char **where,
    struct err *e) ATTR_WUR;

#endif
