/*
 * pyyaml.c: the PyYAML emulation of the yaml export and import (pyyaml.h):
 * PyYAML's YAML 1.1 implicit resolver, whose regular expressions are
 * matched with PCRE2; libyaml's emitter set up as CSafeDumper sets it up
 * (Airflow's airflow.utils.yaml.dump uses CSafeDumper whenever PyYAML has
 * libyaml, so the emitter's own choices -- quoting style, folding at width
 * 80, simple keys of up to 128 bytes -- are Airflow's too), with a string
 * that the resolver would read as something else never written plain;
 * any JSON value written as yaml.safe_dump writes it (`-o yaml`); and a
 * small composer that does what CSafeLoader does with libyaml's parser
 * events (tags, the implicit resolver, anchors and aliases, merge keys,
 * one document).
 *
 * libyaml's emitter and parser copy scalars into events they free
 * themselves without wiping; their I/O buffers are wiped here.
 */
#include "config.h"

#include "pyyaml.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pyjson.h"
#include "strmap.h"

/* -- PyYAML's implicit resolver ------------------------------------------ */

/*
 * PyYAML's yaml/resolver.py, resolver by resolver: the characters a value
 * must start with for the resolver to be tried, whether the empty string
 * tries it, and the expression (PyYAML writes some with re.X; these are
 * the same expressions with the layout blanks taken out, blanks inside
 * character classes kept). '$' matches before a final newline in both
 * Python's re and PCRE2.
 */
static const struct {
	const char	*first;
	int		 empty;
	const char	*re;
} yres_table[YRES_N] = {
	[YT_BOOL] = { "yYnNtTfFoO", 0,
	    "^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE"
	    "|on|On|ON|off|Off|OFF)$" },
	[YT_FLOAT] = { "-+0123456789.", 0,
	    "^(?:[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?"
	    "|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
	    "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
	    "|[-+]?\\.(?:inf|Inf|INF)"
	    "|\\.(?:nan|NaN|NAN))$" },
	[YT_INT] = { "-+0123456789", 0,
	    "^(?:[-+]?0b[0-1_]+"
	    "|[-+]?0[0-7_]+"
	    "|[-+]?(?:0|[1-9][0-9_]*)"
	    "|[-+]?0x[0-9a-fA-F_]+"
	    "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$" },
	[YT_MERGE] = { "<", 0, "^(?:<<)$" },
	[YT_NULL] = { "~nN", 1, "^(?:~|null|Null|NULL|)$" },
	[YT_TIMESTAMP] = { "0123456789", 0,
	    "^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
	    "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
	    "(?:[Tt]|[ \\t]+)[0-9][0-9]?"
	    ":[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
	    "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$" },
	[YT_VALUE] = { "=", 0, "^(?:=)$" },
	/* PyYAML registers it "for documentation"; it resolves "!", "&", "*". */
	[YT_YAML] = { "!&*", 0, "^(?:!|&|\\*)$" },
};

void
pyyaml_resolver_release(struct yres *r)
{
	size_t i;

	for (i = 0; i < YRES_N; i++) {
		pcre2_code_free(r->re[i]);
		r->re[i] = NULL;
	}
	pcre2_match_data_free(r->md);
	r->md = NULL;
}

int
pyyaml_resolver_init(struct yres *r, struct err *e)
{
	size_t i;
	int errcode;
	PCRE2_SIZE erroff;

	memset(r, 0, sizeof *r);
	for (i = 0; i < YRES_N; i++) {
		r->re[i] = pcre2_compile((PCRE2_SPTR)yres_table[i].re,
		    PCRE2_ZERO_TERMINATED, 0, &errcode, &erroff, NULL);
		if (r->re[i] == NULL)
			goto fail;
	}
	if ((r->md = pcre2_match_data_create(1, NULL)) == NULL)
		goto fail;
	return 0;
fail:
	pyyaml_resolver_release(r);
	err_set(e, ERR_NOMEM, "cannot set up the YAML resolver: out of memory");
	return -1;
}

/* The tag PyYAML's resolver gives a plain scalar s (len bytes). */
enum yres_tag
pyyaml_resolve(const struct yres *r, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < YRES_N; i++) {
		if (len == 0 ? !yres_table[i].empty :
		    strchr(yres_table[i].first, s[0]) == NULL || s[0] == '\0')
			continue;
		if (pcre2_match(r->re[i], (PCRE2_SPTR)s, len, 0, 0, r->md,
		    NULL) >= 0)
			return (enum yres_tag)i;
	}
	return YT_STR;
}

/* -- the emitter, as CSafeDumper sets it up ------------------------------ */

/* libyaml's output handler: straight to the caller's FILE. */
static int
yaml_write_handler(void *data, unsigned char *buffer, size_t size)
{
	struct transfer_writer *w = data;

	if (size > 0 && fwrite(buffer, 1, size, w->f) != size) {
		w->write_errno = errno ? errno : EIO;
		return 0;
	}
	return 1;
}

static void
emit_error(struct transfer_writer *w, struct err *e)
{
	if (w->write_errno != 0)
		err_set(e, ERR_IO, "cannot write the export: %s",
		    strerror(w->write_errno));
	else if (w->em.error == YAML_MEMORY_ERROR)
		err_set(e, ERR_NOMEM, "cannot write the export: out of memory");
	else
		err_set(e, ERR_INVALID, "cannot write the export as YAML: %s",
		    w->em.problem ? w->em.problem : "emitter error");
}

/* Hand an initialised event to the emitter (which owns it from then on). */
static int
emit(struct transfer_writer *w, yaml_event_t *ev, struct err *e)
{
	if (yaml_emitter_emit(&w->em, ev))
		return 0;
	emit_error(w, e);
	return -1;
}

/*
 * One scalar, with the implicit flags PyYAML's CEmitter computes: plain
 * implicit when the resolver gives the node's own tag for the plain form,
 * quoted implicit when the node is a str (a quoted scalar always resolves
 * to str). what and c name the value in a message.
 */
int
pyyaml_emit_scalar(struct transfer_writer *w, const char *tag, const char *s,
    size_t len, int plain_implicit, int quoted_implicit, const char *what,
    const struct conn *c, struct err *e)
{
	yaml_event_t ev;

	if (len > INT_MAX || !yaml_scalar_event_initialize(&ev, NULL,
	    (const yaml_char_t *)tag, (const yaml_char_t *)s, (int)len,
	    plain_implicit, quoted_implicit, YAML_ANY_SCALAR_STYLE)) {
		/* libyaml refuses ill-formed UTF-8 (or ran out of memory) */
		err_set(e, ERR_INVALID, "cannot write %s of connection '%s' as "
		    "YAML: it is not valid UTF-8", what, c->conn_id);
		return -1;
	}
	return emit(w, &ev, e);
}

/* A str (or None) value or key. */
int
pyyaml_emit_str(struct transfer_writer *w, const char *s, const char *what,
    const struct conn *c, struct err *e)
{
	return pyyaml_emit_bytes(w, s, s != NULL ? strlen(s) : 0, what, c, e);
}

int
pyyaml_emit_bytes(struct transfer_writer *w, const char *s, size_t len,
    const char *what, const struct conn *c, struct err *e)
{
	if (s == NULL)
		return pyyaml_emit_scalar(w, TAG_NULL, "null", 4, 1, 0, what, c, e);
	return pyyaml_emit_scalar(w, TAG_STR, s, len,
	    pyyaml_resolve(&w->res, s, len) == YT_STR, 1, what, c, e);
}

int
pyyaml_emit_simple(struct transfer_writer *w, int ok, yaml_event_t *ev,
    struct err *e)
{
	if (!ok) {
		err_nomem(e);
		return -1;
	}
	return emit(w, ev, e);
}

/* Set up the emitter as CSafeDumper does and open the top-level mapping. */
int
pyyaml_emit_start(struct transfer_writer *w, struct err *e)
{
	yaml_event_t ev;

	if (pyyaml_resolver_init(&w->res, e) != 0)
		return -1;
	w->res_ready = 1;
	if (!yaml_emitter_initialize(&w->em)) {
		err_nomem(e);
		return -1;
	}
	w->em_ready = 1;
	yaml_emitter_set_output(&w->em, yaml_write_handler, w);
	yaml_emitter_set_encoding(&w->em, YAML_UTF8_ENCODING);
	yaml_emitter_set_canonical(&w->em, 0);
	yaml_emitter_set_indent(&w->em, 2);
	yaml_emitter_set_width(&w->em, 80);
	yaml_emitter_set_unicode(&w->em, 0);
	yaml_emitter_set_break(&w->em, YAML_LN_BREAK);
	if (pyyaml_emit_simple(w, yaml_stream_start_event_initialize(&ev,
	    YAML_UTF8_ENCODING), &ev, e) != 0 ||
	    pyyaml_emit_simple(w, yaml_document_start_event_initialize(&ev, NULL,
	    NULL, NULL, 1), &ev, e) != 0)
		return -1;
	if (w->top == TOP_MAP)
		return pyyaml_emit_simple(w, yaml_mapping_start_event_initialize(&ev, NULL,
		    (const yaml_char_t *)TAG_MAP, 1, YAML_BLOCK_MAPPING_STYLE), &ev,
		    e);
	if (w->top == TOP_SEQ)
		return pyyaml_emit_simple(w, yaml_sequence_start_event_initialize(&ev,
		    NULL, (const yaml_char_t *)TAG_SEQ, 1,
		    YAML_BLOCK_SEQUENCE_STYLE), &ev, e);
	return 0;
}

int
pyyaml_emit_finish(struct transfer_writer *w, struct err *e)
{
	yaml_event_t ev;

	if ((w->top == TOP_MAP && pyyaml_emit_simple(w,
	    yaml_mapping_end_event_initialize(&ev), &ev, e) != 0) ||
	    (w->top == TOP_SEQ && pyyaml_emit_simple(w,
	    yaml_sequence_end_event_initialize(&ev), &ev, e) != 0) ||
	    pyyaml_emit_simple(w, yaml_document_end_event_initialize(&ev, 1), &ev,
	    e) != 0 ||
	    pyyaml_emit_simple(w, yaml_stream_end_event_initialize(&ev), &ev, e) != 0)
		return -1;
	if (!yaml_emitter_flush(&w->em)) {
		emit_error(w, e);
		return -1;
	}
	return 0;
}

/* -- yaml of any JSON value (for `-o yaml`) ------------------------------ */

/* The record named in emitter messages. */
static const struct conn yaml_output_conn = { .conn_id = (char *)"(output)" };

static int
cmp_child(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;

	return pyjson_kept_cmp(x->string, y->string);
}

/*
 * A str of a pyjson tree (a value or a key): a kept NUL is written as the
 * character itself, which the emitter writes "\0" as PyYAML does. A lone
 * surrogate cannot reach libyaml, which takes UTF-8 only (CSafeDumper
 * raises UnicodeEncodeError there): it is written as U+FFFD (README,
 * "Where ferncon differs from Airflow"; -o json keeps it exact).
 */
static int
yaml_tree_str(struct transfer_writer *w, const char *s, const char *what,
    const struct conn *c, struct err *e)
{
	struct buf raw;
	int rc = -1;

	if (s == NULL || pyjson_kept(s, strlen(s)) == 0)
		return pyyaml_emit_str(w, s, what, c, e);
	buf_init(&raw, 1);
	if (pyjson_kept_utf8(s, 1, &raw) == 0 && buf_check(&raw, e) == 0)
		rc = pyyaml_emit_bytes(w, raw.len > 0 ? buf_str(&raw) : "",
		    raw.len, what, c, e);
	buf_release(&raw);
	return rc;
}

/* One node as yaml.safe_dump writes it: mappings with sorted keys. */
static int
yaml_node(struct transfer_writer *w, const cJSON *v, struct err *e)
{
	const struct conn *c = &yaml_output_conn;
	yaml_event_t ev;
	const cJSON *kid;
	const cJSON **kids = NULL;
	struct buf num;
	size_t n = 0, i;
	int rc = -1;

	if (cJSON_IsNull(v))
		return pyyaml_emit_str(w, NULL, "a value", c, e);
	if (cJSON_IsBool(v))
		return pyyaml_emit_scalar(w, TAG_BOOL, cJSON_IsTrue(v) ? "true" : "false",
		    cJSON_IsTrue(v) ? 4 : 5, 1, 0, "a value", c, e);
	if (cJSON_IsString(v))
		return yaml_tree_str(w, v->valuestring, "a value", c, e);
	if (cJSON_IsRaw(v) || cJSON_IsNumber(v)) {
		buf_init(&num, 0);
		if (pyjson_dumps(v, NULL, &num, e) == 0)
			rc = pyyaml_emit_scalar(w, cJSON_IsRaw(v) ? TAG_INT : TAG_FLOAT,
			    buf_str(&num), num.len, 1, 0, "a value", c, e);
		buf_release(&num);
		return rc;
	}
	if (cJSON_IsArray(v)) {
		if (pyyaml_emit_simple(w, yaml_sequence_start_event_initialize(&ev, NULL,
		    (const yaml_char_t *)TAG_SEQ, 1, YAML_BLOCK_SEQUENCE_STYLE),
		    &ev, e) != 0)
			return -1;
		cJSON_ArrayForEach(kid, v)
			if (yaml_node(w, kid, e) != 0)
				return -1;
		return pyyaml_emit_simple(w, yaml_sequence_end_event_initialize(&ev),
		    &ev, e);
	}
	cJSON_ArrayForEach(kid, v)
		n++;
	if (n > 0 && (kids = calloc(n, sizeof *kids)) == NULL) {
		err_nomem(e);
		return -1;
	}
	i = 0;
	cJSON_ArrayForEach(kid, v)
		kids[i++] = kid;
	if (n > 1)
		qsort(kids, n, sizeof *kids, cmp_child);
	if (pyyaml_emit_simple(w, yaml_mapping_start_event_initialize(&ev, NULL,
	    (const yaml_char_t *)TAG_MAP, 1, YAML_BLOCK_MAPPING_STYLE), &ev,
	    e) != 0)
		goto out;
	for (i = 0; i < n; i++)
		if (yaml_tree_str(w, kids[i]->string, "a key", c, e) != 0 ||
		    yaml_node(w, kids[i], e) != 0)
			goto out;
	rc = pyyaml_emit_simple(w, yaml_mapping_end_event_initialize(&ev), &ev, e);
out:
	free(kids);
	return rc;
}

int
transfer_yaml_new(struct transfer_writer **out, FILE *f, int sequence,
    struct err *e)
{
	struct transfer_writer *w;

	*out = NULL;
	if ((w = calloc(1, sizeof *w)) == NULL) {
		err_nomem(e);
		return -1;
	}
	w->f = f;
	w->fmt = TRANSFER_YAML;
	w->top = sequence ? TOP_SEQ : TOP_NONE;
	buf_init(&w->out, 1);
	if (pyyaml_emit_start(w, e) != 0) {
		transfer_writer_free(w);
		return -1;
	}
	*out = w;
	return 0;
}

int
transfer_yaml_add(struct transfer_writer *w, const cJSON *v, struct err *e)
{
	if (w->top == TOP_NONE && w->n > 0) {
		err_set(e, ERR_INVALID, "a single YAML document takes one value");
		return -1;
	}
	if (yaml_node(w, v, e) != 0)
		return -1;
	w->n++;
	return 0;
}

int
transfer_yaml_finish(struct transfer_writer *w, struct err *e)
{
	return pyyaml_emit_finish(w, e);
}

/* -- the composer: what CSafeLoader constructs from the events ----------- */

/* What a node stands for with its aliases expanded (values, scalar text). */
struct xsize {
	size_t		 nodes, bytes;
};

struct anchor {
	char		*name;
	struct tnode	*node;
	struct xsize	 x;
};

struct composer {
	struct reader	*r;
	yaml_parser_t	 p;
	yaml_event_t	 ev;
	int		 have_ev;
	struct anchor	*anchors;
	size_t		 nanchors, capanchors;
	struct strmap	 byname;	/* anchor name -> index */
	size_t		 naliases;
	struct xsize	 x;		/* what the aliases stand for */
};

static size_t
sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

/* Drop the current event, wiping a scalar's text. */
static void
comp_drop(struct composer *c)
{
	if (!c->have_ev)
		return;
	if (c->ev.type == YAML_SCALAR_EVENT && c->ev.data.scalar.value != NULL)
		sodium_memzero(c->ev.data.scalar.value,
		    c->ev.data.scalar.length);
	yaml_event_delete(&c->ev);
	c->have_ev = 0;
}

static int
comp_next(struct composer *c, struct err *e)
{
	struct reader *r = c->r;
	yaml_parser_t *p = &c->p;

	comp_drop(c);
	if (yaml_parser_parse(p, &c->ev)) {
		c->have_ev = 1;
		return 0;
	}
	if (p->error == YAML_MEMORY_ERROR) {
		err_nomem(e);
	} else if (p->error == YAML_READER_ERROR) {
		transfer_reader_err(r, e, ERR_INVALID, transfer_line_at(r->tmp.p,
		    p->problem_offset < r->tmp.len ? p->problem_offset :
		    r->tmp.len), "%s",
		    p->problem ? p->problem : "cannot read the YAML");
	} else {
		char ctx[200] = "";

		if (p->context != NULL)
			snprintf(ctx, sizeof ctx, " (%s at line %zu)",
			    p->context, p->context_mark.line + 1);
		transfer_reader_err(r, e, ERR_INVALID, p->problem_mark.line + 1,
		    "column %zu: %s%s", p->problem_mark.column + 1,
		    p->problem ? p->problem : "invalid YAML", ctx);
	}
	return -1;
}

static int
comp_anchor(struct composer *c, const yaml_char_t *name, struct tnode *n,
    const struct xsize *x, struct err *e)
{
	size_t i;

	if (name == NULL)
		return 0;
	i = strmap_get(&c->byname, (const char *)name,
	    strlen((const char *)name));
	if (i != STRMAP_NONE) {
		transfer_reader_err(c->r, e, ERR_INVALID, n->line, "found "
		    "duplicate anchor; first occurrence at line %zu",
		    c->anchors[i].node->line);
		return -1;
	}
	if (c->nanchors == c->capanchors) {
		size_t cap = c->capanchors ? c->capanchors * 2 : 8;
		struct anchor *v = realloc(c->anchors, cap * sizeof *v);

		if (v == NULL)
			goto nomem;
		c->anchors = v;
		c->capanchors = cap;
	}
	if ((c->anchors[c->nanchors].name = strdup((const char *)name)) == NULL)
		goto nomem;
	c->anchors[c->nanchors].node = n;
	c->anchors[c->nanchors].x = *x;
	if (strmap_put(&c->byname, c->anchors[c->nanchors].name,
	    strlen((const char *)name), c->nanchors) != 0) {
		free(c->anchors[c->nanchors].name);
		goto nomem;
	}
	c->nanchors++;
	return 0;
nomem:
	err_nomem(e);
	return -1;
}

/* YAML 1.1 digits of base into v; -1 on a bad digit or overflow. */
static int
yaml_digits(const char *s, size_t len, unsigned base, unsigned long long *v)
{
	size_t i;

	*v = 0;
	if (len == 0)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d;
		char ch = s[i];

		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			return -1;
		if (d >= base || *v > (ULLONG_MAX - d) / base)
			return -1;
		*v = *v * base + d;
	}
	return 0;
}

/*
 * SafeConstructor.construct_yaml_int(): '_' dropped, a sign, then 0,
 * 0b..., 0x..., 0... (octal), a:b:c (base 60) or decimal. n->i_ok is 0
 * when the value is valid but beyond 64 bits. -1 if Python would raise.
 */
static int
yaml_int(const char *text, size_t len, struct tnode *n)
{
	char digits[128];
	size_t i, m = 0;
	unsigned long long v = 0, part;
	int neg = 0, rc = -1;
	const char *s = digits;

	for (i = 0; i < len; i++) {
		if (text[i] == '_')
			continue;
		if (m + 1 >= sizeof digits)
			goto out;
		digits[m++] = text[i];
	}
	digits[m] = '\0';
	if (m > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		s++;
		m--;
	}
	if (m == 1 && s[0] == '0') {
		v = 0;
	} else if (m >= 2 && s[0] == '0' && s[1] == 'b') {
		if (yaml_digits(s + 2, m - 2, 2, &v) != 0)
			goto out;
	} else if (m >= 2 && s[0] == '0' && s[1] == 'x') {
		if (yaml_digits(s + 2, m - 2, 16, &v) != 0)
			goto out;
	} else if (m >= 1 && s[0] == '0') {
		if (yaml_digits(s + 1, m - 1, 8, &v) != 0)
			goto out;
	} else if (memchr(s, ':', m) != NULL) {
		const char *q = s, *colon;

		for (;;) {
			colon = memchr(q, ':', m - (size_t)(q - s));
			if (yaml_digits(q, colon ? (size_t)(colon - q) :
			    m - (size_t)(q - s), 10, &part) != 0 ||
			    v > (ULLONG_MAX - part) / 60)
				goto out;
			v = v * 60 + part;
			if (colon == NULL)
				break;
			q = colon + 1;
		}
	} else if (yaml_digits(s, m, 10, &v) != 0) {
		goto out;
	}
	n->i_ok = neg ? v <= (unsigned long long)LLONG_MAX + 1 :
	    v <= (unsigned long long)LLONG_MAX;
	n->i = neg ? (long long)(0 - v) : (long long)v;
	rc = 0;
out:
	sodium_memzero(digits, sizeof digits);
	return rc;
}

/* SafeConstructor.construct_yaml_float(), well enough for a port. */
static int
yaml_float(const char *text, size_t len, double *d)
{
	char tmp[128], *end;
	size_t i, m = 0;
	int neg = 0;
	const char *s = tmp;

	for (i = 0; i < len; i++) {
		if (text[i] == '_')
			continue;
		if (m + 1 >= sizeof tmp)
			return -1;
		tmp[m++] = (char)(text[i] >= 'A' && text[i] <= 'Z' ?
		    text[i] - 'A' + 'a' : text[i]);
	}
	tmp[m] = '\0';
	if (m > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		s++;
	}
	if (strcmp(s, ".inf") == 0) {
		*d = strtod(neg ? "-inf" : "inf", NULL);
		return 0;
	}
	if (strcmp(s, ".nan") == 0) {
		*d = strtod("nan", NULL);
		return 0;
	}
	if (strchr(s, ':') != NULL) {
		/* base 60 with a fraction in the last part */
		double v = 0;
		const char *q = s;

		for (;;) {
			double part = strtod(q, &end);

			if (end == q)
				return -1;
			v = v * 60 + part;
			if (*end == '\0')
				break;
			if (*end != ':')
				return -1;
			q = end + 1;
		}
		*d = neg ? -v : v;
		return 0;
	}
	*d = strtod(s, &end);
	if (end == s || *end != '\0')
		return -1;
	if (neg)
		*d = -*d;
	return 0;
}

/* A scalar event as the value safe_load constructs. */
static int
comp_scalar(struct composer *c, struct tnode *n, struct err *e)
{
	struct reader *r = c->r;
	yaml_event_t *ev = &c->ev;
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *s = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length, i;
	enum yres_tag t;
	char low[8];

	if (tag == NULL || strcmp(tag, "!") == 0)
		t = ev->data.scalar.plain_implicit ?
		    pyyaml_resolve(&r->res, s, len) : YT_STR;
	else if (strcmp(tag, TAG_STR) == 0)
		t = YT_STR;
	else if (strcmp(tag, TAG_NULL) == 0)
		t = YT_NULL;
	else if (strcmp(tag, "tag:yaml.org,2002:bool") == 0)
		t = YT_BOOL;
	else if (strcmp(tag, TAG_INT) == 0)
		t = YT_INT;
	else if (strcmp(tag, "tag:yaml.org,2002:float") == 0)
		t = YT_FLOAT;
	else if (strcmp(tag, "tag:yaml.org,2002:timestamp") == 0)
		t = YT_TIMESTAMP;
	else if (strcmp(tag, "tag:yaml.org,2002:binary") == 0) {
		n->type = TN_OTHER;
		n->pytype = "bytes";
		return 0;
	} else {
		transfer_reader_err(r, e, ERR_INVALID, n->line, "could not determine a "
		    "constructor for the tag '%.100s'", tag);
		return -1;
	}
	switch (t) {
	case YT_STR:
		/* take libyaml's copy of the text */
		n->type = TN_STR;
		n->s = (char *)ev->data.scalar.value;
		n->len = len;
		n->owned = 1;
		ev->data.scalar.value = NULL;
		return 0;
	case YT_NULL:
		n->type = TN_NULL;
		return 0;
	case YT_BOOL:
		for (i = 0; i < len && i + 1 < sizeof low; i++)
			low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ?
			    s[i] - 'A' + 'a' : s[i]);
		low[i] = '\0';
		n->type = TN_BOOL;
		if (len < sizeof low && (strcmp(low, "yes") == 0 ||
		    strcmp(low, "true") == 0 || strcmp(low, "on") == 0)) {
			n->b = 1;
			return 0;
		}
		if (len < sizeof low && (strcmp(low, "no") == 0 ||
		    strcmp(low, "false") == 0 || strcmp(low, "off") == 0))
			return 0;
		transfer_reader_err(r, e, ERR_INVALID, n->line, "a !!bool value is not "
		    "one of yes, no, true, false, on, off");
		return -1;
	case YT_INT:
		n->type = TN_INT;
		if (yaml_int(s, len, n) != 0) {
			transfer_reader_err(r, e, ERR_INVALID, n->line, "invalid literal "
			    "for int() in a !!int value");
			return -1;
		}
		if (n->i_ok) {
			char dec[32];

			snprintf(dec, sizeof dec, "%lld", n->i);
			if ((n->s = strdup(dec)) == NULL) {
				err_nomem(e);
				return -1;
			}
			n->len = strlen(dec);
			n->owned = 1;
		}
		/* else Python's big int: s stays NULL, json.dumps refuses it */
		return 0;
	case YT_FLOAT:
		n->type = TN_FLOAT;
		if (yaml_float(s, len, &n->d) != 0) {
			transfer_reader_err(r, e, ERR_INVALID, n->line, "could not "
			    "convert a !!float value to float");
			return -1;
		}
		return 0;
	case YT_TIMESTAMP:
		n->type = TN_OTHER;
		n->pytype = len == 10 ? "datetime.date" : "datetime.datetime";
		return 0;
	case YT_MERGE:
		n->type = TN_MERGE;
		return 0;
	case YT_VALUE:
		/* a str "=" when used as a key */
		n->type = TN_VALUE;
		n->s = (char *)ev->data.scalar.value;
		n->len = len;
		n->owned = 1;
		ev->data.scalar.value = NULL;
		return 0;
	case YT_YAML:
		transfer_reader_err(r, e, ERR_INVALID, n->line, "could not determine a "
		    "constructor for the tag 'tag:yaml.org,2002:yaml'");
		return -1;
	}
	return 0;
}

/*
 * The type of a sequence or mapping with this tag (NULL and "!" are the
 * default), as SafeConstructor builds it: list or dict, a list for !!omap
 * and !!pairs, a set for !!set. -1 for a tag it has no constructor for.
 */
static int
collection_type(const char *tag, int is_seq, struct tnode *n)
{
	n->type = is_seq ? TN_SEQ : TN_MAP;
	if (tag == NULL || strcmp(tag, "!") == 0)
		return 0;
	if (strcmp(tag, is_seq ? "tag:yaml.org,2002:seq" : TAG_MAP) == 0)
		return 0;
	n->type = TN_OTHER;
	if (is_seq && (strcmp(tag, "tag:yaml.org,2002:omap") == 0 ||
	    strcmp(tag, "tag:yaml.org,2002:pairs") == 0)) {
		n->pytype = "list";
		return 0;
	}
	if (!is_seq && strcmp(tag, "tag:yaml.org,2002:set") == 0) {
		n->pytype = "set";
		return 0;
	}
	return -1;
}

/*
 * An alias stands for target: counted, with all that target holds (its own
 * aliases expanded), against the caps of transfer_int.h, before anything
 * expands it (a "billion laughs" document stops here, in a few bytes).
 */
static int
comp_alias(struct composer *c, const struct anchor *a, size_t line,
    struct tnode **out, struct xsize *x, struct err *e)
{
	c->naliases++;
	c->x.nodes = sat_add(c->x.nodes, a->x.nodes);
	c->x.bytes = sat_add(c->x.bytes, a->x.bytes);
	if (c->naliases > YAML_MAX_ALIASES) {
		transfer_reader_err(c->r, e, ERR_INVALID, line, "the document "
		    "has more than %d aliases", YAML_MAX_ALIASES);
		return -1;
	}
	if (c->x.nodes > YAML_MAX_EXPANDED_NODES ||
	    c->x.bytes > YAML_MAX_EXPANDED_BYTES) {
		transfer_reader_err(c->r, e, ERR_INVALID, line, "the document's "
		    "aliases expand to more than %d values or %zu MiB of text",
		    YAML_MAX_EXPANDED_NODES, YAML_MAX_EXPANDED_BYTES >> 20);
		return -1;
	}
	*out = a->node;
	*x = a->x;
	return 0;
}

/* Compose the node whose first event is the current one. */
static int
comp_node(struct composer *c, struct tnode **out, struct xsize *x, int depth,
    struct err *e)
{
	struct reader *r = c->r;
	struct tnode *n = NULL, *kid;
	struct xsize kx;
	yaml_char_t *anchor = NULL, *name;
	const char *tag;
	size_t line = c->ev.start_mark.line + 1, i;
	yaml_event_type_t end_type;
	int rc = -1;

	*out = NULL;
	x->nodes = x->bytes = 0;
	if (depth > YAML_MAX_DEPTH) {
		transfer_reader_err(r, e, ERR_INVALID, line, "the document nests deeper "
		    "than %d levels", YAML_MAX_DEPTH);
		return -1;
	}
	switch (c->ev.type) {
	case YAML_ALIAS_EVENT:
		name = c->ev.data.alias.anchor;
		i = strmap_get(&c->byname, (const char *)name,
		    strlen((const char *)name));
		if (i == STRMAP_NONE) {
			transfer_reader_err(r, e, ERR_INVALID, line, "found "
			    "undefined alias");
			return -1;
		}
		return comp_alias(c, &c->anchors[i], line, out, x, e);
	case YAML_SCALAR_EVENT:
		if ((n = tnode_new(r, TN_NULL, line)) == NULL)
			goto nomem;
		x->nodes = 1;
		x->bytes = c->ev.data.scalar.length;
		if (c->ev.data.scalar.anchor != NULL &&
		    (anchor = (yaml_char_t *)strdup((const char *)
		    c->ev.data.scalar.anchor)) == NULL)
			goto nomem;
		if (comp_scalar(c, n, e) != 0)
			goto out;
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if ((n = tnode_new(r, TN_SEQ, line)) == NULL)
			goto nomem;
		x->nodes = 1;
		x->bytes = 0;
		if (c->ev.type == YAML_SEQUENCE_START_EVENT) {
			tag = (const char *)c->ev.data.sequence_start.tag;
			name = c->ev.data.sequence_start.anchor;
			end_type = YAML_SEQUENCE_END_EVENT;
		} else {
			tag = (const char *)c->ev.data.mapping_start.tag;
			name = c->ev.data.mapping_start.anchor;
			end_type = YAML_MAPPING_END_EVENT;
		}
		if (collection_type(tag, end_type == YAML_SEQUENCE_END_EVENT,
		    n) != 0) {
			transfer_reader_err(r, e, ERR_INVALID, line, "could not "
			    "determine a constructor for the tag '%.100s'", tag);
			goto out;
		}
		if (name != NULL && (anchor = (yaml_char_t *)strdup(
		    (const char *)name)) == NULL)
			goto nomem;
		for (;;) {
			if (comp_next(c, e) != 0)
				goto out;
			if (c->ev.type == end_type)
				break;
			if (comp_node(c, &kid, &kx, depth + 1, e) != 0)
				goto out;
			if (tnode_add(n, kid) != 0)
				goto nomem;
			x->nodes = sat_add(x->nodes, kx.nodes);
			x->bytes = sat_add(x->bytes, kx.bytes);
		}
		break;
	default:
		transfer_reader_err(r, e, ERR_INVALID, line, "unexpected YAML event");
		goto out;
	}
	if (comp_anchor(c, anchor, n, x, e) != 0)
		goto out;
	*out = n;
	rc = 0;
	goto out;
nomem:
	err_nomem(e);
out:
	free(anchor);
	return rc;
}

/* _parse_yaml_file(): one document whose value is a mapping. */
int
pyyaml_load(struct reader *r, const char *text, size_t len,
    struct tnode **out, struct err *e)
{
	struct composer c;
	struct tnode *root = NULL;
	struct xsize rx;
	size_t i;
	int rc = -1;

	*out = NULL;
	if (len == 0) {
		transfer_reader_err(r, e, ERR_INVALID, 1, "The file is empty.");
		return -1;
	}
	memset(&c, 0, sizeof c);
	c.r = r;
	if (pyyaml_resolver_init(&r->res, e) != 0)
		return -1;
	r->res_ready = 1;
	if (!yaml_parser_initialize(&c.p)) {
		err_nomem(e);
		return -1;
	}
	yaml_parser_set_input_string(&c.p, (const unsigned char *)text, len);
	if (comp_next(&c, e) != 0)		/* STREAM-START */
		goto out;
	if (comp_next(&c, e) != 0)
		goto out;
	if (c.ev.type == YAML_DOCUMENT_START_EVENT) {
		if (comp_next(&c, e) != 0 || comp_node(&c, &root, &rx, 0, e) != 0)
			goto out;
		if (comp_next(&c, e) != 0)	/* DOCUMENT-END */
			goto out;
		if (comp_next(&c, e) != 0)
			goto out;
		if (c.ev.type != YAML_STREAM_END_EVENT) {
			transfer_reader_err(r, e, ERR_INVALID, c.ev.start_mark.line + 1,
			    "expected a single document in the stream, but "
			    "found another document");
			goto out;
		}
	}
	if (root == NULL || root->type != TN_MAP) {
		transfer_reader_err(r, e, ERR_INVALID, 1, "The file should contain the "
		    "object.");
		goto out;
	}
	if (tnode_check(r, root, 0, e) != 0)
		goto out;
	*out = root;
	rc = 0;
out:
	comp_drop(&c);
	/* the parser's buffers held the whole text */
	if (c.p.buffer.start != NULL)
		sodium_memzero(c.p.buffer.start,
		    (size_t)(c.p.buffer.end - c.p.buffer.start));
	if (c.p.raw_buffer.start != NULL)
		sodium_memzero(c.p.raw_buffer.start,
		    (size_t)(c.p.raw_buffer.end - c.p.raw_buffer.start));
	yaml_parser_delete(&c.p);
	strmap_release(&c.byname);
	for (i = 0; i < c.nanchors; i++)
		free(c.anchors[i].name);
	free(c.anchors);
	return rc;
}

int
pyyaml_read(struct reader *r, const char *text, size_t len, struct err *e)
{
	struct tnode *root;
	int rc;

	rc = pyyaml_load(r, text, len, &root, e) == 0 ?
	    transfer_create_from_map(r, root, e) : -1;
	transfer_reader_nodes_free(r);
	return rc;
}
