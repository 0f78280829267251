/*
 * pyjson.c: Python's json.dumps() and json.loads() over cJSON trees (see
 * pyjson.h).
 *
 * Writing: the tree is walked and printed with Python's separators,
 * indentation, string escapes and float repr. The float repr is the
 * shortest digit string that reads back as the same double (what CPython's
 * dtoa mode 0 produces), laid out as float_repr_style 'short' does.
 *
 * Reading: cJSON parses the structure. Two things cJSON cannot do are done
 * by a small pre-pass over the text that only looks at number tokens (and
 * at what lies outside strings): it keeps each number literal's text, so
 * integers stay exact and 1 stays distinct from 1.0, and it turns Python's
 * NaN, Infinity and -Infinity (and numbers longer than cJSON's 63
 * character limit) into a placeholder "0" that cJSON accepts. After cJSON
 * has parsed the rewritten copy, the number nodes are visited in document
 * order and given back their real values. The pre-pass also rejects what
 * Python rejects and cJSON lets through: whitespace other than space, tab,
 * CR and LF, a leading UTF-8 BOM, control characters inside strings, and
 * number literals outside the JSON grammar ("01", "1.", ".5", "+1").
 *
 * Strings cJSON cannot hold (pyjson_loads_kept()): the pre-pass also reads
 * each \u escape of a string. An escape of U+0000 or of a lone surrogate
 * (Python's decoder joins only a high surrogate followed by a low one) is
 * overwritten with \u0001, which cJSON decodes to the byte 0x01, and its
 * code point is recorded, as is that of every real \u0001 (a raw 0x01 is
 * refused inside a string, so each 0x01 byte of the tree comes from one
 * recorded escape). After the parse, the strings are visited in document
 * order (a member's key before its value) and the k-th 0x01 byte becomes
 * the k-th recorded code point in the kept form of pyjson.h.
 *
 * Every number conversion runs in the "C" locale (uselocale), so a
 * program that called setlocale() still reads and writes "1.5".
 */
#include "config.h"

#include "pyjson.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "strmap.h"
#include "utf8.h"

/* What a number token of the source text holds. */
enum numtok_kind {
	NUMTOK_INT,
	NUMTOK_FLOAT,
	NUMTOK_NAN,
	NUMTOK_INF,
	NUMTOK_NEGINF,
};

struct numtok {
	size_t			off;
	size_t			len;
	enum numtok_kind	kind;
};

struct numtoks {
	struct numtok	*v;
	size_t		 n;
	size_t		 cap;
	size_t		 next;	/* the next token to hand out */
};

/* The code points of the \u0001 escapes of the text, in document order. */
struct kepts {
	uint16_t	*v;
	size_t		 n;
	size_t		 cap;
	size_t		 next;
	int		 any;	/* a NUL or a lone surrogate among them */
};

static void dump_value(struct buf *out, const cJSON *v,
    const struct pyjson_opts *o, int level, struct err *e, int *rc);

/* -- the "C" locale for number conversions ------------------------------- */

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale = (locale_t)0;

static void
c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* Switch this thread to the "C" locale; returns what to restore. */
static locale_t
c_locale_enter(void)
{
	pthread_once(&c_locale_once, c_locale_init);
	if (c_locale == (locale_t)0)
		return (locale_t)0;
	return uselocale(c_locale);
}

static void
c_locale_leave(locale_t old)
{
	if (old != (locale_t)0)
		uselocale(old);
}

/* -- writing: floats ----------------------------------------------------- */

/*
 * Add one unit in the last place to the mantissa digits of "%e" text
 * ("-d.ddde+XX"), carrying, so "9.99e+05" becomes "1.00e+06". Used for
 * the one case where the correctly rounded p-digit string is not the
 * shortest round trip: at a power of two the gap below is half the gap
 * above, and the candidate just above may read back when the nearest one
 * (below) does not.
 */
static void
digits_bump(char *s, size_t size)
{
	char *e = strchr(s, 'e');
	size_t i, first = (s[0] == '-');
	int exp;

	if (e == NULL)
		return;
	for (i = (size_t)(e - s); i-- > first;) {
		if (s[i] == '.')
			continue;
		if (s[i] != '9') {
			s[i]++;
			return;
		}
		s[i] = '0';
	}
	/* Carried out of the first digit: 10.00 -> 1.000, exponent + 1. */
	s[first] = '1';
	exp = atoi(e + 1) + 1;
	if (exp > 999 || exp < -999)
		return;		/* cannot happen for a double */
	snprintf(e, size - (size_t)(e - s), "e%+.02d", exp);
}

/*
 * repr(d) for a finite double: the shortest "%.*e" digits that strtod
 * reads back as d, then Python's layout (exponent form when the decimal
 * exponent is < -4 or >= 16, else fixed with at least one decimal).
 */
static void
float_repr(struct buf *out, double d)
{
	char tmp[48], up[48], digits[24];
	const char *p;
	int prec, exp, ndig = 0, decpt, i;

	tmp[0] = '\0';
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
		memcpy(up, tmp, sizeof up);
		digits_bump(up, sizeof up);
		if (strtod(up, NULL) == d) {
			memcpy(tmp, up, sizeof tmp);
			break;
		}
	}
	p = tmp;
	if (*p == '-') {
		buf_addc(out, '-');
		p++;
	}
	for (; *p != 'e' && *p != '\0'; p++)
		if (*p >= '0' && *p <= '9' && ndig < (int)sizeof digits - 1)
			digits[ndig++] = *p;
	digits[ndig] = '\0';
	/* The shortest digits only end in 0 for zero itself. */
	while (ndig > 1 && digits[ndig - 1] == '0')
		digits[--ndig] = '\0';
	exp = *p == 'e' ? atoi(p + 1) : 0;
	decpt = exp + 1;

	if (exp < -4 || exp >= 16) {
		buf_addc(out, digits[0]);
		if (ndig > 1) {
			buf_addc(out, '.');
			buf_adds(out, digits + 1);
		}
		buf_addf(out, "e%+.02d", exp);
	} else if (decpt <= 0) {
		buf_adds(out, "0.");
		for (i = 0; i < -decpt; i++)
			buf_addc(out, '0');
		buf_adds(out, digits);
	} else if (decpt >= ndig) {
		buf_adds(out, digits);
		for (i = ndig; i < decpt; i++)
			buf_addc(out, '0');
		buf_adds(out, ".0");
	} else {
		buf_add(out, digits, (size_t)decpt);
		buf_addc(out, '.');
		buf_adds(out, digits + decpt);
	}
}

/* Python's float.__repr__ as json writes it: NaN and Infinity spelled out. */
static void
dump_float(struct buf *out, double d)
{
	if (isnan(d))
		buf_adds(out, "NaN");
	else if (isinf(d))
		buf_adds(out, d > 0 ? "Infinity" : "-Infinity");
	else
		float_repr(out, d);
}

/* -- writing: strings ---------------------------------------------------- */

/* One character, U+FFFD for an ill-formed sequence (Python's "replace"). */
static uint32_t
utf8_next(const unsigned char *s, size_t len, size_t *adv)
{
	uint32_t cp;

	*adv = utf8_decode(s, len, &cp);
	return cp == UTF8_BAD ? 0xFFFD : cp;
}

static void
add_u_escape(struct buf *out, uint32_t u)
{
	buf_addf(out, "\\u%04x", (unsigned)u);
}

/*
 * One character of a tree's string: the kept forms of pyjson.h (C0 80 is
 * U+0000, ED A0..BF 80..BF a lone surrogate), else as utf8_next().
 */
static uint32_t
kept_next(const unsigned char *s, size_t len, size_t *adv)
{
	if (len >= 2 && s[0] == 0xC0 && s[1] == 0x80) {
		*adv = 2;
		return 0;
	}
	if (len >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF &&
	    s[2] >= 0x80 && s[2] <= 0xBF) {
		*adv = 3;
		return 0xD000 | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
	}
	return utf8_next(s, len, adv);
}

/*
 * json.dumps(str); kept: s is a tree's string, which may hold the kept
 * forms. A lone surrogate is written \udXXX even without ensure_ascii:
 * Python would put the character itself in a str that UTF-8 cannot
 * encode, and the escape reads back as the same str.
 */
static void
dump_str(struct buf *out, const char *s, size_t len, int ensure_ascii,
    int kept)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, adv, run;
	uint32_t cp;

	buf_addc(out, '"');
	while (i < len) {
		/* Copy runs that need no escaping in one go. */
		for (run = i; run < len && p[run] >= 0x20 && p[run] < 0x7F &&
		    p[run] != '"' && p[run] != '\\'; run++)
			;
		if (run > i) {
			buf_add(out, p + i, run - i);
			i = run;
			continue;
		}
		cp = kept ? kept_next(p + i, len - i, &adv) :
		    utf8_next(p + i, len - i, &adv);
		switch (cp) {
		case '"':	buf_adds(out, "\\\""); break;
		case '\\':	buf_adds(out, "\\\\"); break;
		case '\n':	buf_adds(out, "\\n"); break;
		case '\r':	buf_adds(out, "\\r"); break;
		case '\t':	buf_adds(out, "\\t"); break;
		case '\b':	buf_adds(out, "\\b"); break;
		case '\f':	buf_adds(out, "\\f"); break;
		default:
			if (cp < 0x20 || (cp >= 0xD800 && cp <= 0xDFFF)) {
				add_u_escape(out, cp);
			} else if (!ensure_ascii) {
				if (cp == 0xFFFD && !(adv == 3 && p[i] == 0xEF))
					buf_adds(out, "\xEF\xBF\xBD");
				else
					buf_add(out, p + i, adv);
			} else if (cp < 0x10000) {
				add_u_escape(out, cp);
			} else {
				cp -= 0x10000;
				add_u_escape(out, 0xD800 | (cp >> 10));
				add_u_escape(out, 0xDC00 | (cp & 0x3FF));
			}
			break;
		}
		i += adv;
	}
	buf_addc(out, '"');
}

void
pyjson_dump_str(struct buf *out, const char *s, size_t len, int ensure_ascii)
{
	dump_str(out, s, len, ensure_ascii, 0);
}

int
pyjson_kept(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i;
	int why = 0;

	for (i = 0; i + 1 < len; i++) {
		if (p[i] == 0xC0 && p[i + 1] == 0x80)
			why |= PYJSON_NUL;
		else if (p[i] == 0xED && p[i + 1] >= 0xA0 && p[i + 1] <= 0xBF)
			why |= PYJSON_SURROGATE;
	}
	return why;
}

int
pyjson_kept_tree(const cJSON *v)
{
	const cJSON *c;
	int why = 0;

	if (v->string != NULL)
		why |= pyjson_kept(v->string, strlen(v->string));
	if ((v->type & 0xFF) == cJSON_String && v->valuestring != NULL)
		why |= pyjson_kept(v->valuestring, strlen(v->valuestring));
	for (c = v->child; c != NULL; c = c->next)
		why |= pyjson_kept_tree(c);
	return why;
}

void
pyjson_kept_add(struct buf *out, const char *s, size_t len)
{
	const char *nul;

	while ((nul = memchr(s, '\0', len)) != NULL) {
		buf_add(out, s, (size_t)(nul - s));
		buf_add(out, "\xC0\x80", 2);
		len -= (size_t)(nul - s) + 1;
		s = nul + 1;
	}
	buf_add(out, s, len);
}

int
pyjson_kept_utf8(const char *s, int replace, struct buf *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, len = strlen(s), adv;
	uint32_t cp;

	while (i < len) {
		cp = kept_next(p + i, len - i, &adv);
		if (cp >= 0xD800 && cp <= 0xDFFF && !replace)
			return -1;
		if (cp >= 0xD800 && cp <= 0xDFFF)
			buf_add(out, "\xEF\xBF\xBD", 3);
		else if (cp == 0 && adv == 2)
			buf_addc(out, '\0');
		else
			buf_add(out, p + i, adv);
		i += adv;
	}
	return 0;
}

/* -- writing: containers ------------------------------------------------- */

static void
newline_indent(struct buf *out, const struct pyjson_opts *o, int level)
{
	int i;

	buf_addc(out, '\n');
	for (i = 0; i < o->indent * level; i++)
		buf_addc(out, ' ');
}

/* Separator before an item that is not the first. */
static void
item_sep(struct buf *out, const struct pyjson_opts *o, int level)
{
	if (o->indent < 0) {
		buf_adds(out, ", ");
	} else {
		buf_addc(out, ',');
		newline_indent(out, o, level);
	}
}

int
pyjson_kept_cmp(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;
	size_t i = 0, j = 0, la, lb, na, nb;
	uint32_t x, y;

	if (strstr(a, "\xC0\x80") == NULL && strstr(b, "\xC0\x80") == NULL)
		return strcmp(a, b);
	la = strlen(a);
	lb = strlen(b);
	while (i < la && j < lb) {
		x = kept_next(p + i, la - i, &na);
		y = kept_next(q + j, lb - j, &nb);
		if (x != y)
			return x < y ? -1 : 1;
		i += na;
		j += nb;
	}
	return (i < la) - (j < lb);
}

/* Sort object members by key (code point order), stably. */
static int
member_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a;
	const cJSON *y = *(const cJSON *const *)b;
	int c = pyjson_kept_cmp(x->string ? x->string : "",
	    y->string ? y->string : "");

	if (c != 0)
		return c;
	return (x < y) ? -1 : (x > y);
}

static void
dump_member(struct buf *out, const cJSON *m, const struct pyjson_opts *o,
    int level, struct err *e, int *rc)
{
	const char *k = m->string ? m->string : "";

	dump_str(out, k, strlen(k), o->ensure_ascii, 1);
	buf_adds(out, ": ");
	dump_value(out, m, o, level, e, rc);
}

static void
dump_object(struct buf *out, const cJSON *v, const struct pyjson_opts *o,
    int level, struct err *e, int *rc)
{
	const cJSON *m;
	const cJSON **sorted = NULL;
	size_t n = 0, i;

	if (v->child == NULL) {
		buf_adds(out, "{}");
		return;
	}
	buf_addc(out, '{');
	if (o->indent >= 0)
		newline_indent(out, o, level + 1);
	if (o->sort_keys) {
		for (m = v->child; m != NULL; m = m->next)
			n++;
		sorted = malloc(n * sizeof *sorted);
		if (sorted == NULL) {
			err_nomem(e);
			*rc = -1;
			return;
		}
		for (i = 0, m = v->child; m != NULL; m = m->next)
			sorted[i++] = m;
		/*
		 * Pointers within one chain are not ordered by position, so
		 * the tie-break only keeps duplicate keys in a fixed order.
		 */
		qsort(sorted, n, sizeof *sorted, member_cmp);
		for (i = 0; i < n && *rc == 0; i++) {
			if (i > 0)
				item_sep(out, o, level + 1);
			dump_member(out, sorted[i], o, level + 1, e, rc);
		}
		free(sorted);
	} else {
		for (m = v->child; m != NULL && *rc == 0; m = m->next) {
			if (m != v->child)
				item_sep(out, o, level + 1);
			dump_member(out, m, o, level + 1, e, rc);
		}
	}
	if (o->indent >= 0)
		newline_indent(out, o, level);
	buf_addc(out, '}');
}

static void
dump_array(struct buf *out, const cJSON *v, const struct pyjson_opts *o,
    int level, struct err *e, int *rc)
{
	const cJSON *m;

	if (v->child == NULL) {
		buf_adds(out, "[]");
		return;
	}
	buf_addc(out, '[');
	if (o->indent >= 0)
		newline_indent(out, o, level + 1);
	for (m = v->child; m != NULL && *rc == 0; m = m->next) {
		if (m != v->child)
			item_sep(out, o, level + 1);
		dump_value(out, m, o, level + 1, e, rc);
	}
	if (o->indent >= 0)
		newline_indent(out, o, level);
	buf_addc(out, ']');
}

static void
dump_value(struct buf *out, const cJSON *v, const struct pyjson_opts *o,
    int level, struct err *e, int *rc)
{
	switch (v->type & 0xFF) {
	case cJSON_False:
		buf_adds(out, "false");
		break;
	case cJSON_True:
		buf_adds(out, "true");
		break;
	case cJSON_NULL:
		buf_adds(out, "null");
		break;
	case cJSON_Number:
		dump_float(out, v->valuedouble);
		break;
	case cJSON_Raw:
		if (v->valuestring == NULL)
			goto bad;
		buf_adds(out, v->valuestring);
		break;
	case cJSON_String:
		if (v->valuestring == NULL)
			goto bad;
		dump_str(out, v->valuestring, strlen(v->valuestring),
		    o->ensure_ascii, 1);
		break;
	case cJSON_Array:
		dump_array(out, v, o, level, e, rc);
		break;
	case cJSON_Object:
		dump_object(out, v, o, level, e, rc);
		break;
	default:
		goto bad;
	}
	return;
bad:
	err_set(e, ERR_INVALID, "cannot write a JSON value of unknown type");
	*rc = -1;
}

int
pyjson_dumps(const cJSON *v, const struct pyjson_opts *o, struct buf *out,
    struct err *e)
{
	static const struct pyjson_opts defaults = { -1, 0, 1 };
	locale_t old;
	int rc = 0;

	if (o == NULL)
		o = &defaults;
	if (v == NULL) {
		err_set(e, ERR_INVALID, "no JSON value to write");
		return -1;
	}
	old = c_locale_enter();
	dump_value(out, v, o, 0, e, &rc);
	c_locale_leave(old);
	if (rc != 0)
		return -1;
	return buf_check(out, e);
}

cJSON *
pyjson_create_int(long long n)
{
	char tmp[32];

	snprintf(tmp, sizeof tmp, "%lld", n);
	return cJSON_CreateRaw(tmp);
}


/* -- reading ------------------------------------------------------------- */

/* Wipe the strings of one node and everything below it (not its siblings). */
static void
wipe_node(cJSON *v)
{
	cJSON *c;

	if (v->string != NULL && !(v->type & cJSON_StringIsConst))
		sodium_memzero(v->string, strlen(v->string));
	if (v->type & cJSON_IsReference)
		return;
	if (v->valuestring != NULL)
		sodium_memzero(v->valuestring, strlen(v->valuestring));
	for (c = v->child; c != NULL; c = c->next)
		wipe_node(c);
}

void
pyjson_free(cJSON *v)
{
	if (v == NULL)
		return;
	wipe_node(v);
	cJSON_Delete(v);
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * 1 if s[0..len) is exactly a JSON number,
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, with *is_int set when it
 * has neither fraction nor exponent (Python reads those as int).
 */
static int
number_valid(const char *s, size_t len, int *is_int)
{
	size_t i = 0;

	*is_int = 1;
	if (i < len && s[i] == '-')
		i++;
	if (i >= len)
		return 0;
	if (s[i] == '0') {
		i++;
	} else if (s[i] >= '1' && s[i] <= '9') {
		while (i < len && is_digit(s[i]))
			i++;
	} else {
		return 0;
	}
	if (i < len && s[i] == '.') {
		*is_int = 0;
		if (++i >= len || !is_digit(s[i]))
			return 0;
		while (i < len && is_digit(s[i]))
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		*is_int = 0;
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= len || !is_digit(s[i]))
			return 0;
		while (i < len && is_digit(s[i]))
			i++;
	}
	return i == len;
}

/* 1 if the word w is at t+i and ends there (no letter follows). */
static int
word_at(const char *t, size_t len, size_t i, const char *w)
{
	size_t n = strlen(w);

	return i + n <= len && memcmp(t + i, w, n) == 0 &&
	    (i + n == len || !is_alpha(t[i + n]));
}

static int
numtoks_push(struct numtoks *t, size_t off, size_t len, enum numtok_kind k)
{
	struct numtok *v;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;

		v = realloc(t->v, cap * sizeof *v);
		if (v == NULL)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n].off = off;
	t->v[t->n].len = len;
	t->v[t->n].kind = k;
	t->n++;
	return 0;
}

/* The value of 4 hex digits at s, or -1. */
static long
hex4(const char *s)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		int c = (unsigned char)s[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v * 16 + d;
	}
	return v;
}

static int
kepts_push(struct kepts *k, long u)
{
	uint16_t *v;

	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 16;

		if ((v = realloc(k->v, cap * sizeof *v)) == NULL)
			return -1;
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n++] = (uint16_t)u;
	if (u != 1)
		k->any = 1;
	return 0;
}

/*
 * The \u escape at t+j (len - j >= 6, its 4 digits read as u) of a
 * string: with k, an escape of U+0000 or of a lone surrogate becomes
 * \u0001 and its code point is recorded, as a real \u0001's is; without
 * k, U+0000 is refused (cJSON would cut the string there) and a lone
 * surrogate left for cJSON to refuse. How many more characters the
 * escape takes beyond "\u" (a pair: 10), or -1.
 */
static long
prescan_u(char *t, size_t len, size_t j, long u, struct kepts *k)
{
	long lo;

	if (u >= 0xd800 && u <= 0xdbff && len - j >= 12 &&
	    t[j + 6] == '\\' && t[j + 7] == 'u' &&
	    (lo = hex4(t + j + 8)) >= 0xdc00 && lo <= 0xdfff)
		return 10;	/* a pair: one character, which cJSON joins */
	if (u > 1 && (u < 0xd800 || u > 0xdfff))
		return 4;
	if (k == NULL)
		return u == 0 ? -1 : 4;
	if (kepts_push(k, u) != 0)
		return -1;
	memcpy(t + j + 2, "0001", 4);
	return 4;
}

/*
 * The pre-pass over t (a NUL-terminated copy of the text, len bytes):
 * record every number token (and NaN, Infinity, -Infinity) in document
 * order and overwrite it in t with "0" padded with spaces, and reject
 * what Python's json.loads rejects but cJSON would accept. This is a
 * lexer for numbers only (and, with kept, for \u escapes: prescan_u());
 * cJSON still parses the structure. 0, or -1 when
 * the text cannot be JSON (or out of memory).
 */
static int
prescan(char *t, size_t len, struct numtoks *toks, struct kepts *kept)
{
	size_t i = 0, j, last_end = (size_t)-1;
	enum numtok_kind kind;
	unsigned char c;
	long u, skip;
	int is_int;

	while (i < len) {
		c = (unsigned char)t[i];
		if (c == '"') {
			/* Skip a string; cJSON checks its escapes. */
			for (j = i + 1;; j++) {
				if (j >= len || (unsigned char)t[j] < 0x20)
					return -1;
				if (t[j] == '"')
					break;
				if (t[j] == '\\') {
					if (j + 1 >= len)
						return -1;
					if (t[j + 1] == 'u' && j + 6 <= len &&
					    (u = hex4(t + j + 2)) >= 0) {
						skip = prescan_u(t, len, j, u,
						    kept);
						if (skip < 0)
							return -1;
						j += (size_t)skip;
					}
					j++;
				}
			}
			i = j + 1;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			i++;
			continue;
		}
		if (c < 0x20)
			return -1;	/* cJSON skips these as blanks */
		if (c >= 0x80)
			return -1;	/* cJSON skips a UTF-8 BOM */
		if (c == '-' && word_at(t, len, i + 1, "Infinity")) {
			kind = NUMTOK_NEGINF;
			j = i + 9;
		} else if (c == '-' || is_digit((char)c)) {
			for (j = i; j < len && t[j] != '\0' &&
			    strchr("+-0123456789.eE", t[j]) != NULL; j++)
				;
			if (!number_valid(t + i, j - i, &is_int))
				return -1;
			kind = is_int ? NUMTOK_INT : NUMTOK_FLOAT;
		} else if (is_alpha((char)c)) {
			for (j = i; j < len && is_alpha(t[j]); j++)
				;
			if (j - i == 3 && memcmp(t + i, "NaN", 3) == 0) {
				kind = NUMTOK_NAN;
			} else if (j - i == 8 && memcmp(t + i, "Infinity", 8) == 0) {
				kind = NUMTOK_INF;
			} else {
				i = j;	/* true, false, null: cJSON's business */
				continue;
			}
		} else {
			i++;
			continue;
		}
		/* Two values glued together ("1NaN") would read as one "00". */
		if (i == last_end)
			return -1;
		if (numtoks_push(toks, i, j - i, kind) != 0)
			return -1;
		t[i] = '0';
		memset(t + i + 1, ' ', j - i - 1);
		last_end = j;
		i = j;
	}
	return 0;
}

/*
 * Python's int(token) repr: the literal itself, but "-0" is 0. The grammar
 * leaves no other form to normalise (no leading zeros, no '+').
 */
static int
node_set_int(cJSON *v, const char *tok, size_t len)
{
	char *s;

	if (len == 2 && tok[0] == '-' && tok[1] == '0') {
		tok++;
		len--;
	}
	s = cJSON_malloc(len + 1);
	if (s == NULL)
		return -1;
	memcpy(s, tok, len);
	s[len] = '\0';
	v->type = (v->type & ~0xFF) | cJSON_Raw;
	v->valuestring = s;
	v->valuedouble = 0;
	v->valueint = 0;
	return 0;
}

static int
node_set_float(cJSON *v, const char *tok, size_t len)
{
	char small[64], *s = small;
	double d;

	if (len >= sizeof small) {
		s = malloc(len + 1);
		if (s == NULL)
			return -1;
	}
	memcpy(s, tok, len);
	s[len] = '\0';
	d = strtod(s, NULL);
	if (s != small)
		free(s);
	v->valuedouble = d;
	v->valueint = 0;
	return 0;
}

/* Give the number nodes (in document order) their real values. */
static int
restore_numbers(cJSON *v, const char *text, struct numtoks *toks)
{
	const struct numtok *tk;
	cJSON *c;

	if ((v->type & 0xFF) == cJSON_Number) {
		if (toks->next >= toks->n)
			return -1;
		tk = &toks->v[toks->next++];
		switch (tk->kind) {
		case NUMTOK_INT:
			return node_set_int(v, text + tk->off, tk->len);
		case NUMTOK_FLOAT:
			return node_set_float(v, text + tk->off, tk->len);
		case NUMTOK_NAN:
			v->valuedouble = NAN;
			break;
		case NUMTOK_INF:
			v->valuedouble = HUGE_VAL;
			break;
		case NUMTOK_NEGINF:
			v->valuedouble = -HUGE_VAL;
			break;
		}
		v->valueint = 0;
		return 0;
	}
	for (c = v->child; c != NULL; c = c->next)
		if (restore_numbers(c, text, toks) != 0)
			return -1;
	return 0;
}

/*
 * A Python dict keeps one entry per key: the last value, at the first
 * key's position. cJSON keeps every duplicate; fold them the same way.
 */
/*
 * fold_duplicates() on an object of many members, through an index of the
 * names seen (a file's object may hold 100,000 of them). 0, or -1 when the
 * index cannot be built (nothing changed then).
 */
static int
fold_indexed(cJSON *v)
{
	struct strmap seen;
	cJSON *m, *next, **first = NULL;
	size_t n = 0, i;

	for (m = v->child; m != NULL && n < 16; m = m->next)
		n++;
	if (n < 16)
		return -1;	/* few members: comparing them is cheaper */
	for (n = 0, m = v->child; m != NULL; m = m->next)
		n++;
	if ((first = calloc(n, sizeof *first)) == NULL)
		return -1;
	strmap_init(&seen);
	/* first pass: index every name, so a failure changes nothing */
	for (n = 0, m = v->child; m != NULL; m = m->next) {
		if (m->string == NULL)
			continue;
		if (strmap_get(&seen, m->string, strlen(m->string)) !=
		    STRMAP_NONE)
			continue;
		if (strmap_put(&seen, m->string, strlen(m->string), n) != 0) {
			strmap_release(&seen);
			free(first);
			return -1;
		}
		first[n++] = m;
	}
	/* then the last value of each name takes its first member's place */
	for (m = v->child; m != NULL; m = next) {
		next = m->next;
		if (m->string == NULL ||
		    (i = strmap_get(&seen, m->string, strlen(m->string))) ==
		    STRMAP_NONE || first[i] == m)
			continue;
		/* the index borrows the old name, wiped below: move it first
		 * (replacing a key never fails) */
		if (strmap_put(&seen, m->string, strlen(m->string), i) != 0)
			break;
		cJSON_DetachItemViaPointer(v, m);
		wipe_node(first[i]);
		cJSON_ReplaceItemViaPointer(v, first[i], m);
		first[i] = m;
	}
	strmap_release(&seen);
	free(first);
	return 0;
}

static void
fold_duplicates(cJSON *v)
{
	cJSON *m, *n, *next;

	for (m = v->child; m != NULL; m = m->next)
		fold_duplicates(m);
	if ((v->type & 0xFF) != cJSON_Object)
		return;
	if (fold_indexed(v) == 0)
		return;
	/* out of memory for the index: the slow way, with no memory */
	for (m = v->child; m != NULL; m = m->next) {
		for (n = m->next; n != NULL; n = next) {
			next = n->next;
			if (m->string == NULL || n->string == NULL ||
			    strcmp(m->string, n->string) != 0)
				continue;
			cJSON_DetachItemViaPointer(v, n);
			wipe_node(m);
			cJSON_ReplaceItemViaPointer(v, m, n);
			m = n;
		}
	}
}

/*
 * The string *sp of a parsed tree with its 0x01 bytes made the next
 * recorded code points, in the kept form (a new string; the old one is
 * wiped). 0, or -1 (out of memory, or more 0x01 bytes than escapes).
 */
static int
kept_fix(char **sp, struct kepts *k)
{
	const char *s = *sp;
	size_t len, n = 0, grow = 0, i, o = 0;
	uint16_t u;
	char *d;

	for (len = 0; s[len] != '\0'; len++) {
		if (s[len] != 0x01)
			continue;
		if (k->next + n >= k->n)
			return -1;
		u = k->v[k->next + n++];
		grow += u == 1 ? 0 : u == 0 ? 1 : 2;
	}
	if (grow == 0) {
		k->next += n;
		return 0;
	}
	if ((d = cJSON_malloc(len + grow + 1)) == NULL)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] != 0x01) {
			d[o++] = s[i];
			continue;
		}
		u = k->v[k->next++];
		if (u == 1) {
			d[o++] = 0x01;
		} else if (u == 0) {
			d[o++] = (char)0xC0;
			d[o++] = (char)0x80;
		} else {
			d[o++] = (char)0xED;
			d[o++] = (char)(0x80 | ((u >> 6) & 0x3F));
			d[o++] = (char)(0x80 | (u & 0x3F));
		}
	}
	d[o] = '\0';
	sodium_memzero(*sp, len);
	cJSON_free(*sp);
	*sp = d;
	return 0;
}

/* kept_fix() on every key and string of v, in document order. */
static int
kept_restore(cJSON *v, struct kepts *k)
{
	cJSON *c;

	if (v->string != NULL && !(v->type & cJSON_StringIsConst) &&
	    kept_fix(&v->string, k) != 0)
		return -1;
	if ((v->type & 0xFF) == cJSON_String && v->valuestring != NULL &&
	    kept_fix(&v->valuestring, k) != 0)
		return -1;
	for (c = v->child; c != NULL; c = c->next)
		if (kept_restore(c, k) != 0)
			return -1;
	return 0;
}

static cJSON *
loads(const char *text, size_t len, int keep)
{
	struct numtoks toks = { NULL, 0, 0, 0 };
	struct kepts kept = { NULL, 0, 0, 0, 0 };
	char *copy = NULL;
	cJSON *v = NULL;
	const char *end = NULL;
	locale_t old = (locale_t)0;
	int why = EINVAL;

	/*
	 * NUL is never valid outside a string escape; ill-formed UTF-8 is not
	 * text to Python, which decodes before json.loads (and, read back as
	 * U+FFFD, it would make two keys one and sort apart from its dump).
	 */
	if (text == NULL || memchr(text, '\0', len) != NULL ||
	    utf8_bad_at((const unsigned char *)text, len) < len) {
		errno = EINVAL;
		return NULL;
	}
	/*
	 * cJSON returns NULL for bad text and for a refused block alike; an
	 * allocation that fails, here or in cJSON's hooks, leaves ENOMEM.
	 */
	errno = 0;
	copy = malloc(len + 1);
	if (copy == NULL)
		return NULL;
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (prescan(copy, len, &toks, keep ? &kept : NULL) != 0)
		goto fail;
	v = cJSON_ParseWithOpts(copy, &end, 1);
	if (v == NULL)
		goto fail;
	old = c_locale_enter();
	if (restore_numbers(v, text, &toks) != 0 || toks.next != toks.n) {
		c_locale_leave(old);
		goto fail;
	}
	c_locale_leave(old);
	if (kept.any && (kept_restore(v, &kept) != 0 || kept.next != kept.n))
		goto fail;
	fold_duplicates(v);
	goto out;
fail:
	if (errno == ENOMEM)
		why = ENOMEM;
	pyjson_free(v);
	v = NULL;
out:
	sodium_memzero(copy, len);
	free(copy);
	free(toks.v);
	free(kept.v);
	if (v == NULL)
		errno = why;
	return v;
}

cJSON *
pyjson_loads(const char *text, size_t len)
{
	return loads(text, len, 0);
}

cJSON *
pyjson_loads_kept(const char *text, size_t len)
{
	return loads(text, len, 1);
}

int
pyjson_why_refused(const char *text, size_t len)
{
	char *copy;
	cJSON *v;
	size_t i;
	long u, lo;
	int why = 0, rc;

	if (text == NULL || len == 0)
		return 0;
	/* The text may be a password: a locked copy. */
	if ((copy = sodium_malloc(len + 1)) == NULL)
		return -1;
	memcpy(copy, text, len);
	copy[len] = '\0';
	for (i = 0; i + 1 < len; i++) {
		if (copy[i] != '\\')
			continue;
		if (copy[i + 1] != 'u' || len - i < 6 ||
		    (u = hex4(copy + i + 2)) < 0) {
			i++;		/* another escape, or none */
			continue;
		}
		if (u >= 0xd800 && u <= 0xdbff && len - i >= 12 &&
		    copy[i + 6] == '\\' && copy[i + 7] == 'u' &&
		    (lo = hex4(copy + i + 8)) >= 0xdc00 && lo <= 0xdfff) {
			i += 11;	/* a pair: one character */
			continue;
		}
		if (u == 0)
			why |= PYJSON_NUL;
		else if (u >= 0xd800 && u <= 0xdfff)
			why |= PYJSON_SURROGATE;
		else {
			i += 5;
			continue;
		}
		/* In place of the escape, one cJSON reads ("A"). */
		memcpy(copy + i + 2, "0041", 4);
		i += 5;
	}
	rc = 0;
	if (why != 0) {
		v = pyjson_loads(copy, len);
		if (v != NULL)
			rc = why & PYJSON_NUL ? PYJSON_NUL : PYJSON_SURROGATE;
		else if (errno == ENOMEM)
			rc = -1;
		pyjson_free(v);
	}
	sodium_free(copy);
	return rc;
}

/* -- Python's repr() and print() ----------------------------------------- */

static int
repr_node(const cJSON *v, int top, struct buf *b, struct err *e)
{
	static const char *const special[][2] = {
		{ "NaN", "nan" }, { "Infinity", "inf" }, { "-Infinity", "-inf" },
	};
	const cJSON *c;
	struct buf n;
	size_t i;
	int rc;

	if (cJSON_IsString(v)) {
		if (top)
			buf_adds(b, v->valuestring);
		else
			utf8_py_repr(b, v->valuestring, strlen(v->valuestring));
	} else if (cJSON_IsBool(v)) {
		buf_adds(b, cJSON_IsTrue(v) ? "True" : "False");
	} else if (cJSON_IsNull(v)) {
		buf_adds(b, "None");
	} else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		buf_addc(b, cJSON_IsArray(v) ? '[' : '{');
		cJSON_ArrayForEach(c, v) {
			if (c != v->child)
				buf_adds(b, ", ");
			if (cJSON_IsObject(v)) {
				utf8_py_repr(b, c->string, strlen(c->string));
				buf_adds(b, ": ");
			}
			if (repr_node(c, 0, b, e) != 0)
				return -1;
		}
		buf_addc(b, cJSON_IsArray(v) ? ']' : '}');
	} else {
		buf_init(&n, 0);
		if ((rc = pyjson_dumps(v, NULL, &n, e)) == 0) {
			for (i = 0; i < sizeof special / sizeof special[0]; i++)
				if (strcmp(buf_str(&n), special[i][0]) == 0)
					break;
			buf_adds(b, i < sizeof special / sizeof special[0] ?
			    special[i][1] : buf_str(&n));
		}
		buf_release(&n);
		if (rc != 0)
			return -1;
	}
	return buf_check(b, e);
}

int
pyjson_print(const cJSON *v, struct buf *out, struct err *e)
{
	return repr_node(v, 1, out, e);
}
