/*
 * pgurl.c: the SQLAlchemy URL of a PostgreSQL database -> libpq's
 * connection keywords (pgurl.h), as the psycopg2 dialect hands them to
 * psycopg2. store_pg.c connects with them; the audit reads the hosts.
 *
 * URLs as SQLAlchemy spells them in sql_alchemy_conn: postgresql://,
 * postgresql+psycopg2:// (any +driver) and the deprecated postgres://, with
 * user, password (percent-decoded), host (or [ipv6]), port, database, and
 * query options handed to libpq as connection keywords (sslmode,
 * sslrootcert, connect_timeout, options, host=/socket/dir, ...), as
 * psycopg2 does. libpq's own defaults apply to what the URL leaves out
 * (PGHOST, PGPASSWORD, ~/.pgpass, the Unix socket). The password lives in
 * locked memory and is never in a message.
 *
 * Several hosts (libpq tries them in turn) follow the psycopg2 dialect's
 * create_connect_args(): SQLAlchemy 2.0's _split_multihost_from_url()
 * (lib/sqlalchemy/dialects/postgresql/base.py, 2.0.19 and later; Airflow 3)
 * and 1.4.46's inline version (Debian's python3-sqlalchemy; Airflow 2). A
 * query host replaces the URL's netloc host. host= given more than once is
 * split at each value's ':' into libpq's host=h1,h2 port=p1,p2 (a value
 * without ':' gets an empty port, libpq's default; the netloc's port is
 * dropped). A single host= that is "name:digits" (letters, digits, '.',
 * '-') is split the same way when there is no port= (2.0; 1.4 hands libpq
 * "name:digits", which it cannot resolve). Any other host= goes to libpq
 * as is: a socket directory, "::1", or SQLAlchemy's other form
 * host=h1,h2&port=p1,p2; such a list without port= gets an empty port per
 * host, as 2.0 does (1.4 keeps the netloc's port). Refused, as SQLAlchemy
 * refuses them: host=h:p given more than once together with port= ("can't
 * mix 'multihost' formats"), a repeated host= with a second ':' (an IPv6
 * address, which SQLAlchemy cuts to pieces or fails on) or a port that is
 * not a number (2.0; with 1.4, libpq refuses it). Taken, though one
 * version refuses it: one port= for several hosts (2.0 refuses; 1.4 and
 * libpq use it for every host) and repeated hosts next to a netloc port
 * (1.4 refuses; 2.0 drops the port). Messages name every host as
 * host:port.
 *
 * ferncon's own defaults come first (fallback_application_name,
 * connect_timeout 10 s, client_encoding UTF8), so that the URL's query may
 * override them.
 */
#include "config.h"

#include "pgurl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "buf.h"

/* Connection keywords for PQconnectdbParams, NULL-terminated. */
struct kw {
	char		*key[64];
	char		*val[64];
	int		 secret[64];
	int		 from_query[64];	/* set by the URL's query */
	size_t		 n;
};

static void
kw_release(struct kw *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		free(k->key[i]);
		if (k->secret[i])
			sodium_free(k->val[i]);
		else
			free(k->val[i]);
	}
	k->n = 0;
}

/* %XX-decode s[0..len) (and '+' to ' ' when plus) into new memory. */
char *
pgurl_decode(const char *s, size_t len, int plus, int secret)
{
	char *out = secret ? sodium_malloc(len + 1) : malloc(len + 1);
	size_t i, n = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = { s[i + 1], s[i + 2], '\0' };

			out[n++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else if (plus && s[i] == '+') {
			out[n++] = ' ';
		} else {
			out[n++] = s[i];
		}
	}
	out[n] = '\0';
	return out;
}

/* Add or replace keyword key (the later value wins, as in libpq). */
static int
kw_set(struct kw *k, const char *key, char *val, int secret, struct err *e)
{
	size_t i;

	if (val == NULL) {
		err_nomem(e);
		return -1;
	}
	for (i = 0; i < k->n; i++) {
		if (strcmp(k->key[i], key) != 0)
			continue;
		if (k->secret[i])
			sodium_free(k->val[i]);
		else
			free(k->val[i]);
		k->val[i] = val;
		k->secret[i] = secret;
		return 0;
	}
	if (k->n + 1 >= ARRAY_LEN(k->key) || (k->key[k->n] = strdup(key)) == NULL) {
		if (secret)
			sodium_free(val);
		else
			free(val);
		if (k->n + 1 >= ARRAY_LEN(k->key))
			err_set(e, ERR_CONFIG, "too many options in the database URL");
		else
			err_nomem(e);
		return -1;
	}
	k->val[k->n] = val;
	k->secret[k->n] = secret;
	k->from_query[k->n] = 0;
	k->n++;
	k->key[k->n] = NULL;
	k->val[k->n] = NULL;
	return 0;
}

/*
 * Set keyword key from the URL's query: it replaces a default or a part of
 * the URL, and a key repeated in the query gets its values joined with ","
 * (libpq's list of ports; SQLAlchemy makes a list of them). host= is read
 * apart (query_hosts()).
 */
static int
kw_query(struct kw *k, const char *key, char *val, struct err *e)
{
	size_t i;
	char *joined;

	for (i = 0; val != NULL && i < k->n; i++) {
		if (strcmp(k->key[i], key) != 0 || !k->from_query[i])
			continue;
		if (asprintf(&joined, "%s,%s", k->val[i], val) < 0)
			joined = NULL;
		free(val);
		return kw_set(k, key, joined, 0, e);
	}
	if (kw_set(k, key, val, 0, e) != 0)
		return -1;
	for (i = 0; i < k->n; i++)
		if (strcmp(k->key[i], key) == 0)
			k->from_query[i] = 1;
	return 0;
}

/* The host= values of the URL's query, in order (decoded). */
struct hostlist {
	char	**v;
	size_t	  n;
};

static void
hostlist_release(struct hostlist *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->v[i]);
	free(h->v);
	h->v = NULL;
	h->n = 0;
}

/* Append val (taken: freed on failure). */
static int
hostlist_add(struct hostlist *h, char *val, struct err *e)
{
	char **nv;

	if (val == NULL || (nv = realloc(h->v, (h->n + 1) * sizeof *nv)) == NULL) {
		free(val);
		err_nomem(e);
		return -1;
	}
	h->v = nv;
	h->v[h->n++] = val;
	return 0;
}

/* 1 if s is digits only (the empty string included). */
static int
all_digits(const char *s)
{
	return s[strspn(s, "0123456789")] == '\0';
}

/*
 * SQLAlchemy 2.0's test for one host= that carries a port: the whole value
 * matches ^([a-zA-Z0-9\-\.]*)(?:\:(\d*))?$ and has a ':' (so no '/', no
 * second ':', no ',').
 */
static int
is_name_port(const char *s)
{
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-.");

	return s[n] == ':' && all_digits(s + n + 1);
}

/*
 * Turn the query's host= values into libpq's host and port keywords, as
 * the psycopg2 dialect does (the rule is in the top comment). query_port:
 * the query has port= (already set in k). Errors are ERR_CONFIG and quote
 * the host value, which never holds the password.
 */
static int
query_hosts(struct kw *k, const struct hostlist *h, int query_port,
    struct err *e)
{
	struct buf hosts, ports;
	const char *tok, *colon;
	size_t i;
	int set_port = 0, rc = -1;

	buf_init(&hosts, 0);
	buf_init(&ports, 0);
	if (h->n == 1) {
		tok = h->v[0];
		if (!query_port && is_name_port(tok)) {
			colon = strchr(tok, ':');
			buf_add(&hosts, tok, (size_t)(colon - tok));
			buf_adds(&ports, colon + 1);
			set_port = colon[1] != '\0';
		} else {
			buf_adds(&hosts, tok);
			/* host=h1,h2 without port=: libpq's default port for each. */
			for (tok = strchr(tok, ','); !query_port && tok != NULL;
			    tok = strchr(tok + 1, ',')) {
				buf_addc(&ports, ',');
				set_port = 1;
			}
		}
	} else {
		if (query_port) {
			err_set(e, ERR_CONFIG, "cannot use database URL "
			    "(sql_alchemy_conn): its query has host= more than once "
			    "and port= too, which SQLAlchemy refuses: \"Can't mix "
			    "'multihost' formats together\"; use host=h1,h2&port=p1,p2 "
			    "or host=h1:p1&host=h2:p2");
			goto out;
		}
		for (i = 0; i < h->n; i++) {
			tok = h->v[i];
			colon = strchr(tok, ':');
			if (colon != NULL && strchr(colon + 1, ':') != NULL) {
				err_set(e, ERR_CONFIG, "cannot use database URL "
				    "(sql_alchemy_conn): host '%s' of its query has more "
				    "than one ':', and SQLAlchemy splits a repeated host= "
				    "into host and port at the ':'; write an IPv6 address "
				    "as host=h1,h2&port=p1,p2", tok);
				goto out;
			}
			if (colon != NULL && !all_digits(colon + 1)) {
				err_set(e, ERR_CONFIG, "cannot use database URL "
				    "(sql_alchemy_conn): the port of host '%s' of its "
				    "query is not a number", tok);
				goto out;
			}
			if (i > 0) {
				buf_addc(&hosts, ',');
				buf_addc(&ports, ',');
			}
			if (colon != NULL) {
				buf_add(&hosts, tok, (size_t)(colon - tok));
				buf_adds(&ports, colon + 1);
			} else {
				buf_adds(&hosts, tok);
			}
		}
		set_port = 1;
	}
	if (buf_check(&hosts, e) != 0 || buf_check(&ports, e) != 0 ||
	    kw_set(k, "host", buf_detach(&hosts, NULL), 0, e) != 0 ||
	    (set_port && kw_set(k, "port", buf_detach(&ports, NULL), 0, e) != 0))
		goto out;
	rc = 0;
out:
	buf_release(&hosts);
	buf_release(&ports);
	return rc;
}

/* The value of keyword key in k, or NULL. */
static const char *
kw_get(const struct kw *k, const char *key)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (strcmp(k->key[i], key) == 0)
			return k->val[i];
	return NULL;
}

/*
 * One host for messages: "localhost" for "" (libpq's default), an IPv6
 * address in brackets, and any other name with a ':' in quotes (what
 * SQLAlchemy left unsplit, e.g. "[::1]:5432", which libpq will not
 * resolve), so that its port stays apart.
 */
void
pgurl_host_name(struct buf *b, const char *host, size_t len)
{
	size_t n = 0;

	/* Hex digits, ':' and '.', then maybe a zone: fe80::1%eth0. */
	while (n < len && host[n] != '\0' &&
	    strchr("0123456789abcdefABCDEF:.", host[n]) != NULL)
		n++;
	if (len == 0)
		buf_adds(b, "localhost");
	else if (memchr(host, ':', len) == NULL)
		buf_add(b, host, len);
	else if (n == len || host[n] == '%')
		buf_addf(b, "[%.*s]", (int)len, host);
	else
		buf_addf(b, "'%.*s'", (int)len, host);
}

/*
 * "h1:p1,h2:p2/db" for messages, from libpq's host, port and dbname
 * keywords as libpq pairs them: one port serves every host, an empty one
 * is the default port. Never holds the password.
 */
static char *
where_of(const struct kw *k)
{
	const char *hosts = kw_get(k, "host"), *ports = kw_get(k, "port");
	const char *db = kw_get(k, "dbname"), *h, *pt;
	struct buf b;
	size_t hl, pl;
	int one_port;

	if (hosts == NULL)
		hosts = getenv("PGHOST") ? getenv("PGHOST") : "localhost";
	if (ports == NULL)
		ports = getenv("PGPORT") ? getenv("PGPORT") : "5432";
	if (db == NULL)
		db = getenv("PGDATABASE") ? getenv("PGDATABASE") : "";
	one_port = strchr(ports, ',') == NULL;
	buf_init(&b, 0);
	for (h = hosts, pt = ports;; h += hl + 1) {
		hl = strcspn(h, ",");
		pl = strcspn(pt, ",");
		if (h != hosts)
			buf_addc(&b, ',');
		pgurl_host_name(&b, h, hl);
		buf_addf(&b, ":%.*s", (int)(pl ? pl : 4), pl ? pt : "5432");
		if (!one_port && pt[pl] == ',')
			pt += pl + 1;
		else if (!one_port)
			pt += pl;	/* fewer ports than hosts: libpq refuses */
		if (h[hl] == '\0')
			break;
	}
	buf_addf(&b, "/%s", db);
	return buf_detach(&b, NULL);
}

/*
 * Split url as SQLAlchemy's make_url and the psycopg2 dialect do into
 * libpq keywords; where gets "host:port/db" (every host) for messages,
 * shown the password never.
 */
static int
parse_url(const char *url, struct kw *k, char **where, struct err *e)
{
	const char *rest = strstr(url, "://"), *p, *user = NULL, *pass = NULL;
	const char *host = NULL, *port = NULL, *db = NULL, *query = NULL;
	size_t ulen = 0, plen = 0, hlen = 0, polen = 0, dlen = 0, i;
	struct hostlist qhosts = { NULL, 0 };
	char *v;
	size_t j;
	int rc = -1, query_port = 0;

	*where = NULL;
	if (rest == NULL) {
		err_set(e, ERR_CONFIG, "cannot use database URL: no '://' after the "
		    "scheme (sql_alchemy_conn)");
		return -1;
	}
	p = url;
	if (strncmp(p, "postgresql", 10) == 0)
		p += 10;
	else if (strncmp(p, "postgres", 8) == 0)
		p += 8;
	if (*p == '+') {
		for (p++; p < rest && (isalnum((unsigned char)*p) || *p == '_'); p++)
			;
	}
	if (p != rest) {
		err_set(e, ERR_CONFIG, "unsupported database URL scheme '%.*s' "
		    "(sql_alchemy_conn): ferncon reads sqlite, postgresql and mysql",
		    (int)(rest - url), url);
		return -1;
	}
	rest += 3;
	/* username [^:/]* then optional :password [^@]* then @ */
	i = strcspn(rest, ":/");
	if (rest[i] == ':' && strchr(rest + i + 1, '@') != NULL) {
		user = rest;
		ulen = i;
		pass = rest + i + 1;
		plen = strcspn(pass, "@");
		rest = pass + plen + 1;
	} else {
		const char *at = NULL;

		for (j = 0; j < i; j++)
			if (rest[j] == '@')
				at = rest + j;
		if (at != NULL) {
			user = rest;
			ulen = (size_t)(at - rest);
			rest = at + 1;
		}
	}
	if (*rest == '[') {
		host = rest + 1;
		hlen = strcspn(host, "]");
		rest = host + hlen + (host[hlen] == ']');
	} else {
		host = rest;
		hlen = strcspn(rest, "/:?");
		rest += hlen;
	}
	if (*rest == ':') {
		port = rest + 1;
		polen = strcspn(port, "/?");
		rest = port + polen;
	}
	if (*rest == '/') {
		db = rest + 1;
		dlen = strcspn(db, "?");
		rest = db + dlen;
	}
	if (*rest == '?')
		query = rest + 1;

	/* ferncon's defaults first: the URL's query may override them. */
	if (kw_set(k, "fallback_application_name", strdup("ferncon"), 0, e) != 0 ||
	    kw_set(k, "connect_timeout", strdup("10"), 0, e) != 0 ||
	    kw_set(k, "client_encoding", strdup("UTF8"), 0, e) != 0)
		goto out;
	if (hlen > 0 && kw_set(k, "host", strndup(host, hlen), 0, e) != 0)
		goto out;
	if (polen > 0 && kw_set(k, "port", strndup(port, polen), 0, e) != 0)
		goto out;
	if (dlen > 0 && kw_set(k, "dbname", strndup(db, dlen), 0, e) != 0)
		goto out;
	if (user != NULL && ulen > 0 &&
	    kw_set(k, "user", pgurl_decode(user, ulen, 0, 0), 0, e) != 0)
		goto out;
	if (pass != NULL &&
	    kw_set(k, "password", pgurl_decode(pass, plen, 0, 1), 1, e) != 0)
		goto out;
	/* The query, as urllib's parse_qsl: blank values are dropped. */
	while (query != NULL && *query != '\0') {
		size_t n = strcspn(query, "&"), klen = strcspn(query, "=");
		char *key;

		if (klen < n && klen + 1 < n && klen > 0) {
			key = pgurl_decode(query, klen, 1, 0);
			v = pgurl_decode(query + klen + 1, n - klen - 1, 1, 0);
			if (key == NULL || v == NULL) {
				free(key);
				free(v);
				err_nomem(e);
				goto out;
			}
			if (strcmp(key, "password") == 0) {
				char *sv = sodium_malloc(strlen(v) + 1);

				if (sv != NULL)
					memcpy(sv, v, strlen(v) + 1);
				sodium_memzero(v, strlen(v));
				free(v);
				free(key);
				if (kw_set(k, "password", sv, 1, e) != 0)
					goto out;
			} else if (strcmp(key, "host") == 0) {
				/* Read once all are known (query_hosts()). */
				free(key);
				if (hostlist_add(&qhosts, v, e) != 0)
					goto out;
			} else {
				int qrc;

				query_port |= strcmp(key, "port") == 0;
				/* psycopg2's alias "database" is libpq's "dbname". */
				qrc = kw_query(k, strcmp(key, "database") == 0 ?
				    "dbname" : key, v, e);
				free(key);
				if (qrc != 0)
					goto out;
			}
		}
		query += n;
		if (*query == '&')
			query++;
	}
	if (qhosts.n > 0 && query_hosts(k, &qhosts, query_port, e) != 0)
		goto out;
	if ((*where = where_of(k)) == NULL) {
		err_nomem(e);
		goto out;
	}
	rc = 0;
out:
	hostlist_release(&qhosts);
	return rc;
}

struct pgurl {
	struct kw	  kw;
	char		 *where;
	char		**hosts;	/* pgurl_hosts(), each malloc'd */
	size_t		  nhosts;
};

/* Append the ','-separated items of list to u->hosts. */
static int
hosts_split(struct pgurl *u, const char *list, struct err *e)
{
	char **nv;
	size_t n;

	for (;; list += n + 1) {
		n = strcspn(list, ",");
		if ((nv = realloc(u->hosts, (u->nhosts + 1) * sizeof *nv)) == NULL)
			goto nomem;
		u->hosts = nv;
		if ((u->hosts[u->nhosts] = strndup(list, n)) == NULL)
			goto nomem;
		u->nhosts++;
		if (list[n] == '\0')
			return 0;
	}
nomem:
	err_nomem(e);
	return -1;
}

int
pgurl_parse(const char *url, struct pgurl **out, struct err *e)
{
	struct pgurl *u;
	const char *v;

	*out = NULL;
	if ((u = calloc(1, sizeof *u)) == NULL) {
		err_nomem(e);
		return -1;
	}
	if (parse_url(url, &u->kw, &u->where, e) != 0 ||
	    ((v = kw_get(&u->kw, "host")) != NULL && hosts_split(u, v, e) != 0) ||
	    ((v = kw_get(&u->kw, "hostaddr")) != NULL && hosts_split(u, v, e) != 0)) {
		pgurl_free(u);
		return -1;
	}
	*out = u;
	return 0;
}

void
pgurl_free(struct pgurl *u)
{
	size_t i;

	if (u == NULL)
		return;
	kw_release(&u->kw);	/* wipes the password */
	for (i = 0; i < u->nhosts; i++)
		free(u->hosts[i]);
	free(u->hosts);
	free(u->where);
	free(u);
}

const char *const *
pgurl_keys(const struct pgurl *u)
{
	return (const char *const *)u->kw.key;
}

const char *const *
pgurl_values(const struct pgurl *u)
{
	return (const char *const *)u->kw.val;
}

const char *
pgurl_where(const struct pgurl *u)
{
	return u->where;
}

const char *const *
pgurl_hosts(const struct pgurl *u, size_t *n)
{
	*n = u->nhosts;
	return (const char *const *)u->hosts;
}

int
pgurl_keywords(const char *url, char **keywords, char **where,
    struct err *e)
{
	struct pgurl *u = NULL;
	const struct kw *k;
	struct buf b;
	size_t i;
	int rc = -1;

	*keywords = *where = NULL;
	buf_init(&b, 0);
	if (pgurl_parse(url, &u, e) != 0)
		goto out;
	k = &u->kw;
	for (i = 0; i < k->n; i++)
		buf_addf(&b, "%s%s=%s", i ? " " : "", k->key[i],
		    k->secret[i] ? "<set>" : k->val[i]);
	if (buf_check(&b, e) != 0)
		goto out;
	if ((*where = strdup(u->where)) == NULL) {
		err_nomem(e);
		goto out;
	}
	*keywords = buf_detach(&b, NULL);
	rc = 0;
out:
	buf_release(&b);
	pgurl_free(u);
	return rc;
}
