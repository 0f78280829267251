/*
 * connfilter.h: the list's filter (the console's `/`): terms joined by AND,
 * parsed once and matched against a row summary (struct conn_row), so that
 * the rows can be found by state as well as by name:
 *
 *   text            a substring of conn_id, conn_type or host (any case)
 *   is:plaintext    a password or extra stored in plain text
 *   is:undecryptable  a password or extra that no configured key opens
 *   is:encrypted    every stored secret encrypted (none plain, none lost)
 *   is:empty        no password and no extra
 *   is:flagged      audit findings (the list's `!`, `*`, `.` marks); needs
 *                   an audit engine (connwin_set_audit())
 *   key:N           its token is under key N of the ring (the kN of the
 *                   key age column)
 *   type:NAME       conn_type is NAME (any case)
 *   age:>90d age:<1y  its token is older / newer than that (s m h d w y)
 *
 * The rules live here only; the console parses what is typed with
 * connfilter_parse() and connwin applies it (doc/console.md section 6a).
 */
#ifndef FERNCON_CONNFILTER_H
#define FERNCON_CONNFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "err.h"

struct conn_row;

#define CONNFILTER_MAX_TERMS	16

enum connfilter_kind {
	CF_TEXT,
	CF_PLAINTEXT,
	CF_UNDECRYPTABLE,
	CF_ENCRYPTED,
	CF_EMPTY,
	CF_FLAGGED,
	CF_KEY,
	CF_TYPE,
	CF_AGE_OVER,
	CF_AGE_UNDER,
};

struct connfilter_term {
	enum connfilter_kind	 kind;
	char			*text;		/* CF_TEXT, CF_TYPE */
	long			 key;		/* CF_KEY: 1-based */
	uint64_t		 seconds;	/* CF_AGE_* */
};

struct connfilter {
	struct connfilter_term	 t[CONNFILTER_MAX_TERMS];
	size_t			 n;
	int			 needs_flags;	/* has is:flagged */
};

/*
 * Parse text (terms separated by blanks; NULL or "" is no filter) into f,
 * which connfilter_release() frees. An unknown is: state, a key: that is
 * not a number, an age: that is not [<>]N[smhdwy], or too many terms is
 * ERR_USAGE naming the term. 0, or -1 with e set (f left empty).
 */
int connfilter_parse(struct connfilter *f, const char *text, struct err *e)
    ATTR_WUR;

void connfilter_release(struct connfilter *f);

/* The first free-text term (the store can narrow its read by it), or NULL. */
const char *connfilter_sql_text(const struct connfilter *f);

/* 1 when f has terms that only a decrypted row can answer (states, keys). */
int connfilter_needs_rows(const struct connfilter *f);

/*
 * 1 when row r matches every term of f at time now (seconds since the
 * epoch); flagged is 1 when the row has audit findings (only read for
 * is:flagged).
 */
int connfilter_match(const struct connfilter *f, const struct conn_row *r,
    uint64_t now, int flagged);

#endif
