/*
 * uri.c: Airflow's connection URI (see uri.h and doc/airflow-compat.md
 * sections 4.1 and 4.2).
 *
 * Airflow builds its URI rules on Python's urllib, so this file carries a
 * small transcription of the urllib behaviour it relies on, as CPython
 * 3.11 (Debian 12's 3.11.2 with its security backports) has it:
 *
 *   urlsplit   leading C0 controls and spaces stripped, tab/CR/LF removed
 *              everywhere; scheme [A-Za-z][A-Za-z0-9+.-]* before the first
 *              ':', lower-cased; netloc after "//" up to the first of
 *              "/?#"; fragment split before query; "[" and "]" must pair,
 *              and when both are there the host part must be "[...]"
 *              (optionally ":port") holding an IPv6 address or IPvFuture
 *              (_check_bracketed_netloc, also checked when the brackets
 *              are in the userinfo).
 *   .hostname  after the last '@', without brackets, lower-cased up to the
 *              first '%' (the zone), None when empty.
 *   .port      ASCII digits only, 0-65535, Python's two error messages.
 *   .username / .password   before the last '@', split at the first ':'.
 *   unquote    %xx decoded per ASCII run as UTF-8 with 'replace' (U+FFFD
 *              for each maximal ill-formed subpart); other text kept.
 *   parse_qsl  keep_blank_values: split on '&', skip empty fields, split at
 *              the first '=', '+' is a space, then unquote.
 *   quote      safe="": only A-Za-z0-9 and "_.-~" are kept.
 *   path[1:]   drops the first character, which may be several bytes.
 *
 *   _checknetloc  a non-ASCII netloc, without its '@:#?', that NFKC
 *              (libunistring's u8_normalize()) changes must not gain one of
 *              "/?#@:" (ValueError; the message leaves out the netloc,
 *              which may hold a password).
 *
 * Known gaps, none reachable from ASCII URIs: str.lower() is applied to
 * ASCII letters only, a bracketed host that is no IP address gets a
 * message without the address (Python quotes it, and it can be part of a
 * password), and NFKC follows libunistring's Unicode version, not
 * Python's unicodedata's.
 *
 * A URI holds the password and the extras, so every buffer that holds a
 * copy of the URI, a password or a query is a secret buffer.
 */
#include "config.h"

#include "uri.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sodium.h>
#include <uninorm.h>

#include "pyjson.h"
#include "utf8.h"

#define MSG_INVALID	"Invalid connection string."

/* A view of len bytes (not NUL-terminated); p NULL means Python's None. */
struct span {
	const char	*p;
	size_t		 len;
};

/* What urlsplit() gives (the fragment is dropped: Airflow ignores it). */
struct split {
	struct buf	clean;		/* secret: the cleaned copy spans point into */
	struct buf	scheme;		/* lower-cased, "" when none */
	struct span	netloc;
	struct span	path;
	struct span	query;
};

/* One entry of dict(parse_qsl(...)): offsets into the decoded text. */
struct qitem {
	size_t	koff, klen;
	size_t	voff, vlen;
};

struct qdict {
	struct buf	 text;		/* secret: decoded keys and values */
	struct qitem	*v;
	size_t		 n;
	size_t		 cap;
};

/* -- small helpers ------------------------------------------------------- */

static int
newest(const struct airflow_version *v, int major, int minor, int patch)
{
	return v == NULL || v->major == 0 ||
	    airflow_version_at_least(v, major, minor, patch);
}

static const char *
span_chr(struct span s, char c)
{
	return s.p != NULL && s.len > 0 ? memchr(s.p, c, s.len) : NULL;
}

static const char *
span_rchr(struct span s, char c)
{
	size_t i;

	if (s.p == NULL)
		return NULL;
	for (i = s.len; i-- > 0;)
		if (s.p[i] == c)
			return s.p + i;
	return NULL;
}

static struct span
span_from(const char *p, const char *end)
{
	struct span s = { p, (size_t)(end - p) };

	return s;
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char
ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* -- unquote ------------------------------------------------------------- */

/*
 * Length of the maximal well-formed UTF-8 prefix at s (0 < len): the
 * whole character when valid (*valid 1), else the maximal subpart that
 * Python's decoder replaces with one U+FFFD (*valid 0, at least 1).
 */
static size_t
utf8_span(const unsigned char *s, size_t len, int *valid)
{
	uint32_t cp;
	size_t n = utf8_decode(s, len, &cp);

	*valid = cp != UTF8_BAD;
	return n;
}

/* bytes.decode("utf-8", "replace"), appended as UTF-8. */
static void
utf8_replace(struct buf *out, const unsigned char *s, size_t len)
{
	size_t i = 0, n;
	int valid;

	while (i < len) {
		n = utf8_span(s + i, len - i, &valid);
		if (valid)
			buf_add(out, s + i, n);
		else
			buf_adds(out, "\xEF\xBF\xBD");
		i += n;
	}
}

/*
 * urllib.parse.unquote(s) (plus: first '+' -> ' ', as parse_qsl does),
 * appended to out. Each maximal ASCII run is percent-decoded to bytes and
 * those bytes decoded as UTF-8 with 'replace'; other text is kept as is.
 * The decoded bytes of a run go through scratch, a secret buffer.
 */
static void
unquote(struct buf *out, struct span s, int plus, struct buf *scratch)
{
	size_t i = 0, j;
	int hi, lo;
	char c;

	while (i < s.len) {
		if ((unsigned char)s.p[i] >= 0x80) {
			for (j = i; j < s.len && (unsigned char)s.p[j] >= 0x80; j++)
				;
			buf_add(out, s.p + i, j - i);
			i = j;
			continue;
		}
		buf_reset(scratch);
		for (; i < s.len && (unsigned char)s.p[i] < 0x80; i++) {
			c = s.p[i];
			if (c == '+' && plus) {
				buf_addc(scratch, ' ');
			} else if (c == '%' && i + 2 < s.len &&
			    (hi = hex_val(s.p[i + 1])) >= 0 &&
			    (lo = hex_val(s.p[i + 2])) >= 0) {
				buf_addc(scratch, (char)(hi * 16 + lo));
				i += 2;
			} else {
				buf_addc(scratch, c);
			}
		}
		utf8_replace(out, (const unsigned char *)buf_str(scratch),
		    scratch->len);
	}
}

/* -- quote --------------------------------------------------------------- */

static int
quote_safe(unsigned char c)
{
	return is_alpha((char)c) || is_digit((char)c) || c == '_' || c == '.' ||
	    c == '-' || c == '~';
}

static void
quote_any(struct buf *out, const char *s, size_t len, int plus)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	char esc[3];
	size_t i, run;

	for (i = 0; i < len;) {
		for (run = i; run < len && quote_safe(p[run]); run++)
			;
		if (run > i) {
			buf_add(out, p + i, run - i);
			i = run;
			continue;
		}
		if (plus && p[i] == ' ') {
			buf_addc(out, '+');
		} else {
			esc[0] = '%';
			esc[1] = hex[p[i] >> 4];
			esc[2] = hex[p[i] & 0xF];
			buf_add(out, esc, 3);
		}
		i++;
	}
}

void
uri_quote(struct buf *out, const char *s, size_t len)
{
	quote_any(out, s, len, 0);
}

void
uri_quote_plus(struct buf *out, const char *s, size_t len)
{
	quote_any(out, s, len, 1);
}

/* -- urlsplit ------------------------------------------------------------ */

static void
split_init(struct split *sp)
{
	memset(sp, 0, sizeof *sp);
	buf_init(&sp->clean, 1);
	buf_init(&sp->scheme, 0);
}

static void
split_release(struct split *sp)
{
	buf_release(&sp->clean);
	buf_release(&sp->scheme);
}

/* ipaddress.IPv4Address(s) accepts s. */
static int
ipv4_valid(struct span s)
{
	size_t i = 0, start, octets = 0;
	unsigned val;

	if (s.len == 0)
		return 0;
	for (;;) {
		start = i;
		val = 0;
		while (i < s.len && is_digit(s.p[i])) {
			val = val * 10 + (unsigned)(s.p[i] - '0');
			if (i - start >= 3)
				return 0;
			i++;
		}
		if (i == start || val > 255 || (s.p[start] == '0' && i - start > 1))
			return 0;
		octets++;
		if (i == s.len)
			break;
		if (s.p[i] != '.')
			return 0;
		i++;
	}
	return octets == 4;
}

/* An IPv6 hextet as ipaddress parses it: 1 to 4 hex digits. */
static int
hextet_valid(struct span s)
{
	size_t i;

	if (s.len == 0 || s.len > 4)
		return 0;
	for (i = 0; i < s.len; i++)
		if (hex_val(s.p[i]) < 0)
			return 0;
	return 1;
}

/* ipaddress.IPv6Address(s) accepts s (scope id included). */
static int
ipv6_valid(struct span s)
{
	static const char zero[] = "0";
	struct span parts[10], addr = s;
	const char *pct, *p, *end, *colon;
	size_t n = 0, i, skip = 0, hi, lo;
	int have_skip = 0;

	if (span_chr(s, '/') != NULL)
		return 0;
	if ((pct = span_chr(s, '%')) != NULL) {
		struct span scope = span_from(pct + 1, s.p + s.len);

		if (scope.len == 0 || span_chr(scope, '%') != NULL)
			return 0;
		addr = span_from(s.p, pct);
	}
	if (addr.len == 0)
		return 0;
	p = addr.p;
	end = addr.p + addr.len;
	for (;;) {
		if (n == ARRAY_LEN(parts) - 1)
			return 0;	/* more than 9 parts even before IPv4 */
		colon = memchr(p, ':', (size_t)(end - p));
		parts[n++] = span_from(p, colon ? colon : end);
		if (colon == NULL)
			break;
		p = colon + 1;
	}
	if (n < 3)
		return 0;
	if (span_chr(parts[n - 1], '.') != NULL) {
		if (!ipv4_valid(parts[n - 1]))
			return 0;
		/* Two hextets in its place; any valid text stands for them. */
		parts[n - 1] = span_from(zero, zero + 1);
		parts[n++] = span_from(zero, zero + 1);
	}
	if (n > 9)
		return 0;
	for (i = 1; i + 1 < n; i++) {
		if (parts[i].len == 0) {
			if (have_skip)
				return 0;
			have_skip = 1;
			skip = i;
		}
	}
	if (have_skip) {
		hi = skip;
		lo = n - skip - 1;
		if (parts[0].len == 0 && --hi != 0)
			return 0;
		if (parts[n - 1].len == 0 && --lo != 0)
			return 0;
		if (8 < hi + lo + 1)
			return 0;
	} else {
		if (n != 8 || parts[0].len == 0 || parts[n - 1].len == 0)
			return 0;
		hi = n;
		lo = 0;
	}
	for (i = 0; i < hi; i++)
		if (!hextet_valid(parts[i]))
			return 0;
	for (i = n - lo; i < n; i++)
		if (!hextet_valid(parts[i]))
			return 0;
	return 1;
}

/* urllib's _check_bracketed_host(). */
static int
check_bracketed_host(struct span h, struct err *e)
{
	size_t i;

	if (h.len > 0 && h.p[0] == 'v') {
		/* \Av[a-fA-F0-9]+\..+\Z */
		for (i = 1; i < h.len && hex_val(h.p[i]) >= 0; i++)
			;
		if (i == 1 || i >= h.len || h.p[i] != '.' || i + 1 >= h.len) {
			err_set(e, ERR_INVALID, "IPvFuture address is invalid");
			return -1;
		}
		return 0;
	}
	if (ipv4_valid(h)) {
		err_set(e, ERR_INVALID, "An IPv4 address cannot be in brackets");
		return -1;
	}
	if (!ipv6_valid(h)) {
		err_set(e, ERR_INVALID,
		    "address does not appear to be an IPv4 or IPv6 address");
		return -1;
	}
	return 0;
}

/* The netloc after its last '@' (SplitResult._hostinfo's input). */
static struct span
split_hostinfo(const struct split *sp)
{
	const char *at = span_rchr(sp->netloc, '@');

	return at ? span_from(at + 1, sp->netloc.p + sp->netloc.len) :
	    sp->netloc;
}

/* SplitResult._hostinfo: the host (brackets off) and the port text. */
static void
split_hostport(const struct split *sp, struct span *host, struct span *port)
{
	struct span hi = split_hostinfo(sp), br;
	const char *open, *close, *colon, *end = hi.p + hi.len;

	port->p = NULL;
	port->len = 0;
	if ((open = span_chr(hi, '[')) != NULL) {
		br = span_from(open + 1, end);
		close = span_chr(br, ']');
		*host = close ? span_from(br.p, close) : br;
		if (close != NULL) {
			colon = span_chr(span_from(close + 1, end), ':');
			if (colon != NULL)
				*port = span_from(colon + 1, end);
		}
	} else if ((colon = span_chr(hi, ':')) != NULL) {
		*host = span_from(hi.p, colon);
		*port = span_from(colon + 1, end);
	} else {
		*host = hi;
	}
	if (port->p != NULL && port->len == 0)
		port->p = NULL;
}

/*
 * urllib's _check_bracketed_netloc() (CPython's fix for gh-105704, in
 * Debian 12's 3.11.2): the host part, split as .hostname splits it, must
 * have nothing before '[' and nothing but ":port" after ']', and must be
 * an IPv6 address or IPvFuture. It is checked even when the brackets are
 * in the userinfo only.
 */
static int
check_bracketed_netloc(const struct split *sp, struct err *e)
{
	struct span hi = split_hostinfo(sp), host, rest;
	const char *open, *close, *colon, *end = hi.p + hi.len;

	if ((open = span_chr(hi, '[')) != NULL) {
		if (open != hi.p) {
			err_set(e, ERR_INVALID, "Invalid IPv6 URL");
			return -1;
		}
		host = span_from(open + 1, end);
		if ((close = span_chr(host, ']')) != NULL) {
			rest = span_from(close + 1, end);
			host.len = (size_t)(close - host.p);
			if (rest.len > 0 && rest.p[0] != ':') {
				err_set(e, ERR_INVALID, "Invalid IPv6 URL");
				return -1;
			}
		}
	} else {
		host = hi;
		if ((colon = span_chr(hi, ':')) != NULL)
			host.len = (size_t)(colon - hi.p);
	}
	return check_bracketed_host(host, e);
}

static int
scheme_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
}

/*
 * urllib's _checknetloc(): a netloc that is not ASCII, with its '@', ':',
 * '#' and '?' removed, must not gain one of "/?#@:" under NFKC (such as
 * U+2100 ACCOUNT OF, which normalises to "a/c"). Every copy is in locked
 * or wiped memory: the netloc may hold a password. A netloc that is not
 * UTF-8 (no Python str) is left to the UTF-8 checks of the callers.
 */
static int
check_netloc_nfkc(struct span netloc, struct err *e)
{
	struct buf n;
	uint8_t *out, *norm;
	size_t i, cap, len;
	int rc = 0;

	for (i = 0; i < netloc.len; i++)
		if ((unsigned char)netloc.p[i] >= 0x80)
			break;
	if (i == netloc.len)
		return 0;
	buf_init(&n, 1);
	for (i = 0; i < netloc.len; i++)
		if (strchr("@:#?", netloc.p[i]) == NULL || netloc.p[i] == '\0')
			buf_addc(&n, netloc.p[i]);
	if (buf_check(&n, e) != 0) {
		buf_release(&n);
		return -1;
	}
	/* NFKC grows a character at most 18 times (U+FDFA): one locked
	   buffer is enough, and a bigger result is wiped all the same. */
	cap = n.len * 18 + 16;
	if ((out = sodium_malloc(cap)) == NULL) {
		buf_release(&n);
		err_nomem(e);
		return -1;
	}
	len = cap;
	norm = u8_normalize(UNINORM_NFKC, (const uint8_t *)buf_str(&n), n.len,
	    out, &len);
	if (norm == NULL) {
		if (errno != EILSEQ) {
			err_nomem(e);
			rc = -1;
		}
	} else if (len != n.len || memcmp(norm, buf_str(&n), len) != 0) {
		for (i = 0; i < len; i++)
			if (memchr("/?#@:", norm[i], 5) != NULL)
				break;
		if (i < len) {
			err_set(e, ERR_INVALID, "netloc contains invalid characters "
			    "under NFKC normalization (urlsplit() refuses it; the "
			    "netloc is not shown)");
			rc = -1;
		}
	}
	if (norm != NULL && norm != out) {
		sodium_memzero(norm, len);
		free(norm);
	}
	sodium_free(out);
	buf_release(&n);
	return rc;
}

/* urllib.parse.urlsplit(s[0..len)). 0, or -1 with e. */
static int
url_split(const char *s, size_t len, struct split *sp, struct err *e)
{
	const char *p, *end, *c, *q, *hash, *open, *close;
	struct span rest;
	size_t i;

	/* lstrip(C0 controls and space), then drop tab, CR, LF. */
	for (i = 0; i < len && (unsigned char)s[i] <= 0x20; i++)
		;
	for (; i < len; i++)
		if (s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			buf_addc(&sp->clean, s[i]);
	buf_adds(&sp->scheme, "");
	if (buf_check(&sp->clean, e) != 0 || buf_check(&sp->scheme, e) != 0)
		return -1;
	p = buf_str(&sp->clean);
	end = p + sp->clean.len;

	c = memchr(p, ':', (size_t)(end - p));
	if (c != NULL && c > p && is_alpha(p[0])) {
		for (q = p; q < c && scheme_char(*q); q++)
			;
		if (q == c) {
			for (q = p; q < c; q++)
				buf_addc(&sp->scheme, ascii_lower(*q));
			p = c + 1;
		}
	}
	rest = span_from(p, end);
	if (rest.len >= 2 && p[0] == '/' && p[1] == '/') {
		for (q = p + 2; q < end && *q != '/' && *q != '?' && *q != '#'; q++)
			;
		sp->netloc = span_from(p + 2, q);
		rest = span_from(q, end);
		open = span_chr(sp->netloc, '[');
		close = span_chr(sp->netloc, ']');
		if ((open != NULL) != (close != NULL)) {
			err_set(e, ERR_INVALID, "Invalid IPv6 URL");
			return -1;
		}
		if (open != NULL && check_bracketed_netloc(sp, e) != 0)
			return -1;
	} else {
		sp->netloc = span_from(p, p);
	}
	if ((hash = span_chr(rest, '#')) != NULL)
		rest.len = (size_t)(hash - rest.p);
	if ((q = span_chr(rest, '?')) != NULL) {
		sp->path = span_from(rest.p, q);
		sp->query = span_from(q + 1, rest.p + rest.len);
	} else {
		sp->path = rest;
		sp->query = span_from(rest.p + rest.len, rest.p + rest.len);
	}
	if (check_netloc_nfkc(sp->netloc, e) != 0)
		return -1;
	return buf_check(&sp->scheme, e);
}

/* SplitResult._userinfo: username and password, None (p NULL) if absent. */
static void
split_userinfo(const struct split *sp, struct span *user, struct span *pass)
{
	const char *at = span_rchr(sp->netloc, '@'), *colon;
	struct span ui;

	user->p = pass->p = NULL;
	user->len = pass->len = 0;
	if (at == NULL)
		return;
	ui = span_from(sp->netloc.p, at);
	if ((colon = span_chr(ui, ':')) != NULL) {
		*user = span_from(ui.p, colon);
		*pass = span_from(colon + 1, at);
	} else {
		*user = ui;
	}
}

/* SplitResult.port. 0 with *has_port, or -1 with e (Python's messages). */
static int
split_port(const struct split *sp, int *has_port, long *port, struct err *e)
{
	struct span host, text;
	struct buf msg;
	size_t i;
	long v = 0;

	split_hostport(sp, &host, &text);
	*has_port = 0;
	*port = 0;
	if (text.p == NULL)
		return 0;
	for (i = 0; i < text.len; i++) {
		if (!is_digit(text.p[i])) {
			/*
			 * Airflow quotes the port text, which can be part of a
			 * password (user:pa#ss@host splits at the '#'): when the
			 * URI has an '@' anywhere, leave the text out.
			 */
			if (memchr(sp->clean.p, '@', sp->clean.len) != NULL) {
				err_set(e, ERR_INVALID, "Port could not be cast to "
				    "integer value (the text after the host's ':' is "
				    "not a number)");
				return -1;
			}
			buf_init(&msg, 0);
			utf8_py_repr(&msg, text.p, text.len);
			err_set(e, ERR_INVALID,
			    "Port could not be cast to integer value as %s",
			    buf_str(&msg));
			buf_release(&msg);
			return -1;
		}
		if (v <= 65535)
			v = v * 10 + (text.p[i] - '0');
	}
	if (v > 65535) {
		err_set(e, ERR_INVALID, "Port out of range 0-65535");
		return -1;
	}
	*has_port = 1;
	*port = v;
	return 0;
}

/* -- parse_qsl ----------------------------------------------------------- */

static void
qdict_init(struct qdict *d)
{
	memset(d, 0, sizeof *d);
	buf_init(&d->text, 1);
}

static void
qdict_release(struct qdict *d)
{
	buf_release(&d->text);
	if (d->v != NULL)
		sodium_memzero(d->v, d->cap * sizeof *d->v);
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}

static struct span
qdict_key(const struct qdict *d, size_t i)
{
	struct span s = { buf_str(&d->text) + d->v[i].koff, d->v[i].klen };

	return s;
}

static struct span
qdict_value(const struct qdict *d, size_t i)
{
	struct span s = { buf_str(&d->text) + d->v[i].voff, d->v[i].vlen };

	return s;
}

/*
 * dict(parse_qsl(query, keep_blank_values=True)): keys in first-insertion
 * order, the last value of a duplicated key wins. 0, or -1 with e.
 */
static int
qdict_parse(struct qdict *d, struct span query, struct err *e)
{
	struct buf scratch;
	const char *p = query.p, *end = query.p + query.len, *amp, *eq;
	struct qitem it;
	size_t i;
	int rc = -1;

	buf_init(&scratch, 1);
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp == p) {
			p++;
			continue;
		}
		eq = memchr(p, '=', (size_t)(amp - p));
		it.koff = d->text.len;
		unquote(&d->text, span_from(p, eq ? eq : amp), 1, &scratch);
		it.klen = d->text.len - it.koff;
		it.voff = d->text.len;
		if (eq != NULL)
			unquote(&d->text, span_from(eq + 1, amp), 1, &scratch);
		it.vlen = d->text.len - it.voff;
		if (buf_check(&d->text, e) != 0 || buf_check(&scratch, e) != 0)
			goto out;
		for (i = 0; i < d->n; i++)
			if (d->v[i].klen == it.klen &&
			    memcmp(buf_str(&d->text) + d->v[i].koff,
			    buf_str(&d->text) + it.koff, it.klen) == 0)
				break;
		if (i < d->n) {
			d->v[i].voff = it.voff;
			d->v[i].vlen = it.vlen;
		} else {
			if (d->n == d->cap) {
				size_t cap = d->cap ? d->cap * 2 : 8;
				struct qitem *v = realloc(d->v, cap * sizeof *v);

				if (v == NULL) {
					err_nomem(e);
					goto out;
				}
				d->v = v;
				d->cap = cap;
			}
			d->v[d->n++] = it;
		}
		p = amp;
	}
	rc = 0;
out:
	buf_release(&scratch);
	return rc;
}

/*
 * json.dumps(query) of the query dict, appended to out; with typed
 * (3.1.6+), each value that json.loads accepts is written as that value.
 */
static int
qdict_dump(const struct qdict *d, int typed, struct buf *out, struct err *e)
{
	struct span k, v;
	cJSON *j;
	size_t i;
	int rc = 0;

	buf_addc(out, '{');
	for (i = 0; i < d->n && rc == 0; i++) {
		k = qdict_key(d, i);
		v = qdict_value(d, i);
		if (i > 0)
			buf_adds(out, ", ");
		pyjson_dump_str(out, k.p, k.len, 1);
		buf_adds(out, ": ");
		/* json.loads keeps \u0000 and lone surrogates: so does this */
		j = typed ? pyjson_loads_kept(v.p, v.len) : NULL;
		if (j == NULL && typed && errno == ENOMEM)
			rc = err_nomem(e);	/* not "a string": no memory */
		else if (j != NULL)
			rc = pyjson_dumps(j, NULL, out, e);
		else
			pyjson_dump_str(out, v.p, v.len, 1);
		pyjson_free(j);
	}
	buf_addc(out, '}');
	if (rc != 0)
		return -1;
	return buf_check(out, e);
}

/* -- parsing ------------------------------------------------------------- */

/* Python's str.count("://"). */
static size_t
count_sep(const char *s)
{
	size_t n = 0;

	while ((s = strstr(s, "://")) != NULL) {
		n++;
		s += 3;
	}
	return n;
}

/* s.replace(old, new) (old non-empty), appended to out. */
static void
replace_all(struct buf *out, const char *s, const char *old, const char *new)
{
	size_t n = strlen(old);
	const char *hit;

	while ((hit = strstr(s, old)) != NULL) {
		buf_add(out, s, (size_t)(hit - s));
		buf_adds(out, new);
		s = hit + n;
	}
	buf_adds(out, s);
}

/*
 * Airflow's _parse_netloc_to_hostname() into out (empty on entry):
 * unquote of .hostname (lower-cased), or when that holds a '/', unquote
 * of the raw netloc's host part, case kept.
 */
static int
parse_hostname(const struct split *sp, struct buf *out, struct err *e)
{
	struct span host, port, raw;
	struct buf lowered, scratch;
	const char *pct, *colon;
	size_t i;
	int rc;

	buf_init(&lowered, 0);
	buf_init(&scratch, 1);
	split_hostport(sp, &host, &port);
	if (host.len > 0) {
		/* .hostname: str.lower() up to the zone's '%' (Unicode). */
		pct = span_chr(host, '%');
		i = pct == NULL ? host.len : (size_t)(pct - host.p);
		utf8_py_lower(&lowered, host.p, i);
		buf_add(&lowered, host.p + i, host.len - i);
		unquote(out, span_from(buf_str(&lowered),
		    buf_str(&lowered) + lowered.len), 0, &scratch);
	}
	if (out->len > 0 && memchr(buf_str(out), '/', out->len) != NULL) {
		buf_reset(out);
		raw = split_hostinfo(sp);
		if ((colon = span_chr(raw, ':')) != NULL)
			raw.len = (size_t)(colon - raw.p);
		unquote(out, raw, 0, &scratch);
	}
	rc = buf_check(&lowered, e);
	if (rc == 0)
		rc = buf_check(&scratch, e);
	buf_release(&lowered);
	buf_release(&scratch);
	return rc;
}

int
uri_conn_json(struct conn *c, const char *text, const struct airflow_version *v,
    int need_type, struct err *e)
{
	struct buf uri;
	int rc = -1;

	buf_init(&uri, 1);
	if (conn_from_json(c, text, &uri, e) != 0)
		goto out;
	if (uri.len > 0) {
		/* Connection.__init__: a URI or the values, never both. */
		if ((c->conn_type && *c->conn_type) || (c->host && *c->host) ||
		    (c->login && *c->login) || c->password_len > 0 ||
		    (c->schema && *c->schema) || c->has_port ||
		    (c->extra && *c->extra)) {
			err_set(e, ERR_USAGE, "conn-json is invalid; You must "
			    "create an object using the URI or individual values "
			    "(conn_type, host, login, password, schema, port or "
			    "extra).You can't mix these two ways to create this "
			    "object.");
			goto out;
		}
		if (uri_parse(buf_str(&uri), v, c, e) != 0)
			goto out;
	}
	if (need_type && (c->conn_type == NULL || *c->conn_type == '\0')) {
		err_set(e, ERR_USAGE, "conn-json is invalid; must supply conn-type");
		goto out;
	}
	rc = 0;
out:
	buf_release(&uri);
	return rc;
}

int
uri_valid_for_add(const char *uri, struct err *e)
{
	struct split sp;
	int rc;

	split_init(&sp);
	rc = url_split(uri, strlen(uri), &sp, e);
	if (rc == 0 && sp.scheme.len == 0) {
		err_set(e, ERR_USAGE, "The URI provided to --conn-uri is invalid "
		    "(urlsplit() finds no scheme)");
		rc = -1;
	}
	split_release(&sp);
	return rc;
}

int
uri_parse(const char *uri, const struct airflow_version *v, struct conn *c,
    struct err *e)
{
	struct split s1, s2;
	struct buf pat, rest, host, schema, login, password, extra, scratch;
	struct span user, pass, path;
	struct qdict q;
	const char *first, *sep;
	long port = 0;
	int hwp, has_port = 0, rc = -1;
	size_t i, n;

	split_init(&s1);
	split_init(&s2);
	buf_init(&pat, 1);
	buf_init(&rest, 1);
	buf_init(&host, 0);
	buf_init(&schema, 0);
	buf_init(&login, 0);
	buf_init(&password, 1);
	buf_init(&extra, 1);
	buf_init(&scratch, 1);
	qdict_init(&q);

	if (uri == NULL || (n = count_sep(uri)) > 2) {
		err_set(e, ERR_INVALID, MSG_INVALID);
		goto out;
	}
	hwp = n == 2;
	if (url_split(uri, strlen(uri), &s1, e) != 0)
		goto out;

	/* The type's "://" becomes "//" (or goes, before a host protocol). */
	buf_adds(&pat, buf_str(&s1.scheme));
	buf_adds(&pat, "://");
	/* A failed pat reads "", which strstr() finds everywhere. */
	if (buf_check(&pat, e) != 0)
		goto out;
	replace_all(&rest, uri, buf_str(&pat), hwp ? "" : "//");
	if (buf_check(&rest, e) != 0)
		goto out;
	if (hwp) {
		first = buf_str(&rest);
		sep = strstr(first, "://");
		for (i = 0; sep ? first + i < sep : first[i] != '\0'; i++) {
			if (first[i] == '@' || first[i] == ':') {
				err_set(e, ERR_INVALID, MSG_INVALID);
				goto out;
			}
		}
	}
	if (url_split(buf_str(&rest), rest.len, &s2, e) != 0)
		goto out;

	/* host: "protocol://host" when the URI had a host protocol. */
	if (parse_hostname(&s2, &scratch, e) != 0)
		goto out;
	if (scratch.len > 0 && hwp && s2.scheme.len > 0) {
		buf_add(&host, buf_str(&s2.scheme), s2.scheme.len);
		buf_adds(&host, "://");
	}
	buf_add(&host, buf_str(&scratch), scratch.len);
	buf_reset(&scratch);

	/* schema: unquote(path[1:]); Python drops a character, not a byte. */
	path = s2.path;
	if (path.len > 0) {
		int valid;
		size_t skip = utf8_span((const unsigned char *)path.p, path.len,
		    &valid);

		unquote(&schema, span_from(path.p + (valid ? skip : 1),
		    path.p + path.len), 0, &scratch);
	}
	buf_adds(&schema, "");

	split_userinfo(&s2, &user, &pass);
	if (user.p != NULL)
		unquote(&login, user, 0, &scratch);
	if (pass.p != NULL)
		unquote(&password, pass, 0, &scratch);

	if (split_port(&s2, &has_port, &port, e) != 0)
		goto out;

	if (s2.query.len > 0) {
		/*
		 * %00 in a name or value is kept: json.dumps(query) writes it
		 * \u0000 (only __extra__'s value is stored as it is, and
		 * refused below when it holds a NUL).
		 */
		if (qdict_parse(&q, s2.query, e) != 0)
			goto out;
		for (i = 0; i < q.n; i++) {
			struct span k = qdict_key(&q, i);

			if (k.len == 9 && memcmp(k.p, "__extra__", 9) == 0)
				break;
		}
		if (i < q.n) {
			struct span x = qdict_value(&q, i);

			buf_add(&extra, x.p, x.len);
			buf_adds(&extra, "");
		} else if (qdict_dump(&q, newest(v, 3, 1, 6), &extra, e) != 0) {
			goto out;
		}
	}
	if (buf_check(&host, e) != 0 || buf_check(&schema, e) != 0 ||
	    buf_check(&login, e) != 0 || buf_check(&password, e) != 0 ||
	    buf_check(&extra, e) != 0 || buf_check(&scratch, e) != 0)
		goto out;
	/* %00: a NUL that a C string would cut the value at (the password
	   keeps it: conn.h, password_len). */
	{
		const struct {
			const char		*what;
			const struct buf	*b;
		} f[] = { { "`host`", &host }, { "`schema`", &schema },
		    { "`login`", &login }, { "`extra`", &extra } };

		for (i = 0; i < ARRAY_LEN(f); i++)
			if (f[i].b->len > 0 &&
			    memchr(buf_str(f[i].b), '\0', f[i].b->len) != NULL) {
				(void)conn_refuse_nul(f[i].what, e);
				goto out;
			}
	}

	/* Everything is known: only running out of memory can stop us now. */
	conn_normalize_type(s1.scheme.p);
	if (conn_set_str(c, &c->conn_type, buf_str(&s1.scheme), e) != 0 ||
	    conn_set(c, &c->host, buf_str(&host), host.len, e) != 0 ||
	    conn_set(c, &c->schema, buf_str(&schema), schema.len, e) != 0 ||
	    conn_set(c, &c->login, user.p ? buf_str(&login) : NULL,
	    login.len, e) != 0 ||
	    conn_set(c, &c->password,
	    password.len > 0 ? buf_str(&password) : NULL, password.len, e) != 0 ||
	    conn_set(c, &c->extra, extra.p ? buf_str(&extra) : NULL,
	    extra.len, e) != 0)
		goto out;
	c->has_port = has_port;
	c->port = port;
	rc = 0;
out:
	qdict_release(&q);
	buf_release(&scratch);
	buf_release(&extra);
	buf_release(&password);
	buf_release(&login);
	buf_release(&schema);
	buf_release(&host);
	buf_release(&rest);
	buf_release(&pat);
	split_release(&s2);
	split_release(&s1);
	return rc;
}

/* -- formatting ---------------------------------------------------------- */

/*
 * The query of get_uri(): urlencode(extra_dejson) when that round-trips
 * through parse_qsl, which (for a dict read from JSON) means a non-empty
 * object whose values are all strings; else __extra__ with the raw text.
 * Extra that is not JSON, or not an object, takes the __extra__ path as in
 * 2.10 (3.x raises earlier, when the extra is read). A kept NUL
 * (pyjson_loads_kept()) is quoted %00. A lone surrogate in a key or a str
 * value makes urlencode() raise UnicodeEncodeError, which get_uri() does
 * not catch (apache/airflow airflow/models/connection.py, commit c873bd5
 * lines 323-326; airflow-core/src/airflow/models/connection.py, commit
 * e0b55c2 lines 343-346), so that Airflow cannot write such a URI at
 * all (nor list or export the connection); ferncon takes the __extra__
 * path there, whose text is ASCII and reads back as the same extra
 * (README, "Where ferncon differs from Airflow").
 */
/* 1 if the tree string s holds a kept lone surrogate (pyjson.h). */
static int
lone_surrogate(const char *s)
{
	return (pyjson_kept(s, strlen(s)) & PYJSON_SURROGATE) != 0;
}

/*
 * quote_plus(s) of a string of a pyjson_loads_kept() tree without a lone
 * surrogate: a kept NUL is %00. 0, or -1 with e set.
 */
static int
quote_kept(struct buf *out, const char *s, struct err *e)
{
	struct buf raw;
	int rc = 0;

	if (pyjson_kept(s, strlen(s)) == 0) {
		uri_quote_plus(out, s, strlen(s));
		return 0;
	}
	buf_init(&raw, 1);
	if (pyjson_kept_utf8(s, 0, &raw) != 0) {
		err_set(e, ERR_INVALID, "a lone surrogate in a URI query");
		rc = -1;
	} else if ((rc = buf_check(&raw, e)) == 0)
		uri_quote_plus(out, raw.len > 0 ? buf_str(&raw) : "", raw.len);
	buf_release(&raw);
	return rc;
}

static int
format_extra(const char *extra, struct buf *out, struct err *e)
{
	cJSON *j = pyjson_loads_kept(extra, strlen(extra)), *m;
	int flat = 0, rc = 0;

	if (j == NULL && errno == ENOMEM)
		return err_nomem(e);	/* not "not JSON": no memory */
	if (j != NULL && cJSON_IsObject(j) && j->child != NULL) {
		flat = 1;
		for (m = j->child; m != NULL; m = m->next) {
			if ((m->type & 0xFF) != cJSON_String)
				flat = 0;
			/* urlencode() would raise: see above */
			if (lone_surrogate(m->string) || (cJSON_IsString(m) &&
			    lone_surrogate(m->valuestring)))
				flat = 0;
		}
	}
	if (flat) {
		for (m = j->child; m != NULL && rc == 0; m = m->next) {
			if (m != j->child)
				buf_addc(out, '&');
			if ((rc = quote_kept(out, m->string, e)) == 0) {
				buf_addc(out, '=');
				rc = quote_kept(out, m->valuestring, e);
			}
		}
	} else {
		buf_adds(out, "__extra__=");
		uri_quote_plus(out, extra, strlen(extra));
	}
	pyjson_free(j);
	if (rc != 0)
		return -1;
	return buf_check(out, e);
}

int
uri_format(const struct conn *c, const struct airflow_version *v,
    struct buf *out, struct err *e)
{
	const char *host = c->host, *proto = NULL, *sep, *p;
	size_t proto_len = 0, auth_len = 0, host_len = 0, mark;

	if (c->conn_type != NULL && c->conn_type[0] != '\0') {
		for (p = c->conn_type; *p; p++)
			buf_addc(out, *p == '_' ? '-' : ascii_lower(*p));
		buf_adds(out, "://");
	} else {
		buf_adds(out, "//");
	}

	if (host != NULL && (sep = strstr(host, "://")) != NULL) {
		/* 3.1.0+: a protocol equal to the type stays in the host. */
		if (!(newest(v, 3, 1, 0) && c->conn_type != NULL &&
		    strlen(c->conn_type) == (size_t)(sep - host) &&
		    strncmp(c->conn_type, host, (size_t)(sep - host)) == 0)) {
			proto = host;
			proto_len = (size_t)(sep - host);
			host = sep + 3;
		}
	}
	if (proto_len > 0) {
		buf_add(out, proto, proto_len);
		buf_adds(out, "://");
	}

	mark = out->len;
	if (c->login != NULL)
		uri_quote(out, c->login, strlen(c->login));
	if (c->password != NULL) {
		buf_addc(out, ':');
		uri_quote(out, c->password, c->password_len);
	}
	auth_len = out->len - mark;
	if (auth_len > 0)
		buf_addc(out, '@');

	if (host != NULL && host[0] != '\0') {
		mark = out->len;
		uri_quote(out, host, strlen(host));
		host_len = out->len - mark;
	}
	if (c->has_port && c->port != 0)
		buf_addf(out, "%s%ld", host_len == 0 && auth_len == 0 ? "@:" :
		    ":", c->port);
	if (c->schema != NULL && c->schema[0] != '\0') {
		buf_addc(out, '/');
		uri_quote(out, c->schema, strlen(c->schema));
	}
	if (c->extra != NULL && c->extra[0] != '\0') {
		buf_adds(out, c->schema != NULL && c->schema[0] != '\0' ?
		    "?" : "/?");
		if (format_extra(c->extra, out, e) != 0)
			return -1;
	}
	return buf_check(out, e);
}

void
uri_format_masked(const struct conn *c, struct buf *out)
{
	const char *schema = c->schema ? c->schema : "";

	if (c->conn_type != NULL && c->conn_type[0] != '\0') {
		buf_adds(out, c->conn_type);
		buf_addc(out, ':');
	}
	buf_adds(out, "//");
	buf_adds(out, c->login ? c->login : "");
	buf_addc(out, ':');
	if (c->password_len > 0)
		buf_adds(out, "******");
	buf_addc(out, '@');
	buf_adds(out, c->host ? c->host : "");
	buf_addc(out, ':');
	if (c->has_port && c->port != 0)
		buf_addf(out, "%ld", c->port);
	if (schema[0] != '\0' && schema[0] != '/')
		buf_addc(out, '/');
	buf_adds(out, schema);
}
