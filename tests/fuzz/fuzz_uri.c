/*
 * fuzz_uri.c: connection URIs (src/uri.c). The first byte picks the
 * Airflow version (2.10, 3.1.0 or the newest rules), the rest is the URI.
 * Invariants, for a URI that parses and is UTF-8 (as a Python str is; an
 * ill-formed byte is only run through the parser): get_uri() of it parses again to the
 * same fields (conn_type, host, schema, login, password, port; the extra
 * as the same JSON value, or the same text when it is not JSON), where an
 * empty login, password or extra counts as none, as get_uri() cannot
 * write the difference (tests/test_uri.c, the cases not marked
 * round_trip), and so does port 0, which get_uri() leaves out as Airflow
 * does ("if self.port"), and the host is compared without case, as a
 * host with its own protocol keeps its case from the percent-encoded
 * netloc where Airflow takes it, then loses it to urlsplit's hostname;
 * and from there get_uri() is a fixed point: parsing and writing the
 * second URI gives the same text. Not checked: a get_uri() that holds its "<type>://" twice (a host
 * protocol equal to the type as written: before 3.1.0, or differing from
 * conn_type only by '_' against '-' or case), which Airflow itself cannot
 * parse back, since its parser removes every "<type>://" of the URI
 * (doc/airflow-compat.md section 4.1; tests/test_uri.c, "af http same
 * protocol 2.10"); nor a host protocol that is not a URL scheme
 * ([A-Za-z][A-Za-z0-9+.-]*, from a percent-encoded host), which get_uri()
 * writes as it is and the parser then does not take for a protocol, one
 * with nothing after it, or one without a conn_type.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "airflow.h"
#include "buf.h"
#include "conn.h"
#include "err.h"
#include "fuzz.h"
#include "pyjson.h"
#include "uri.h"
#include "utf8.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

static int
same_str(const char *a, const char *b, int empty_is_none)
{
	if (empty_is_none) {
		if (a != NULL && *a == '\0')
			a = NULL;
		if (b != NULL && *b == '\0')
			b = NULL;
	}
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* The same JSON value (Python's json.dumps of both), else the same text. */
static int
same_extra(const char *a, const char *b)
{
	cJSON *ja, *jb;
	struct buf x, y;
	struct err e;
	int eq;

	if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
		return same_str(a, b, 1);
	ja = pyjson_loads(a, strlen(a));
	jb = pyjson_loads(b, strlen(b));
	if (ja == NULL || jb == NULL) {
		eq = ja == jb && strcmp(a, b) == 0;
	} else {
		buf_init(&x, 1);
		buf_init(&y, 1);
		FUZZ_CHECK(pyjson_dumps(ja, NULL, &x, &e) == 0 &&
		    pyjson_dumps(jb, NULL, &y, &e) == 0, "pyjson_dumps failed");
		eq = strcmp(buf_str(&x), buf_str(&y)) == 0;
		buf_release(&x);
		buf_release(&y);
	}
	pyjson_free(ja);
	pyjson_free(jb);
	return eq;
}

/*
 * 1 when the host's "protocol://" is not a scheme urlsplit() takes, has
 * no host after it (Airflow then keeps no host at all), or comes without
 * a conn_type (get_uri() then holds "://" once, which the parser does not
 * read as a host protocol).
 */
static int
odd_protocol(const struct conn *c)
{
	const char *host = c->host;
	const char *sep = host != NULL ? strstr(host, "://") : NULL, *p;

	if (sep == NULL)
		return 0;
	if (sep == host || !isalpha((unsigned char)*host) || sep[3] == '\0' ||
	    c->conn_type == NULL || c->conn_type[0] == '\0')
		return 1;
	for (p = host; p < sep; p++)
		if (!isalnum((unsigned char)*p) && *p != '+' && *p != '-' &&
		    *p != '.')
			return 1;
	return 0;
}

/* 1 when the URI's "<type>://" comes again later in it. */
static int
twice(const char *u)
{
	const char *sep = strstr(u, "://"), *p;
	size_t n;

	if (sep == NULL)
		return 0;
	n = (size_t)(sep - u) + 3;
	for (p = sep + 3; (p = strstr(p, "://")) != NULL; p += 3)
		if ((size_t)(p + 3 - u) >= 2 * n &&
		    strncmp(p + 3 - n, u, n) == 0)
			return 1;
	return 0;
}

static void
show(const char *what, const struct conn *c)
{
	fprintf(stderr, "%s: type=%s host=%s schema=%s login=%s port=%ld/%d "
	    "extra=%s\n", what, c->conn_type ? c->conn_type : "(null)",
	    c->host ? c->host : "(null)", c->schema ? c->schema : "(null)",
	    c->login ? c->login : "(null)", c->port, c->has_port,
	    c->extra ? c->extra : "(null)");
}

/* A broken invariant, with the URIs that show it. */
#define SAME(cond, what) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "uri: %s\nget_uri: %s\nagain: %s\n", uri,	\
		    buf_str(&u1), buf_str(&u2));			\
		show("parsed", c);					\
		show("back", back);					\
		fuzz_fail(__FILE__, __LINE__, (what));			\
	}								\
} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct airflow_version versions[] = {
		{ 2, 10, 0 }, { 3, 1, 0 }, { 0, 0, 0 },
	};
	const struct airflow_version *v;
	struct conn *c, *back, *third;
	struct buf u1, u2, u3;
	struct err e;
	char *uri;

	if (size < 1)
		return 0;
	v = &versions[data[0] % 3];
	uri = fuzz_str(data + 1, size - 1);
	c = conn_new();
	back = conn_new();
	third = conn_new();
	FUZZ_CHECK(c != NULL && back != NULL && third != NULL, "out of memory");
	buf_init(&u1, 1);
	buf_init(&u2, 1);
	buf_init(&u3, 1);
	err_clear(&e);
	if (uri_parse(uri, v, c, &e) != 0) {
		FUZZ_CHECK(e.msg[0] != '\0', "an error without a message");
		goto out;
	}
	if (utf8_bad_at(data + 1, size - 1) < size - 1 ||
	    memchr(data + 1, '\0', size - 1) != NULL)
		goto out;
	FUZZ_CHECK(uri_format(c, v, &u1, &e) == 0, "get_uri failed");
	if (twice(buf_str(&u1)) || odd_protocol(c))
		goto out;
	if (uri_parse(buf_str(&u1), v, back, &e) != 0) {
		fprintf(stderr, "get_uri: %s\nerror: %s\n", buf_str(&u1), e.msg);
		fuzz_fail(__FILE__, __LINE__, "get_uri() does not parse");
	}
	SAME(same_str(c->conn_type, back->conn_type, 0), "conn_type");
	SAME(strcasecmp(c->host, back->host) == 0, "host");
	SAME(same_str(c->schema, back->schema, 0), "schema");
	SAME(same_str(c->login, back->login, 1), "login");
	SAME(same_str(c->password, back->password, 1), "password");
	SAME((c->has_port && c->port != 0 ? c->port : -1) ==
	    (back->has_port && back->port != 0 ? back->port : -1), "port");
	SAME(same_extra(c->extra, back->extra), "extra");
	FUZZ_CHECK(uri_format(back, v, &u2, &e) == 0, "get_uri failed");
	if (twice(buf_str(&u2)) || odd_protocol(back))
		goto out;
	FUZZ_CHECK(uri_parse(buf_str(&u2), v, third, &e) == 0,
	    "the second get_uri() does not parse");
	FUZZ_CHECK(uri_format(third, v, &u3, &e) == 0, "get_uri failed");
	SAME(strcmp(buf_str(&u2), buf_str(&u3)) == 0,
	    "get_uri() is not a fixed point");
out:
	buf_release(&u1);
	buf_release(&u2);
	buf_release(&u3);
	conn_free(third);
	conn_free(back);
	conn_free(c);
	free(uri);
	return 0;
}
