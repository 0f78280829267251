/*
 * myurl.c: a MySQL sql_alchemy_conn URL read as SQLAlchemy and the driver
 * it names read it (myurl.h; doc/mysql.md section 1).
 *
 * SQLAlchemy's make_url() splits user:password@host:port/database?query
 * (user, password and database %-decoded, the query as parse_qsl reads
 * it); each MySQL dialect's create_connect_args() then hands the parts and
 * every query option to its driver as keyword arguments. mysqlclient
 * (mysql://, mysql+mysqldb://) and PyMySQL take ssl_ca, ssl_cert, ssl_key,
 * ssl_capath, ssl_cipher and ssl_check_hostname (the dialect gathers them
 * into the driver's ssl dict); mysqlclient alone takes ssl_mode; PyMySQL
 * and mysql-connector take ssl_disabled, ssl_verify_cert and
 * ssl_verify_identity. A driver raises TypeError on an option it does not
 * take, so such a URL is refused here too rather than read differently
 * from Airflow. Options that change nothing ferncon does (compress,
 * autocommit, ...) are accepted and ignored. What SQLAlchemy does not
 * convert reaches the driver as a string, true to it whatever it says:
 * ssl_disabled and ssl_verify_identity, and PyMySQL's ssl_verify_cert,
 * which also makes PyMySQL drop the URL's CA, certificate and key
 * (pymysql_rebuild(); doc/mysql.md section 1).
 *
 * TLS on libmariadb: a certificate option or a required mode enforces TLS
 * (MYSQL_OPT_SSL_ENFORCE); a verifying mode checks the server's
 * certificate and host name (MYSQL_OPT_SSL_VERIFY_SERVER_CERT; libmariadb
 * checks both, so VERIFY_CA is as strict as VERIFY_IDENTITY here).
 */
#include "config.h"

#include "myurl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mysql.h>
#include <sodium.h>

#include "buf.h"
#include "pgurl.h"

enum { DRV_MYSQLDB = 1, DRV_PYMYSQL = 2, DRV_CONNECTOR = 4, DRV_ALL = 7 };

/* What a query option is to ferncon. */
enum opt_kind {
	OPT_SOCKET, OPT_CHARSET, OPT_CONNECT_TIMEOUT, OPT_READ_TIMEOUT,
	OPT_WRITE_TIMEOUT, OPT_SSL_MODE, OPT_SSL_CA, OPT_SSL_CERT, OPT_SSL_KEY,
	OPT_SSL_CAPATH, OPT_SSL_CIPHER, OPT_SSL_CHECK_HOSTNAME,
	OPT_SSL_VERIFY_CERT, OPT_SSL_VERIFY_IDENTITY, OPT_SSL_DISABLED,
	OPT_IGNORED, OPT_MAX
};

static const struct {
	const char	*name;
	enum opt_kind	 kind;
	unsigned	 drivers;	/* which drivers take it */
} opts[] = {
	{ "unix_socket", OPT_SOCKET, DRV_ALL },
	{ "charset", OPT_CHARSET, DRV_ALL },
	{ "connect_timeout", OPT_CONNECT_TIMEOUT, DRV_ALL },
	{ "connection_timeout", OPT_CONNECT_TIMEOUT, DRV_CONNECTOR },
	{ "read_timeout", OPT_READ_TIMEOUT, DRV_MYSQLDB | DRV_PYMYSQL },
	{ "write_timeout", OPT_WRITE_TIMEOUT, DRV_MYSQLDB | DRV_PYMYSQL },
	{ "ssl_mode", OPT_SSL_MODE, DRV_MYSQLDB },
	{ "ssl_ca", OPT_SSL_CA, DRV_ALL },
	{ "ssl_cert", OPT_SSL_CERT, DRV_ALL },
	{ "ssl_key", OPT_SSL_KEY, DRV_ALL },
	{ "ssl_capath", OPT_SSL_CAPATH, DRV_MYSQLDB | DRV_PYMYSQL },
	{ "ssl_cipher", OPT_SSL_CIPHER, DRV_ALL },
	{ "ssl_check_hostname", OPT_SSL_CHECK_HOSTNAME, DRV_MYSQLDB | DRV_PYMYSQL },
	{ "ssl_verify_cert", OPT_SSL_VERIFY_CERT, DRV_PYMYSQL | DRV_CONNECTOR },
	{ "ssl_verify_identity", OPT_SSL_VERIFY_IDENTITY,
	    DRV_PYMYSQL | DRV_CONNECTOR },
	{ "ssl_disabled", OPT_SSL_DISABLED, DRV_PYMYSQL | DRV_CONNECTOR },
	{ "compress", OPT_IGNORED, DRV_MYSQLDB | DRV_CONNECTOR },
	{ "local_infile", OPT_IGNORED, DRV_MYSQLDB | DRV_PYMYSQL },
	{ "allow_local_infile", OPT_IGNORED, DRV_CONNECTOR },
	{ "use_unicode", OPT_IGNORED, DRV_ALL },
	{ "client_flag", OPT_IGNORED, DRV_MYSQLDB | DRV_PYMYSQL },
	{ "client_flags", OPT_IGNORED, DRV_CONNECTOR },
	{ "init_command", OPT_IGNORED, DRV_MYSQLDB | DRV_PYMYSQL },
	{ "sql_mode", OPT_IGNORED, DRV_MYSQLDB | DRV_PYMYSQL | DRV_CONNECTOR },
	{ "autocommit", OPT_IGNORED, DRV_ALL },
	{ "binary_prefix", OPT_IGNORED, DRV_MYSQLDB | DRV_PYMYSQL },
	{ "collation", OPT_IGNORED, DRV_CONNECTOR },
	{ "use_pure", OPT_IGNORED, DRV_CONNECTOR },
	{ "buffered", OPT_IGNORED, DRV_CONNECTOR },
	{ "raise_on_warnings", OPT_IGNORED, DRV_CONNECTOR },
	{ "get_warnings", OPT_IGNORED, DRV_CONNECTOR },
	{ "program_name", OPT_IGNORED, DRV_PYMYSQL },
	{ "auth_plugin", OPT_IGNORED, DRV_MYSQLDB | DRV_CONNECTOR },
};

struct myurl {
	unsigned	 driver;
	char		*host, *user, *password, *db;	/* password: sodium */
	unsigned	 port;
	char		*val[OPT_MAX];		/* query values, by kind */
	enum myurl_tls	 tls;
	int		 verify_set;		/* a verify option was given */
	char		*where;
};

void
myurl_free(struct myurl *u)
{
	size_t i;

	if (u == NULL)
		return;
	free(u->host);
	free(u->user);
	sodium_free(u->password);
	free(u->db);
	for (i = 0; i < OPT_MAX; i++)
		free(u->val[i]);
	free(u->where);
	free(u);
}

/* SQLAlchemy's asbool(): 1, 0, or -1 for a value it refuses. */
static int
as_bool(const char *v)
{
	static const char *const yes[] = { "true", "yes", "on", "y", "t", "1" };
	static const char *const no[] = { "false", "no", "off", "n", "f", "0" };
	size_t i;

	for (i = 0; i < ARRAY_LEN(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return 1;
		if (strcasecmp(v, no[i]) == 0)
			return 0;
	}
	return -1;
}

static int
is_uint(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789") == strlen(s) &&
	    strlen(s) < 10;
}

static const char *
driver_name(unsigned d)
{
	return d == DRV_PYMYSQL ? "pymysql" : d == DRV_CONNECTOR ?
	    "mysqlconnector" : "mysqldb";
}

/* The scheme: mysql, mysql+<driver>. 0, or -1 with e set. */
static int
parse_scheme(struct myurl *u, const char *url, const char *rest,
    struct err *e)
{
	size_t n = (size_t)(rest - url);

	if (n == 5 && strncmp(url, "mysql", 5) == 0)
		u->driver = DRV_MYSQLDB;
	else if (n == 13 && strncmp(url, "mysql+mysqldb", 13) == 0)
		u->driver = DRV_MYSQLDB;
	else if (n == 13 && strncmp(url, "mysql+pymysql", 13) == 0)
		u->driver = DRV_PYMYSQL;
	else if (n == 20 && strncmp(url, "mysql+mysqlconnector", 20) == 0)
		u->driver = DRV_CONNECTOR;
	else {
		err_set(e, ERR_CONFIG, "unsupported MySQL driver in '%.*s' "
		    "(sql_alchemy_conn): ferncon reads mysql://, mysql+mysqldb://, "
		    "mysql+pymysql:// and mysql+mysqlconnector://", (int)n, url);
		return -1;
	}
	return 0;
}

/* One query option key=val (both decoded; val is taken). */
static int
query_option(struct myurl *u, const char *key, char *val, struct err *e)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(opts); i++)
		if (strcmp(opts[i].name, key) == 0)
			break;
	if (i == ARRAY_LEN(opts) || !(opts[i].drivers & u->driver)) {
		err_set(e, ERR_CONFIG, "the database URL's option '%s' is not one "
		    "that the %s driver takes (sql_alchemy_conn): Airflow would "
		    "fail to connect", key, driver_name(u->driver));
		free(val);
		return -1;
	}
	if (opts[i].kind == OPT_IGNORED) {
		free(val);
		return 0;
	}
	if (u->val[opts[i].kind] != NULL) {
		/* SQLAlchemy makes a list of a repeated option: drivers refuse it. */
		err_set(e, ERR_CONFIG, "the database URL gives option '%s' twice "
		    "(sql_alchemy_conn)", key);
		free(val);
		return -1;
	}
	u->val[opts[i].kind] = val;
	return 0;
}

/* A boolean option: 1, 0, -1 when absent; -2 with e set when unreadable. */
static int
opt_bool(const struct myurl *u, enum opt_kind k, const char *name,
    struct err *e)
{
	int b;

	if (u->val[k] == NULL)
		return -1;
	if ((b = as_bool(u->val[k])) < 0) {
		err_set(e, ERR_CONFIG, "the database URL's option %s=%s is not a "
		    "boolean (sql_alchemy_conn)", name, u->val[k]);
		return -2;
	}
	return b;
}

/*
 * PyMySQL's ssl_verify_cert given as a string: the values its
 * _create_ssl_ctx() takes for CERT_REQUIRED; any other leaves the
 * certificate unchecked there (it has no CA then, see pymysql_rebuild()).
 */
static int
pymysql_verifies(const char *v)
{
	static const char *const req[] = { "required", "1", "true", "yes" };
	size_t i;

	for (i = 0; v != NULL && i < ARRAY_LEN(req); i++)
		if (strcasecmp(v, req[i]) == 0)
			return 1;
	return 0;
}

/*
 * PyMySQL given ssl_verify_cert or ssl_verify_identity (any value: a
 * non-empty string is true to it) builds its ssl settings anew from its own
 * ssl_ca, ssl_cert and ssl_key keywords, which SQLAlchemy has moved into
 * the ssl dict: the URL's CA, certificate, key, CA path and cipher are
 * dropped, TLS is on, the host name unchecked (no CA), the certificate
 * checked (against the system's CAs) only for pymysql_verifies().
 */
static void
pymysql_rebuild(struct myurl *u)
{
	static const enum opt_kind dropped[] = { OPT_SSL_CA, OPT_SSL_CERT,
	    OPT_SSL_KEY, OPT_SSL_CAPATH, OPT_SSL_CIPHER,
	    OPT_SSL_CHECK_HOSTNAME };
	size_t i;

	for (i = 0; i < ARRAY_LEN(dropped); i++) {
		free(u->val[dropped[i]]);
		u->val[dropped[i]] = NULL;
	}
	u->tls = pymysql_verifies(u->val[OPT_SSL_VERIFY_CERT]) ?
	    MYURL_TLS_VERIFY : MYURL_TLS_REQUIRED;
}

/* The TLS the options ask for (see the top comment). */
static int
settle_tls(struct myurl *u, struct err *e)
{
	int certs = u->val[OPT_SSL_CA] || u->val[OPT_SSL_CERT] ||
	    u->val[OPT_SSL_KEY] || u->val[OPT_SSL_CAPATH] ||
	    u->val[OPT_SSL_CIPHER];
	int check = opt_bool(u, OPT_SSL_CHECK_HOSTNAME, "ssl_check_hostname", e);
	int vcert = opt_bool(u, OPT_SSL_VERIFY_CERT, "ssl_verify_cert", e);
	int vid, off;
	const char *mode = u->val[OPT_SSL_MODE];

	/*
	 * SQLAlchemy coerces neither ssl_disabled nor ssl_verify_identity
	 * (nor, for PyMySQL, ssl_verify_cert): the driver gets the string, and
	 * any value, "false" too, is true to it.
	 */
	off = u->val[OPT_SSL_DISABLED] != NULL;
	vid = u->val[OPT_SSL_VERIFY_IDENTITY] != NULL;
	if (u->driver == DRV_PYMYSQL) {
		vcert = u->val[OPT_SSL_VERIFY_CERT] != NULL;
		if (off) {
			u->tls = MYURL_TLS_OFF;
			return 0;
		}
		if (vcert || vid) {
			pymysql_rebuild(u);
			return 0;
		}
	}
	if (check == -2 || vcert == -2)
		return -1;
	/* Connector/Python: ssl_key and ssl_cert both or neither. */
	if (u->driver == DRV_CONNECTOR &&
	    (u->val[OPT_SSL_KEY] == NULL) != (u->val[OPT_SSL_CERT] == NULL)) {
		err_set(e, ERR_CONFIG, "the database URL gives one of ssl_key and "
		    "ssl_cert (sql_alchemy_conn): mysql-connector takes both or "
		    "neither, Airflow would fail to connect");
		return -1;
	}
	u->tls = certs ? MYURL_TLS_REQUIRED : MYURL_TLS_PREFERRED;
	/* PyMySQL checks the certificate whenever it is given a CA. */
	if (u->driver == DRV_PYMYSQL && (u->val[OPT_SSL_CA] ||
	    u->val[OPT_SSL_CAPATH]))
		u->tls = MYURL_TLS_VERIFY;
	if (check == 1 || vcert == 1 || vid == 1)
		u->tls = MYURL_TLS_VERIFY;
	if (mode != NULL) {
		if (strcasecmp(mode, "DISABLED") == 0)
			u->tls = MYURL_TLS_OFF;
		else if (strcasecmp(mode, "PREFERRED") == 0)
			u->tls = certs ? MYURL_TLS_REQUIRED : MYURL_TLS_PREFERRED;
		else if (strcasecmp(mode, "REQUIRED") == 0)
			u->tls = MYURL_TLS_REQUIRED;
		else if (strcasecmp(mode, "VERIFY_CA") == 0 ||
		    strcasecmp(mode, "VERIFY_IDENTITY") == 0)
			u->tls = MYURL_TLS_VERIFY;
		else {
			err_set(e, ERR_CONFIG, "unknown ssl_mode '%s' in the database "
			    "URL (sql_alchemy_conn): DISABLED, PREFERRED, REQUIRED, "
			    "VERIFY_CA or VERIFY_IDENTITY", mode);
			return -1;
		}
	}
	/* Connector/Python turns TLS off on a Unix socket (POSIX). */
	if (off || (u->driver == DRV_CONNECTOR && u->val[OPT_SOCKET] != NULL))
		u->tls = MYURL_TLS_OFF;
	return 0;
}

static int
check_values(struct myurl *u, struct err *e)
{
	static const struct { enum opt_kind k; const char *name; } ints[] = {
		{ OPT_CONNECT_TIMEOUT, "connect_timeout" },
		{ OPT_READ_TIMEOUT, "read_timeout" },
		{ OPT_WRITE_TIMEOUT, "write_timeout" },
	};
	const char *cs = u->val[OPT_CHARSET];
	size_t i;

	for (i = 0; i < ARRAY_LEN(ints); i++)
		if (u->val[ints[i].k] != NULL && !is_uint(u->val[ints[i].k])) {
			err_set(e, ERR_CONFIG, "the database URL's option %s=%s is "
			    "not a number of seconds (sql_alchemy_conn)",
			    ints[i].name, u->val[ints[i].k]);
			return -1;
		}
	/* ferncon reads and writes UTF-8: a charset that is not is refused. */
	if (cs != NULL && strcmp(cs, "utf8mb4") != 0 && strcmp(cs, "utf8") != 0 &&
	    strcmp(cs, "utf8mb3") != 0) {
		err_set(e, ERR_CONFIG, "the database URL asks for charset '%s' "
		    "(sql_alchemy_conn): ferncon reads MySQL in utf8mb4 (Airflow's "
		    "documented setting) or utf8", cs);
		return -1;
	}
	return settle_tls(u, e);
}

static int
make_where(struct myurl *u)
{
	struct buf b;

	buf_init(&b, 0);
	if (u->val[OPT_SOCKET] != NULL && (u->host == NULL ||
	    strcmp(u->host, "localhost") == 0))
		buf_adds(&b, u->val[OPT_SOCKET]);
	else if (u->host != NULL && strchr(u->host, ':') != NULL)
		buf_addf(&b, "[%s]:%u", u->host, u->port ? u->port : 3306);
	else
		buf_addf(&b, "%s:%u", u->host ? u->host : "localhost",
		    u->port ? u->port : 3306);
	buf_addf(&b, "/%s", u->db ? u->db : "");
	u->where = buf_detach(&b, NULL);
	return u->where != NULL ? 0 : -1;
}

int
myurl_parse(const char *url, struct myurl **out, struct err *e)
{
	const char *rest = strstr(url, "://"), *at, *user = NULL, *host, *query;
	size_t hlen, ulen = 0, i;
	struct myurl *u;

	*out = NULL;
	if (rest == NULL) {
		err_set(e, ERR_CONFIG, "cannot use database URL: no '://' after the "
		    "scheme (sql_alchemy_conn)");
		return -1;
	}
	if ((u = calloc(1, sizeof *u)) == NULL) {
		err_nomem(e);
		return -1;
	}
	if (parse_scheme(u, url, rest, e) != 0)
		goto fail;
	rest += 3;
	/* user[:password]@ : the last '@' before the path ends the user part. */
	at = NULL;
	for (i = 0; rest[i] != '\0' && rest[i] != '/' && rest[i] != '?'; i++)
		if (rest[i] == '@')
			at = rest + i;
	if (at != NULL) {
		const char *colon = memchr(rest, ':', (size_t)(at - rest));

		user = rest;
		ulen = colon ? (size_t)(colon - rest) : (size_t)(at - rest);
		if (colon != NULL && (u->password = pgurl_decode(colon + 1,
		    (size_t)(at - colon - 1), 0, 1)) == NULL)
			goto nomem;
		rest = at + 1;
	}
	if (user != NULL && ulen > 0 &&
	    (u->user = pgurl_decode(user, ulen, 0, 0)) == NULL)
		goto nomem;
	if (*rest == '[') {
		host = rest + 1;
		hlen = strcspn(host, "]");
		rest = host + hlen + (host[hlen] == ']');
	} else {
		host = rest;
		hlen = strcspn(rest, "/:?");
		rest += hlen;
	}
	if (hlen > 0 && (u->host = pgurl_decode(host, hlen, 0, 0)) == NULL)
		goto nomem;
	if (*rest == ':') {
		size_t plen = strcspn(rest + 1, "/?");
		char port[16];
		unsigned long pv;

		snprintf(port, sizeof port, "%.*s", (int)(plen < 15 ? plen : 15),
		    rest + 1);
		pv = strtoul(port, NULL, 10);
		if (plen == 0 || plen > 5 || !is_uint(port) || pv > 65535) {
			err_set(e, ERR_CONFIG, "the database URL's port '%.*s' is not "
			    "a port number (sql_alchemy_conn)",
			    (int)(plen < 40 ? plen : 40), rest + 1);
			goto fail;
		}
		u->port = (unsigned)pv;
		rest += 1 + plen;
	}
	if (*rest == '/') {
		size_t dlen = strcspn(rest + 1, "?");

		if (dlen > 0 && (u->db = pgurl_decode(rest + 1, dlen, 0, 0)) == NULL)
			goto nomem;
		rest += 1 + dlen;
	}
	query = *rest == '?' ? rest + 1 : NULL;
	/* parse_qsl: blank values are dropped. */
	while (query != NULL && *query != '\0') {
		size_t n = strcspn(query, "&"), klen = strcspn(query, "=");

		if (klen > 0 && klen + 1 < n) {
			char *key = pgurl_decode(query, klen, 1, 0);
			char *val = pgurl_decode(query + klen + 1, n - klen - 1, 1, 0);
			int rc;

			if (key == NULL || val == NULL) {
				free(key);
				free(val);
				goto nomem;
			}
			rc = query_option(u, key, val, e);
			free(key);
			if (rc != 0)
				goto fail;
		}
		query += n;
		if (*query == '&')
			query++;
	}
	if (check_values(u, e) != 0)
		goto fail;
	if (make_where(u) != 0)
		goto nomem;
	*out = u;
	return 0;
nomem:
	err_nomem(e);
fail:
	myurl_free(u);
	return -1;
}

int
myurl_apply(const struct myurl *u, struct st_mysql *m, struct err *e)
{
	static const struct { enum opt_kind k; enum mysql_option o; } files[] = {
		{ OPT_SSL_CA, MYSQL_OPT_SSL_CA },
		{ OPT_SSL_CERT, MYSQL_OPT_SSL_CERT },
		{ OPT_SSL_KEY, MYSQL_OPT_SSL_KEY },
		{ OPT_SSL_CAPATH, MYSQL_OPT_SSL_CAPATH },
		{ OPT_SSL_CIPHER, MYSQL_OPT_SSL_CIPHER },
	};
	unsigned timeout = 10;
	my_bool yes = 1, no = 0;
	int rc = 0;
	size_t i;

	if (u->val[OPT_CONNECT_TIMEOUT] != NULL)
		timeout = (unsigned)strtoul(u->val[OPT_CONNECT_TIMEOUT], NULL, 10);
	rc |= mysql_optionsv(m, MYSQL_SET_CHARSET_NAME,
	    u->val[OPT_CHARSET] ? u->val[OPT_CHARSET] : "utf8mb4");
	rc |= mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	if (u->val[OPT_READ_TIMEOUT] != NULL) {
		timeout = (unsigned)strtoul(u->val[OPT_READ_TIMEOUT], NULL, 10);
		rc |= mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
	}
	if (u->val[OPT_WRITE_TIMEOUT] != NULL) {
		timeout = (unsigned)strtoul(u->val[OPT_WRITE_TIMEOUT], NULL, 10);
		rc |= mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	}
	if (u->tls != MYURL_TLS_OFF)
		for (i = 0; i < ARRAY_LEN(files); i++)
			if (u->val[files[i].k] != NULL)
				rc |= mysql_optionsv(m, files[i].o, u->val[files[i].k]);
	rc |= mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE,
	    u->tls >= MYURL_TLS_REQUIRED ? &yes : &no);
	rc |= mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
	    u->tls == MYURL_TLS_VERIFY ? &yes : &no);
	if (rc != 0) {
		err_set(e, ERR_CONFIG, "the MySQL client library refused an option "
		    "of the database URL (sql_alchemy_conn)");
		return -1;
	}
	return 0;
}

const char *myurl_host(const struct myurl *u) { return u->host; }
unsigned myurl_port(const struct myurl *u) { return u->port; }
const char *myurl_user(const struct myurl *u) { return u->user; }
const char *myurl_password(const struct myurl *u) { return u->password; }
const char *myurl_db(const struct myurl *u) { return u->db; }
const char *myurl_socket(const struct myurl *u) { return u->val[OPT_SOCKET]; }
const char *myurl_driver(const struct myurl *u) { return driver_name(u->driver); }
enum myurl_tls myurl_tls(const struct myurl *u) { return u->tls; }
const char *myurl_where(const struct myurl *u) { return u->where; }

int
myurl_describe(const char *url, char **out, struct err *e)
{
	static const char *const tls[] = { "off", "preferred", "required",
	    "verify" };
	static const struct { enum opt_kind k; const char *name; } files[] = {
		{ OPT_SSL_CA, "ca" }, { OPT_SSL_CERT, "cert" },
		{ OPT_SSL_KEY, "key" }, { OPT_SSL_CAPATH, "capath" },
		{ OPT_SSL_CIPHER, "cipher" },
	};
	struct myurl *u;
	struct buf b;
	size_t i;

	*out = NULL;
	if (myurl_parse(url, &u, e) != 0)
		return -1;
	buf_init(&b, 0);
	buf_addf(&b, "driver=%s host=%s port=%u user=%s password=%s db=%s "
	    "socket=%s charset=%s tls=%s", driver_name(u->driver),
	    u->host ? u->host : "-", u->port, u->user ? u->user : "-",
	    u->password ? "<set>" : "-", u->db ? u->db : "-",
	    u->val[OPT_SOCKET] ? u->val[OPT_SOCKET] : "-",
	    u->val[OPT_CHARSET] ? u->val[OPT_CHARSET] : "utf8mb4", tls[u->tls]);
	for (i = 0; i < ARRAY_LEN(files); i++)
		if (u->val[files[i].k] != NULL)
			buf_addf(&b, " %s=%s", files[i].name, u->val[files[i].k]);
	buf_addf(&b, " where=%s", u->where);
	myurl_free(u);
	if (buf_check(&b, e) != 0) {
		buf_release(&b);
		return -1;
	}
	*out = buf_detach(&b, NULL);
	return 0;
}
