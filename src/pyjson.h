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
 * ensure_ascii), appended to out. A cJSON_Number is a Python float (1.0,
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
 * accepts, is refused; nesting deeper than cJSON's 1000 levels is refused;
 * integers beyond Python's 4300-digit conversion limit are kept although
 * Python would raise.
 */
cJSON *pyjson_loads(const char *text, size_t len);

/*
 * Why Python's json.loads(text) succeeds where pyjson_loads() refuses, for
 * the two known limits above: PYJSON_NUL when a string holds \u0000 (first
 * if both), PYJSON_SURROGATE when one holds a lone surrogate escape
 * (\ud800, not part of a pair); 0 when neither explains it (the text is
 * not JSON to Python either, or it parsed). -1 when memory ran out.
 * Callers refuse the value with conn_refuse_nul() or
 * conn_refuse_surrogate() rather than read it as something else.
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
