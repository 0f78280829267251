/*
 * connfilter.c: the list filter's terms (connfilter.h): parsing what the
 * person typed into terms, and matching a row summary against all of them.
 */
#include "config.h"

#include "connfilter.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "connwin.h"

static const struct {
	const char		*name;
	enum connfilter_kind	 kind;
} states[] = {
	{ "plaintext", CF_PLAINTEXT },
	{ "undecryptable", CF_UNDECRYPTABLE },
	{ "encrypted", CF_ENCRYPTED },
	{ "empty", CF_EMPTY },
	{ "flagged", CF_FLAGGED },
};

void
connfilter_release(struct connfilter *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->t[i].text);
	memset(f, 0, sizeof *f);
}

/* "90d" into seconds; -1 when it is not N followed by a unit. */
static int
parse_age(const char *s, uint64_t *out)
{
	static const struct { char unit; uint64_t secs; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 }, { 'y', 365 * 86400 },
	};
	char *end;
	unsigned long long n;
	size_t i;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno != 0 || end[0] == '\0' || end[1] != '\0' || n > 100000)
		return -1;
	for (i = 0; i < ARRAY_LEN(units); i++)
		if (*end == units[i].unit) {
			*out = (uint64_t)n * units[i].secs;
			return 0;
		}
	return -1;
}

/* One term (len bytes at s) into t. */
static int
parse_term(struct connfilter_term *t, const char *s, size_t len, struct err *e)
{
	char word[256], *end;
	size_t i;

	if (len >= sizeof word) {
		err_set(e, ERR_USAGE, "filter term too long (at most %zu bytes)",
		    sizeof word - 1);
		return -1;
	}
	memcpy(word, s, len);
	word[len] = '\0';
	memset(t, 0, sizeof *t);
	if (strncasecmp(word, "is:", 3) == 0) {
		for (i = 0; i < ARRAY_LEN(states); i++)
			if (strcasecmp(word + 3, states[i].name) == 0) {
				t->kind = states[i].kind;
				return 0;
			}
		err_set(e, ERR_USAGE, "filter: unknown state '%s' (is:plaintext, "
		    "is:undecryptable, is:encrypted, is:empty, is:flagged)",
		    word + 3);
		return -1;
	}
	if (strncasecmp(word, "key:", 4) == 0) {
		errno = 0;
		t->key = strtol(word + 4, &end, 10);
		if (word[4] == '\0' || *end != '\0' || errno != 0 || t->key < 1 ||
		    t->key > 64) {
			err_set(e, ERR_USAGE, "filter: '%s': key:N takes the number "
			    "of a key (key:1 is the primary)", word);
			return -1;
		}
		t->kind = CF_KEY;
		return 0;
	}
	if (strncasecmp(word, "age:", 4) == 0) {
		if ((word[4] != '>' && word[4] != '<') ||
		    parse_age(word + 5, &t->seconds) != 0) {
			err_set(e, ERR_USAGE, "filter: '%s': age: takes > or < and a "
			    "time such as 90d (s, m, h, d, w, y)", word);
			return -1;
		}
		t->kind = word[4] == '>' ? CF_AGE_OVER : CF_AGE_UNDER;
		return 0;
	}
	if (strncasecmp(word, "type:", 5) == 0) {
		t->kind = CF_TYPE;
		s = word + 5;
	} else {
		t->kind = CF_TEXT;
		s = word;
	}
	if (*s == '\0') {
		err_set(e, ERR_USAGE, "filter: '%s' names nothing", word);
		return -1;
	}
	if ((t->text = strdup(s)) == NULL) {
		err_nomem(e);
		return -1;
	}
	return 0;
}

int
connfilter_parse(struct connfilter *f, const char *text, struct err *e)
{
	const char *p = text, *q;

	memset(f, 0, sizeof *f);
	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q != '\0' && *q != ' ' && *q != '\t'; q++)
			;
		if (f->n == CONNFILTER_MAX_TERMS) {
			err_set(e, ERR_USAGE, "filter: too many terms (at most %d)",
			    CONNFILTER_MAX_TERMS);
			goto fail;
		}
		if (parse_term(&f->t[f->n], p, (size_t)(q - p), e) != 0)
			goto fail;
		f->needs_flags |= f->t[f->n].kind == CF_FLAGGED;
		f->n++;
		p = q;
	}
	return 0;
fail:
	connfilter_release(f);
	return -1;
}

const char *
connfilter_sql_text(const struct connfilter *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->t[i].kind == CF_TEXT)
			return f->t[i].text;
	return NULL;
}

int
connfilter_needs_rows(const struct connfilter *f)
{
	size_t i, text = 0;

	for (i = 0; i < f->n; i++) {
		if (f->t[i].kind != CF_TEXT)
			return 1;
		text++;
	}
	return text > 1;	/* the store narrows by the first term only */
}

/* A substring, any case (ASCII, as the store's instr(lower())). */
static int
has_text(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i;

	if (hay == NULL)
		return 0;
	for (i = 0; hay[i] != '\0'; i++)
		if (strncasecmp(hay + i, needle, n) == 0)
			return 1;
	return n == 0;
}

static int
term_match(const struct connfilter_term *t, const struct conn_row *r,
    uint64_t now, int flagged)
{
	enum conn_secret_state st = conn_row_state(r);
	uint64_t age;

	switch (t->kind) {
	case CF_TEXT:
		return has_text(r->conn_id, t->text) ||
		    has_text(r->conn_type, t->text) || has_text(r->host, t->text);
	case CF_PLAINTEXT:
		return r->password == CONN_SECRET_PLAIN ||
		    r->extra == CONN_SECRET_PLAIN;
	case CF_UNDECRYPTABLE:
		return r->password == CONN_SECRET_UNDECRYPTABLE ||
		    r->extra == CONN_SECRET_UNDECRYPTABLE;
	case CF_ENCRYPTED:
		return st == CONN_SECRET_ENCRYPTED;
	case CF_EMPTY:
		return st == CONN_SECRET_EMPTY;
	case CF_FLAGGED:
		return flagged;
	case CF_KEY:
		return r->key_index >= 0 && r->key_index + 1 == t->key;
	case CF_TYPE:
		return r->conn_type != NULL && strcasecmp(r->conn_type,
		    t->text) == 0;
	case CF_AGE_OVER:
	case CF_AGE_UNDER:
		if (!r->has_timestamp)
			return 0;
		age = now > r->timestamp ? now - r->timestamp : 0;
		return t->kind == CF_AGE_OVER ? age > t->seconds :
		    age < t->seconds;
	}
	return 0;
}

int
connfilter_match(const struct connfilter *f, const struct conn_row *r,
    uint64_t now, int flagged)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!term_match(&f->t[i], r, now, flagged))
			return 0;
	return 1;
}
