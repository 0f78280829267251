/*
 * myurl.h: the SQLAlchemy URL of a MySQL database (sql_alchemy_conn:
 * mysql://, mysql+mysqldb://, mysql+pymysql://, mysql+mysqlconnector://)
 * read as SQLAlchemy's dialect for that driver reads it and as the driver
 * then takes its arguments: the host, port, user, password and database of
 * the URL, and from its query unix_socket, charset, the timeouts and the
 * TLS settings (ssl_mode; ssl_ca, ssl_cert, ssl_key, ssl_capath,
 * ssl_cipher; ssl_check_hostname, ssl_verify_cert, ssl_verify_identity,
 * ssl_disabled), each only for the drivers that take it (doc/mysql.md
 * section 1). myurl_apply() puts them on a libmariadb handle. No
 * connection is made here.
 */
#ifndef FERNCON_MYURL_H
#define FERNCON_MYURL_H

#include "compiler.h"
#include "err.h"

struct st_mysql;

/* What the URL asks of TLS, from weakest to strongest. */
enum myurl_tls {
	MYURL_TLS_OFF,		/* ssl_mode=DISABLED, ssl_disabled=true */
	MYURL_TLS_PREFERRED,	/* the driver's default: no TLS is required */
	MYURL_TLS_REQUIRED,	/* TLS, the server's certificate not checked */
	MYURL_TLS_VERIFY	/* TLS, the certificate and the host name checked */
};

struct myurl;

/*
 * Parse url into *out (free with myurl_free()). 0, or -1 with e set and
 * *out NULL: ERR_CONFIG for a URL the dialect or its driver refuses (an
 * unknown driver, a bad port, a query option the driver does not take,
 * a value it cannot read), never with the password; ERR_NOMEM.
 */
int myurl_parse(const char *url, struct myurl **out, struct err *e) ATTR_WUR;

/* Wipe the password and free. NULL does nothing. */
void myurl_free(struct myurl *u);

/*
 * Set u's options on m (mysql_init()ed): charset (utf8mb4 when the URL
 * names none, as SQLAlchemy 2 does), the timeouts, TLS. 0, or -1 with e
 * set (ERR_CONFIG: libmariadb refused an option).
 */
int myurl_apply(const struct myurl *u, struct st_mysql *m, struct err *e) ATTR_WUR;

/* The parts for mysql_real_connect(): NULL where the URL has none. */
const char *myurl_host(const struct myurl *u);
unsigned myurl_port(const struct myurl *u);	/* 0: the default, 3306 */
const char *myurl_user(const struct myurl *u);
const char *myurl_password(const struct myurl *u);	/* a secret */
const char *myurl_db(const struct myurl *u);
const char *myurl_socket(const struct myurl *u);

/* "mysqldb", "pymysql" or "mysqlconnector" (mysql:// is mysqldb). */
const char *myurl_driver(const struct myurl *u);

/* What the URL asks of TLS. */
enum myurl_tls myurl_tls(const struct myurl *u);

/*
 * The server for messages: "host:port/db", or "socket-path/db" with a
 * unix_socket, "localhost:3306" where the URL leaves them out. Never the
 * password.
 */
const char *myurl_where(const struct myurl *u);

/*
 * What myurl_parse() makes of url, as text for tests: "driver=... host=...
 * port=... user=... password=<set> db=... socket=... charset=... tls=..."
 * and each TLS file. Caller frees. 0, or -1 with e set.
 */
int myurl_describe(const char *url, char **out, struct err *e) ATTR_WUR;

#endif
