/*
 * pyjson.h: JSON text exactly as Python's json.dumps() writes it, over a
 * cJSON tree (cJSON parses; its own printer cannot match Python's spacing,
 * escapes or float repr). Airflow stores and exports JSON made by
 * json.dumps, so byte compatibility needs this.
 *
 * Python's rules: without indent, separators ", " and ": " on one line;
 * with indent N, each item on its own line indented N spaces per level,
 * item separator "," (no trailing space) and ": "; empty containers are
 * "{}" and "[]"; ensure_ascii escapes every non-ASCII character as \uXXXX
 * (surrogate pairs above U+FFFF); control characters as \n \r \t \b \f or
 * \u00XX; '"' and '\\' escaped; '/' not escaped; floats in repr() form
 * (shortest round-trip digits, "1.0", "1e+16", "1e-05", "NaN", "Infinity");
 * integers exactly (a cJSON_Raw node is written verbatim, which keeps
 * integers beyond 2^53 exact). Key order is the tree's, or sorted by code
 * point with sort_keys.
 */
#ifndef FERNCON_PYJSON_H
#define FERNCON_PYJSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "compiler.h"
#include "err.h"

struct pyjson_opts {
	int	indent;		/* < 0: one line (Python's indent=None) */
	int	sort_keys;
	int	ensure_ascii;	/* Python's default is 1 */
};

/*
 * json.dumps(v) with the given options (NULL: Python's defaults, one line,
 * ensure_ascii), appended to out. Strings may hold the kept forms of
 * pyjson_loads_kept(): a kept NUL is written \u0000, a lone surrogate
 * \udXXX; without ensure_ascii too, where Python would write the lone
 * surrogate itself, which no UTF-8 output can hold (the escape reads back
 * as the same str). A cJSON_Number is a Python float (1.0,
 * not 1): build integers with pyjson_create_int() or read them with
 * pyjson_loads(). Duplicate keys in an object are written as they are.
 * 0, or -1 with e set (out of memory, a node of unknown type).
 */
int pyjson_dumps(const cJSON *v, const struct pyjson_opts *o, struct buf *out,
    struct err *e) ATTR_WUR;

/*
 * json.dumps(str) of len bytes of UTF-8 text, appended to out (quotes
 * included). NUL bytes are fine (written \u0000); an ill-formed UTF-8
 * sequence is read as U+FFFD, as Python's 'replace' decoding would.
 */
void pyjson_dump_str(struct buf *out, const char *s, size_t len, int ensure_ascii);

/*
 * json.loads(text) for one value, keeping integer literals exact (as a
 * cJSON_Raw node holding Python's repr of the int, at any depth) and
 * floats as numbers, so pyjson_dumps() writes back what Python would.
 * Accepts what Python accepts that cJSON does not: NaN, Infinity,
 * -Infinity (anywhere), number literals of any length. Rejects what
 * Python rejects that cJSON would accept: blanks other than space, tab,
 * CR and LF; raw control characters in strings; "01", "1.", "+1";
 * ill-formed UTF-8 (Python decodes the text before it parses it).
 * Duplicate keys are folded as a Python dict does (last value, first
 * position). Returns a new tree (free with pyjson_free or cJSON_Delete)
 * or NULL with errno set: EINVAL when text is not JSON, ENOMEM when memory
 * ran out (a caller reports the two differently: check errno at once).
 *
 * Known limits (cJSON's strings are NUL-terminated UTF-8): a string with
 * \u0000, or with a lone surrogate escape (\ud800), which Python
 * accepts, is refused here (pyjson_loads_kept() keeps it); nesting deeper
 * than cJSON's 1000 levels is refused; integers beyond Python's 4300-digit
 * conversion limit are kept although Python would raise.
 */
cJSON *pyjson_loads(const char *text, size_t len);

/*
 * pyjson_loads(), keeping what a cJSON string cannot hold: a string (a
 * value or a key) with \u0000 or a lone surrogate escape (\ud800 not
 * followed by a low surrogate escape, or \udc00 alone), which Python's
 * json.loads reads into a str, holds it in the kept form:
 * - U+0000 as the two bytes C0 80 (Java's modified UTF-8);
 * - a lone surrogate U+D800..U+DFFF as its three bytes ED A0..BF 80..BF
 *   (WTF-8).
 * Neither is well-formed UTF-8, and the text read must be, so these bytes
 * in such a tree only ever mean that. pyjson_dumps() writes them back as
 * Python does (\u0000, \ud800; a lone surrogate is escaped even without
 * ensure_ascii, see pyjson_dumps()) and sorts keys by code point with
 * them; names stay distinct (duplicate keys fold as in a dict); masking
 * sees them as characters that are neither blank nor letters (mask.c), as
 * Python's str.strip() and str.lower() do. Any other use of such a string
 * must check pyjson_kept() first: a caller that takes a string out of the
 * tree as a field value refuses it (conn_refuse_nul(),
 * conn_refuse_surrogate()) or turns it into bytes (pyjson_kept_utf8()).
 * Extras are read with this (doc/airflow-compat.md section 4.6).
 */
cJSON *pyjson_loads_kept(const char *text, size_t len);

/*
 * What kept forms the len bytes at s (a tree's string) hold: PYJSON_NUL
 * and/or PYJSON_SURROGATE (or-ed), 0 for none.
 */
int pyjson_kept(const char *s, size_t len) ATTR_WUR;

/*
 * Python's str order (code points) of two tree strings, as strcmp returns
 * it: UTF-8 byte order, which is also that of a kept lone surrogate, but a
 * kept NUL (C0 80) is the first code point.
 */
int pyjson_kept_cmp(const char *a, const char *b) ATTR_WUR;

/* pyjson_kept() of every key and string of the tree v, or-ed. */
int pyjson_kept_tree(const cJSON *v) ATTR_WUR;

/*
 * The UTF-8 bytes of a Python str (len bytes at s, NUL bytes among them)
 * appended to out in the kept form, each NUL as C0 80: a string for a
 * tree that pyjson_dumps() writes as json.dumps(str) does.
 */
void pyjson_kept_add(struct buf *out, const char *s, size_t len);

/*
 * The tree string s as the UTF-8 bytes of Python's str.encode(), appended
 * to out: a kept NUL becomes the byte 0. A lone surrogate, which UTF-8
 * cannot encode (Python raises UnicodeEncodeError): -1 (out partly
 * written), or with replace U+FFFD in its place. Else 0 (check out for
 * memory).
 */
int pyjson_kept_utf8(const char *s, int replace, struct buf *out) ATTR_WUR;

/*
 * Why Python's json.loads(text) succeeds where pyjson_loads() refuses, for
 * the two known limits above: PYJSON_NUL when a string holds \u0000 (first
 * if both), PYJSON_SURROGATE when one holds a lone surrogate escape
 * (\ud800, not part of a pair); 0 when neither explains it (the text is
 * not JSON to Python either, or it parsed). -1 when memory ran out.
 * Callers refuse the value with conn_refuse_nul() or
 * conn_refuse_surrogate() rather than read it as something else (or read
 * it with pyjson_loads_kept()).
 */
enum { PYJSON_NUL = 1, PYJSON_SURROGATE = 2 };
int pyjson_why_refused(const char *text, size_t len) ATTR_WUR;

/*
 * A cJSON_Raw node holding the decimal text of n: a Python int for
 * pyjson_dumps(). NULL on out of memory.
 */
cJSON *pyjson_create_int(long long n);

/*
 * Wipe every key and string of v (sodium_memzero) and cJSON_Delete it.
 * After core_init() this is what cJSON_Delete() does anyway (see core.h for
 * the rule); the explicit wipe does not depend on it. NULL does nothing.
 */
void pyjson_free(cJSON *v);

/*
 * print() of what json.loads() returns for v: a str alone as it is (top
 * level), else Python's repr (strings by utf8_py_repr()) of dicts, lists, strings, True, False, None
 * and numbers (nan and inf where json.dumps writes NaN and Infinity).
 * 0, or -1 with e set (out of memory).
 */
int pyjson_print(const cJSON *v, struct buf *out, struct err *e) ATTR_WUR;

#endif
