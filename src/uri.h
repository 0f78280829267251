/*
 * uri.h: Airflow's connection URI, parsed and formatted bit for bit as
 * Connection._parse_from_uri() and Connection.get_uri() do
 * (doc/airflow-compat.md sections 4.1 and 4.2), including the version
 * switches: the 3.1.0 rule that a host protocol equal to the conn_type is
 * quoted into the host, and the 3.1.6 typed query values (json.loads on each
 * value; get_uri only urlencodes when every value is a string). A version
 * with major 0 (unknown) gets the newest behaviour.
 */
#ifndef FERNCON_URI_H
#define FERNCON_URI_H

#include "airflow.h"
#include "buf.h"
#include "compiler.h"
#include "conn.h"
#include "err.h"

/*
 * Parse uri into c: conn_type, host, schema, login, password, port and
 * extra; conn_id, description and the rest are untouched. The fields get
 * exactly what Airflow's attributes hold afterwards: conn_type is the
 * normalised scheme ("" when there is none), host and schema are "" (not
 * NULL) when absent, login is NULL without an '@' and "" for "//@host",
 * password is NULL when absent or empty, port is unset (has_port 0) when
 * absent, extra is NULL without a query, the raw __extra__ value when
 * there is one (even ""), else json.dumps of the query dict. The extra is
 * not validated here: Airflow 3 would raise on a non-object __extra__,
 * see conn_validate_extra(). v NULL or major 0 means the newest rules.
 *
 * 0, or -1 with e set to ERR_INVALID and Airflow's (urllib's) message:
 * "Invalid connection string." (the 3.2 wording, never with the URI),
 * "Invalid IPv6 URL", "Port could not be cast to integer value as 'abc'"
 * (Python's repr of the port text), "Port out of range 0-65535",
 * "IPvFuture address is invalid", "An IPv4 address cannot be in brackets",
 * or "address does not appear to be an IPv4 or IPv6 address" (Python
 * names the address; it can be part of a password, so we do not). On
 * error c is unchanged; only running out of memory (ERR_NOMEM) can leave
 * it partly updated.
 */
int uri_parse(const char *uri, const struct airflow_version *v, struct conn *c,
    struct err *e) ATTR_WUR;

/*
 * Connection.from_json(text) as Airflow runs it, the "uri" key included
 * (conn_from_json() with a URI handed to uri_parse(), refused when true
 * values are given beside it, as Connection.__init__ refuses), then with
 * need_type the check of `connections add --conn-json`: "conn-json is
 * invalid; must supply conn-type" when conn_type is not true. Pass an
 * empty record. 0, or -1 with e set.
 */
int uri_conn_json(struct conn *c, const char *text,
    const struct airflow_version *v, int need_type, struct err *e) ATTR_WUR;

/*
 * `airflow connections add --conn-uri`'s check before it parses
 * (cli/commands/connection_command.py _valid_uri(), apache/airflow commit
 * c873bd5 lines 144-146, checked at 241-242): urlsplit(uri).scheme
 * must not be empty. Python's scheme is the text before the first ':'
 * when it starts with an ASCII letter and has only letters, digits, '+',
 * '-' and '.', so "google_cloud_platform://h" and "1db://h" have none.
 * 0, or -1 with e set to ERR_USAGE "The URI provided to --conn-uri is
 * invalid ..." (Airflow's message goes on with the URI; ours does not,
 * as it may hold a password), or an urlsplit() error.
 */
int uri_valid_for_add(const char *uri, struct err *e) ATTR_WUR;

/*
 * Format c as get_uri() does, appended to out (pass a secret buffer: the
 * URI holds the password). The query is urlencode(extra) when the extra
 * is a non-empty JSON object whose values are all strings (so that
 * parse_qsl gives it back), else "__extra__=" and the raw extra text, also
 * for an extra that is not JSON or not an object (as 2.10 does; Airflow 3
 * refuses such an extra before it gets here). v NULL or major 0 means the
 * newest rules. 0, or -1 with e set (out of memory).
 */
int uri_format(const struct conn *c, const struct airflow_version *v,
    struct buf *out, struct err *e) ATTR_WUR;

/*
 * The URI that `airflow connections add` prints on success when none was
 * given: urlunsplit((type, "login:******@host:port", schema, "", "")),
 * with "******" only when there is a password and the port only when it
 * is not 0; nothing is quoted. A NULL or empty conn_type gives a URI
 * starting with "//" (Python would raise on None; the CLI never has it).
 * Appended to out; check out with buf_check().
 */
void uri_format_masked(const struct conn *c, struct buf *out);

/*
 * Python's urllib.parse.quote(s, safe="") and quote_plus(s) of len bytes
 * of UTF-8, appended: every byte but A-Za-z0-9 and "_.-~" becomes %XX
 * (upper-case hex); quote_plus writes a space as '+'.
 */
void uri_quote(struct buf *out, const char *s, size_t len);
void uri_quote_plus(struct buf *out, const char *s, size_t len);

#endif
