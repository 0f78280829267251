/*
 * conn.h: one Airflow connection, as a record, and Airflow's rules for it.
 *
 * The record holds plaintext: password and extra are decrypted (or were
 * plaintext in the DB) and live in locked memory (arena.h), wiped on free.
 * Every string field may be NULL, which is SQL NULL / Python None; "" is an
 * empty string. port is NULL when has_port is 0.
 *
 * Per field, the state tells what the DB held: nothing, plain text, a token
 * that opened (and with which key, at what time), or a token that no key
 * opens. An undecryptable field has a NULL value and never fails the whole
 * record, unlike Airflow (doc/airflow-compat.md section 8, complaints 1
 * and 2).
 */
#ifndef FERNCON_CONN_H
#define FERNCON_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "airflow.h"
#include "compiler.h"
#include "err.h"

/* What the DB held for password or extra. */
enum conn_secret_state {
	CONN_SECRET_EMPTY = 0,		/* NULL or "" in the DB */
	CONN_SECRET_PLAIN,		/* stored in plain text (flag false) */
	CONN_SECRET_ENCRYPTED,		/* a token that a ring key opened */
	CONN_SECRET_UNDECRYPTABLE,	/* flagged encrypted, no key opens it */
};

struct conn_secret_info {
	enum conn_secret_state	state;
	int			key_index;	/* for ENCRYPTED: which key */
	uint64_t		timestamp;	/* for ENCRYPTED/UNDECRYPTABLE tokens: when */
	int			has_timestamp;
};

struct conn {
	int64_t		 id;		/* 0: not stored yet */
	char		*conn_id;
	char		*conn_type;
	char		*description;
	char		*host;
	char		*schema;
	char		*login;
	char		*password;	/* plaintext, locked (arena.h); it may
					   hold NUL bytes: use password_len */
	size_t		 password_len;	/* bytes of password (0 when NULL);
					   set by conn_set(), never by hand */
	int		 has_port;
	long		 port;
	char		*extra;		/* plaintext JSON text, locked (arena.h);
					   \u0000 and lone surrogate escapes
					   stay escapes here (pyjson.h) */
	int		 is_encrypted;		/* the DB flags, as read */
	int		 is_extra_encrypted;
	char		*team_name;
	struct conn_secret_info	password_info;
	struct conn_secret_info	extra_info;

	/*
	 * Private: the locked memory (arena_alloc()) behind password and
	 * extra, kept across conn_reset() so that streaming a million rows
	 * does not take and give back blocks for every field. Use
	 * conn_set(), never these.
	 */
	char		*secret_mem[2];
	size_t		 secret_cap[2];
};

/* -- lifecycle ----------------------------------------------------------- */

/* A new empty record (all NULL). Caller frees with conn_free(). */
struct conn *conn_new(void);

/* Wipe and free every field and the record. NULL does nothing. */
void conn_free(struct conn *c);

/* Wipe and free every field, leaving an empty record. */
void conn_clear(struct conn *c);

/*
 * Wipe every field, leaving an empty record, but keep the locked memory of
 * the secret fields for reuse (for reading rows in a loop).
 */
void conn_reset(struct conn *c);

/* A deep copy (secrets stay in locked memory). NULL on out of memory. */
struct conn *conn_dup(const struct conn *c);

/* -- fields -------------------------------------------------------------- */

/*
 * Set a string field to a copy of s (len bytes; s may be NULL for NULL).
 * Secret fields (password, extra) are copied into locked memory (arena.h).
 * The old value is wiped. 0, or -1 with e set (out of memory). A NUL
 * among the len bytes is kept, and a C string ends there: the password
 * alone is read with its length (password_len, set here; Airflow keeps a
 * NUL in a password, doc/airflow-compat.md section 4.6), and a route
 * that takes any other field in refuses a NUL first (conn_refuse_nul()).
 * An extra never needs one: Airflow stores an extra's U+0000 as the
 * escape \u0000.
 */
int conn_set(struct conn *c, char **field, const char *s, size_t len,
    struct err *e) ATTR_WUR;

/* conn_set with a NUL-terminated string (or NULL). Not for a password
   that may hold a NUL: conn_set(c, &c->password, p, len, e). */
int conn_set_str(struct conn *c, char **field, const char *s,
    struct err *e) ATTR_WUR;

/* 1 if field is the password or extra of c (kept in locked memory). */
int conn_field_is_secret(const struct conn *c, char *const *field);

/*
 * 0 when every text field of c (conn_id, conn_type, description, host,
 * schema, login, password, extra) is valid UTF-8; else -1 with e set to
 * ERR_INVALID "cannot <doing> connection 'ID': its <field> is not valid
 * UTF-8 (Airflow cannot read it either)", the conn_id as Python's repr()
 * shows it. Airflow cannot hold such a value as a str: Python's sqlite3
 * refuses to read the column, PostgreSQL's UTF8 databases refuse to
 * store it, and a decrypted one makes get_password()/get_extra() raise
 * UnicodeDecodeError (doc/airflow-compat.md section 5). So ferncon
 * refuses to write it as json, yaml or env: a replacement character or
 * an escape would give text Airflow could not have written that does not
 * hold the stored value.
 */
int conn_check_utf8(const struct conn *c, const char *doing, struct err *e)
    ATTR_WUR;

/* -- stored form and plaintext ------------------------------------------- */

struct keyring;

/*
 * Turn a record read from the store (password and extra as stored) into
 * plaintext, in place, field by field: a field whose flag is set is
 * decrypted with the ring; one that no key opens (or any flagged field when
 * encryption is off) becomes NULL with state CONN_SECRET_UNDECRYPTABLE, and
 * the rest of the record is still usable. Fails only on out of memory.
 */
int conn_decrypt(struct conn *c, struct keyring *kr, struct err *e) ATTR_WUR;

/*
 * Turn a plaintext record into its stored form, in place, as Airflow's
 * set_password()/set_extra() do: a non-empty password becomes a token of
 * the primary key with is_encrypted = 1 (or stays plain with 0 when
 * encryption is off); an empty password is not stored (NULL, flag 0);
 * likewise a non-empty extra with is_extra_encrypted, while an empty
 * extra is stored as it is (NULL or "") with the flag 0.
 *
 * When old (the row as stored now) is not NULL this is an update: an empty
 * password keeps old's stored password and flag, as Airflow keeps the
 * password when the form leaves it empty. The extra is never taken from
 * old. A password is empty when password_len is 0: "\0" is not.
 *
 * A password holding a NUL that would be written in plain text (with
 * encryption off, or old's plain password kept) is refused (ERR_INVALID,
 * "`password` holds a NUL character, which ferncon stores only encrypted
 * ..."): the stores write plain text as a C string.
 */
int conn_seal(struct conn *c, const struct conn *old, struct keyring *kr,
    struct err *e) ATTR_WUR;

/* -- Airflow's rules ----------------------------------------------------- */

/*
 * Airflow's conn_type normalisation for URIs and --conn-json:
 * "postgresql" becomes "postgres", else '-' becomes '_'. In place.
 */
void conn_normalize_type(char *type);

/*
 * The one refusal of a value that holds a NUL character (issue 14 item 11;
 * README, "Where ferncon differs from Airflow"): every field but the
 * password and the extra is a C string, so such a value could not be
 * stored whole, and it is refused on every route (typed, --conn-uri %00
 * in the login, host or schema, --conn-json fields with \u0000, import
 * files, AIRFLOW_CONN_ values) before anything is written. A password's
 * NUL is kept (password_len) and an extra's \u0000 too
 * (pyjson_loads_kept(); doc/airflow-compat.md section 4.6). what names the
 * value ("`login`", "the URI"). Always -1 with e set (ERR_INVALID).
 */
int conn_refuse_nul(const char *what, struct err *e);

/*
 * The same for a field holding a lone surrogate (\ud800 in --conn-json or
 * a json import), which Python's json reads into a str that UTF-8 cannot
 * encode: Airflow fails when it stores it. An extra's is kept.
 */
int conn_refuse_surrogate(const char *what, struct err *e);

/*
 * The refusal that pyjson_why_refused(text) gives for JSON text what that
 * is read with pyjson_loads() (not an extra: a variables import file):
 * -1 with e set when Python would read it and ferncon cannot (a NUL or a
 * lone surrogate escape), or memory ran out; 0 otherwise.
 */
int conn_refuse_json(const char *what, const char *text, size_t len,
    struct err *e);

/*
 * The environment variable that holds conn_id for Airflow's
 * EnvironmentVariablesBackend: "AIRFLOW_CONN_" and conn_id upper-cased
 * (Python's str.upper(); ASCII letters here, other bytes as they are).
 * Both `connections get` and the console's list read it through this, so
 * that a DB row and a variable shadow each other by one rule. 0, or -1
 * when name (size bytes) is too small.
 */
#define CONN_ENV_PREFIX "AIRFLOW_CONN_"
int conn_env_name(const char *conn_id, char *name, size_t size) ATTR_WUR;

/*
 * Airflow's helpers.validate_key(conn_id, max_length=200): 0, or -1 with e
 * set to ERR_USAGE and the exception's own message ("The key <repr(id)> has
 * to be made of ...", Python's repr(); for a long id Airflow 2's "The key has
 * to be less than 200 characters" when v is 2.x, else the newer wording), which `connections import` prints after "Could not
 * import connection. " and skips the connection.
 */
int conn_validate_key(const char *conn_id, const struct airflow_version *v,
    struct err *e) ATTR_WUR;

/*
 * Validate a conn_id as `airflow connections add` does (helpers.validate_key,
 * max 200 characters, ^[\w.-]+$). 0, or -1 with e set to ERR_USAGE and
 * Airflow's message.
 */
int conn_validate_id(const char *conn_id, struct err *e) ATTR_WUR;

/*
 * Validate extra as a JSON object (Airflow 3 raises on anything else).
 * NULL and "" are fine (no extra). -1 with e set to ERR_INVALID naming the
 * connection and, for a JSON syntax error, the byte offset.
 */
int conn_validate_extra(const char *conn_id, const char *extra,
    struct err *e) ATTR_WUR;

/*
 * Python's int() of a port given as text (len bytes), as Airflow applies
 * it to a port from --conn-json or an import file: blanks around (ASCII
 * space and \t to \r, and the Unicode blanks such as U+00A0; not the
 * separators \x1c to \x1f, which int() refuses although str.strip()
 * removes them), an optional sign, decimal digits with single '_'
 * between them. 0 with *port set, or -1 when Python would raise or the
 * value does not fit in a long. Non-ASCII digits, which Python also
 * takes, are refused.
 */
int conn_port_parse(const char *s, size_t len, long *port) ATTR_WUR;

/*
 * Connection.from_json(text) followed by the check of `airflow
 * connections add --conn-json` (airflow/models/connection.py, the same
 * in 2.10 and 3.x: apache/airflow commit c873bd5 lines 568-582, commit
 * e0b55c2 lines 604-617; the CLI's check at
 * airflow/cli/commands/connection_command.py lines 261-264 of c873bd5;
 * doc/airflow-compat.md sections 4.4 and 4.5), into c:
 * conn_type, description, host, login, password, schema, port and extra are
 * set; conn_id, id, the flags and team_name are not touched. Pass an empty
 * record.
 *
 * text is read as json.loads reads it (pyjson_loads: NaN and Infinity
 * taken, duplicate keys folded, the last one winning, integers exact).
 * Airflow's rules, value by value, with Python's truth value deciding
 * what counts as given:
 * - extra: a str is kept as it is; any other true value is stored as
 *   json.dumps(value) (integers exact, floats in repr form, ensure_ascii;
 *   \u0000 and lone surrogates kept, pyjson_loads_kept()); a false one
 *   ({}, "", 0, null) leaves no extra (NULL);
 * - conn_type: normalised (conn_normalize_type); required;
 * - port: int(value): an int, a numeric str (conn_port_parse), a float
 *   (truncated, as int(5.9) is 5), true (1); a false one leaves no port;
 * - description, host, login, password (into locked memory) and schema:
 *   a str, or null for none; a password's \u0000 becomes the byte 0
 *   (password_len counts it).
 * The JSON text itself is not kept; the tree that held the password is
 * wiped.
 *
 * 0, or -1 with e set to ERR_USAGE (ERR_NOMEM when memory ran out) and
 * c partly filled (clear it), with these messages:
 * - "--conn-json is not a JSON object": not JSON, or not an object;
 * - conn_refuse_nul() and conn_refuse_surrogate() (ERR_INVALID): a str
 *   that becomes a field (extra given as a str, conn_type, uri,
 *   description, host, login, schema) holding \u0000 or a lone
 *   surrogate, a password holding a lone surrogate; "conn-json is
 *   invalid; unexpected key with a NUL or a lone surrogate" for such a
 *   key;
 * - "Expected integer value for `port`, but got 'x' instead.": Airflow's
 *   ValueError, with the value in Python's repr ("got nan" for NaN;
 *   quotes and escapes as Python writes them for a str);
 * - "conn-json is invalid; must supply conn-type": Airflow's CLI.
 * Where Airflow fails with a Python TypeError or OverflowError, we refuse
 * with a message: a conn_type that is not a str ("conn-json is invalid;
 * conn_type must be a string"), an infinite port ("got inf"), a list or
 * object port ("... but got a value of type list instead."), a key that
 * Connection() does not take ("conn-json is invalid; unexpected key
 * 'k'", conn_id included). Deliberate differences, where Airflow would
 * go on: a value of another type for a str field ("conn-json is
 * invalid; `host` must be a string or null"), a port that does not fit
 * in a long ("conn-json is invalid; port 1e+300 is out of range"). Here
 * "uri" is refused ("conn-json is invalid; give a URI with --conn-uri,
 * not in the JSON"); uri_conn_json() (uri.h) takes it as Airflow does,
 * and `connections add --conn-json` uses that.
 */
int conn_parse_json(struct conn *c, const char *text, struct err *e) ATTR_WUR;

/*
 * Connection.from_json(text) alone: conn_parse_json() without the CLI's
 * "must supply conn-type" (c->conn_type may stay NULL). With uri not NULL
 * (a secret buffer), a true "uri" string goes there, for the caller to
 * hand to Connection(uri=...) (uri_conn_json()); with NULL a "uri" key is
 * refused.
 */
struct buf;
int conn_from_json(struct conn *c, const char *text, struct buf *uri,
    struct err *e) ATTR_WUR;

#endif
