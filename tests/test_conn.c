/*
 * test_conn.c: the connection record and Airflow's write rules for it
 * (src/conn.c), without a database.
 *
 * conn_seal() turns what a person typed into what Airflow reads, as
 * Connection.set_password() / set_extra() do (doc/airflow-compat.md section
 * 2.1, "Writing"): a non-empty value becomes a Fernet token of the ring's
 * primary key with its flag set; an empty password is ignored, so an update
 * keeps the stored password and flag, and a new row has none; an empty extra
 * is stored as given with the flag cleared; with encryption off (an empty
 * fernet_key, Airflow's NullFernet) values are stored plain. conn_decrypt()
 * turns a stored row back, field by field: a field no key opens is
 * UNDECRYPTABLE and the rest of the row stays usable. A password keeps
 * its NUL bytes on the way (password_len).
 *
 * Then the checks of `airflow connections add`: conn_validate_id() as
 * airflow/utils/helpers.py validate_key() (apache/airflow commit 0e5662c:
 * KEY_REGEX = ^[\w.-]+$ at line 50, validate_key() at lines 58-70), which
 * cli/commands/connection_command.py connections_add() calls with
 * max_length=200 and wraps as "Could not create connection. {e}"
 * (commit c873bd5, lines 216-219);
 * conn_validate_extra() as Airflow 3's extra check; conn_normalize_type()
 * and conn_dup().
 */
#include "config.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "err.h"
#include "fernet.h"
#include "keyring.h"

/* Two fixed keys (from `Fernet.generate_key()`); K1 is the primary. */
#define K1 "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
#define K2 "Ef0rZ3oUCJ4EhJ_ez-5tAJh9lHQT7a8Bv9j7B8Ok8GM="
#define KLOST "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE="

struct fx {
	struct keyring	*ring;		/* K1 (primary), K2 */
	struct keyring	*k2;		/* K2 alone */
	struct keyring	*lost;		/* a key nobody has */
	struct keyring	*off;		/* "": encryption off */
};

static struct keyring *
ring(const char *value)
{
	struct keyring *kr = NULL;
	struct err e;

	if (keyring_parse(&kr, value, strlen(value), NULL, &e) != 0)
		fail_msg("keyring_parse: %s", e.msg);
	return kr;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	f->ring = ring(K1 "," K2);
	f->k2 = ring(K2);
	f->lost = ring(KLOST);
	f->off = ring("");
	assert_false(keyring_enabled(f->off));
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	keyring_free(f->ring);
	keyring_free(f->k2);
	keyring_free(f->lost);
	keyring_free(f->off);
	free(f);
	return 0;
}

/* A record as typed: password and extra may be NULL. */
static struct conn *
typed(const char *password, const char *extra)
{
	struct conn *c = conn_new();
	struct err e;

	assert_non_null(c);
	assert_int_equal(conn_set_str(c, &c->conn_id, "my_db", &e), 0);
	assert_int_equal(conn_set_str(c, &c->conn_type, "postgres", &e), 0);
	assert_int_equal(conn_set_str(c, &c->host, "db.example.com", &e), 0);
	assert_int_equal(conn_set_str(c, &c->login, "airflow", &e), 0);
	assert_int_equal(conn_set_str(c, &c->password, password, &e), 0);
	assert_int_equal(conn_set_str(c, &c->extra, extra, &e), 0);
	return c;
}

static void
seal(struct conn *c, const struct conn *old, struct keyring *kr)
{
	struct err e;

	err_clear(&e);
	if (conn_seal(c, old, kr, &e) != 0)
		fail_msg("conn_seal: %s", e.msg);
}

/*
 * Decrypt tok with kr; it must open, with key index key and give plain.
 * Returns nothing: fails the test otherwise.
 */
static void
opens_to(struct keyring *kr, const char *tok, int key, const char *plain)
{
	struct fernet_info fi;
	uint8_t out[256];
	size_t n = 0;
	struct err e;

	assert_non_null(tok);
	if (keyring_decrypt(kr, tok, strlen(tok), out, sizeof out, &n, &fi,
	    &e) != 0)
		fail_msg("the token does not open: %s", e.msg);
	assert_int_equal(fi.key_index, key);
	assert_int_equal(n, strlen(plain));
	assert_memory_equal(out, plain, n);
}

/* 1 if kr opens tok. */
static int
opens(struct keyring *kr, const char *tok)
{
	struct fernet_info fi;
	uint8_t out[256];
	size_t n;

	return keyring_decrypt(kr, tok, strlen(tok), out, sizeof out, &n, &fi,
	    NULL) == 0;
}

/* -- conn_seal ----------------------------------------------------------- */

static void
test_seal_new(void **state)
{
	struct fx *f = *state;
	struct conn *c;

	/* Both set: tokens of the primary key (K2 alone cannot open them). */
	c = typed("s3cret", "{\"sslmode\": \"require\"}");
	seal(c, NULL, f->ring);
	assert_int_equal(c->is_encrypted, 1);
	assert_int_equal(c->is_extra_encrypted, 1);
	assert_int_equal(strncmp(c->password, "gAAAAA", 6), 0);
	opens_to(f->ring, c->password, 0, "s3cret");
	opens_to(f->ring, c->extra, 0, "{\"sslmode\": \"require\"}");
	assert_false(opens(f->k2, c->password));
	assert_false(opens(f->k2, c->extra));
	/* The other fields are not touched. */
	assert_string_equal(c->host, "db.example.com");
	assert_string_equal(c->login, "airflow");
	conn_free(c);

	/* Empty password, new row: nothing stored, flag clear. */
	c = typed("", NULL);
	seal(c, NULL, f->ring);
	assert_null(c->password);
	assert_int_equal(c->is_encrypted, 0);
	assert_null(c->extra);
	assert_int_equal(c->is_extra_encrypted, 0);
	conn_free(c);

	c = typed(NULL, "");
	seal(c, NULL, f->ring);
	assert_null(c->password);
	assert_int_equal(c->is_encrypted, 0);
	/* set_extra("") stores "" as it is. */
	assert_string_equal(c->extra, "");
	assert_int_equal(c->is_extra_encrypted, 0);
	conn_free(c);
}

/* An update: old is the row as stored now. */
static void
test_seal_update(void **state)
{
	struct fx *f = *state;
	struct conn *old, *c;
	char *stored_pw;

	old = typed("old-pw", "{\"a\": 1}");
	seal(old, NULL, f->ring);
	old->password_info.state = CONN_SECRET_ENCRYPTED;
	stored_pw = strdup(old->password);
	assert_non_null(stored_pw);

	/* An empty password keeps old's stored token and flag, as stored. */
	c = typed("", "{\"b\": 2}");
	seal(c, old, f->ring);
	assert_string_equal(c->password, stored_pw);
	assert_int_equal(c->is_encrypted, 1);
	assert_int_equal(c->password_info.state, CONN_SECRET_ENCRYPTED);
	/* The extra typed is sealed anew. */
	assert_int_equal(c->is_extra_encrypted, 1);
	opens_to(f->ring, c->extra, 0, "{\"b\": 2}");
	/* A copy: freeing old leaves it intact. */
	assert_true(c->password != old->password);
	conn_free(c);

	/* NULL is the same as "". */
	c = typed(NULL, NULL);
	seal(c, old, f->ring);
	assert_string_equal(c->password, stored_pw);
	assert_int_equal(c->is_encrypted, 1);
	/* The extra is never kept from old: set_extra(None) stores None. */
	assert_null(c->extra);
	assert_int_equal(c->is_extra_encrypted, 0);
	conn_free(c);

	c = typed("", "");
	seal(c, old, f->ring);
	assert_string_equal(c->extra, "");
	assert_int_equal(c->is_extra_encrypted, 0);
	conn_free(c);

	/* A new password replaces the old one. */
	c = typed("new-pw", NULL);
	seal(c, old, f->ring);
	assert_string_not_equal(c->password, stored_pw);
	opens_to(f->ring, c->password, 0, "new-pw");
	conn_free(c);

	/* A plaintext stored password is kept plain, flag 0. */
	conn_free(old);
	old = typed("plain-pw", NULL);
	old->is_encrypted = 0;
	c = typed("", NULL);
	seal(c, old, f->ring);
	assert_string_equal(c->password, "plain-pw");
	assert_int_equal(c->is_encrypted, 0);
	conn_free(c);

	/* A stored row with no password: still none. */
	conn_free(old);
	old = typed(NULL, NULL);
	c = typed("", NULL);
	seal(c, old, f->ring);
	assert_null(c->password);
	assert_int_equal(c->is_encrypted, 0);
	conn_free(c);
	conn_free(old);
	free(stored_pw);
}

/* Encryption off: stored plain, flags clear, as NullFernet. */
static void
test_seal_encryption_off(void **state)
{
	struct fx *f = *state;
	struct conn *c = typed("s3cret", "{\"a\": 1}");

	seal(c, NULL, f->off);
	assert_string_equal(c->password, "s3cret");
	assert_int_equal(c->is_encrypted, 0);
	assert_string_equal(c->extra, "{\"a\": 1}");
	assert_int_equal(c->is_extra_encrypted, 0);
	conn_free(c);
}

/* -- conn_decrypt -------------------------------------------------------- */

static void
test_decrypt_roundtrip(void **state)
{
	struct fx *f = *state;
	struct conn *c = typed("s3cret", "{\"a\": 1}");
	struct err e;

	keyring_set_time(f->ring, 1700000000);
	seal(c, NULL, f->ring);
	keyring_set_time(f->ring, 0);
	assert_int_equal(conn_decrypt(c, f->ring, &e), 0);
	assert_string_equal(c->password, "s3cret");
	assert_string_equal(c->extra, "{\"a\": 1}");
	assert_true(conn_field_is_secret(c, &c->password));
	assert_true(conn_field_is_secret(c, &c->extra));
	assert_false(conn_field_is_secret(c, &c->host));
	assert_int_equal(c->password_info.state, CONN_SECRET_ENCRYPTED);
	assert_int_equal(c->password_info.key_index, 0);
	assert_true(c->password_info.has_timestamp);
	assert_int_equal(c->password_info.timestamp, 1700000000);
	assert_int_equal(c->extra_info.state, CONN_SECRET_ENCRYPTED);
	conn_free(c);

	/* With the key second in the ring: opened by key 1. */
	c = typed("pw2", NULL);
	seal(c, NULL, f->k2);
	assert_int_equal(conn_decrypt(c, f->ring, &e), 0);
	assert_string_equal(c->password, "pw2");
	assert_int_equal(c->password_info.key_index, 1);
	assert_int_equal(c->extra_info.state, CONN_SECRET_EMPTY);
	conn_free(c);
}

/*
 * A NUL in the password, kept as Airflow keeps it (set_password() encrypts
 * bytes(value, "utf-8"), doc/airflow-compat.md section 4.6): password_len
 * counts every byte through conn_set, conn_dup, conn_seal (a lone "\0" is
 * not empty; an update with none keeps it) and conn_decrypt; with
 * encryption off it is refused.
 */
static void
test_password_nul(void **state)
{
	struct fx *f = *state;
	struct conn *c = typed(NULL, NULL), *d, *upd;
	struct fernet_info fi;
	uint8_t out[64];
	size_t n = 0;
	struct err e;

	assert_int_equal(c->password_len, 0);
	assert_int_equal(conn_set(c, &c->password, "\0a\0", 3, &e), 0);
	assert_int_equal(c->password_len, 3);
	assert_int_equal(conn_check_utf8(c, "show", &e), 0);
	d = conn_dup(c);
	assert_non_null(d);
	assert_int_equal(d->password_len, 3);
	assert_memory_equal(d->password, "\0a\0", 4);

	/* Encrypted whole: the token opens to the three bytes. */
	seal(c, NULL, f->ring);
	assert_int_equal(c->is_encrypted, 1);
	assert_int_equal(c->password_len, strlen(c->password));
	assert_int_equal(keyring_decrypt(f->ring, c->password, c->password_len,
	    out, sizeof out, &n, &fi, &e), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "\0a\0", 3);

	/* An update without a password keeps the stored token and its length. */
	upd = typed(NULL, NULL);
	seal(upd, c, f->ring);
	assert_string_equal(upd->password, c->password);
	assert_int_equal(upd->password_len, c->password_len);
	assert_int_equal(upd->is_encrypted, 1);

	/* Read back: the plaintext length, not strlen(). */
	assert_int_equal(conn_decrypt(upd, f->ring, &e), 0);
	assert_int_equal(upd->password_info.state, CONN_SECRET_ENCRYPTED);
	assert_int_equal(upd->password_len, 3);
	assert_memory_equal(upd->password, "\0a\0", 4);
	conn_reset(upd);
	assert_int_equal(upd->password_len, 0);
	conn_free(upd);

	/* A password of one NUL is not empty. */
	assert_int_equal(conn_set(d, &d->password, "", 1, &e), 0);
	seal(d, NULL, f->ring);
	assert_int_equal(d->is_encrypted, 1);
	assert_int_equal(conn_decrypt(d, f->ring, &e), 0);
	assert_int_equal(d->password_len, 1);
	assert_int_equal(d->password[0], '\0');

	/* Bad UTF-8 after the NUL is still found. */
	assert_int_equal(conn_set(d, &d->password, "\0\xff", 2, &e), 0);
	assert_int_equal(conn_check_utf8(d, "show", &e), -1);
	assert_non_null(strstr(e.msg, "its password is not valid UTF-8"));

	/* Encryption off: the stores write plain text as a C string. */
	assert_int_equal(conn_set(d, &d->password, "x\0y", 3, &e), 0);
	err_clear(&e);
	assert_int_equal(conn_seal(d, NULL, f->off, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	assert_non_null(strstr(e.msg, "which ferncon stores only encrypted"));
	/* Nor an update that keeps such a plain stored password, encryption
	   on or off: the store would write it back cut. */
	d->is_encrypted = 0;
	upd = typed(NULL, NULL);
	err_clear(&e);
	assert_int_equal(conn_seal(upd, d, f->ring, &e), -1);
	assert_non_null(strstr(e.msg, "which ferncon stores only encrypted"));
	err_clear(&e);
	assert_int_equal(conn_seal(upd, d, f->off, &e), -1);
	assert_int_equal(e.code, ERR_INVALID);
	conn_free(upd);
	conn_free(d);
	conn_free(c);
}

/* A field no key opens: UNDECRYPTABLE and NULL; the rest still usable. */
static void
test_decrypt_undecryptable(void **state)
{
	struct fx *f = *state;
	struct conn *c, *x;
	struct err e;

	/* Password sealed with a lost key, extra with ours. */
	c = typed("lostpw", NULL);
	keyring_set_time(f->lost, 1600000000);
	seal(c, NULL, f->lost);
	x = typed(NULL, "{\"region\": \"eu\"}");
	seal(x, NULL, f->ring);
	assert_int_equal(conn_set_str(c, &c->extra, x->extra, &e), 0);
	c->is_extra_encrypted = 1;
	conn_free(x);

	assert_int_equal(conn_decrypt(c, f->ring, &e), 0);
	assert_null(c->password);
	assert_int_equal(c->password_info.state, CONN_SECRET_UNDECRYPTABLE);
	assert_int_equal(c->password_info.key_index, -1);
	/* Its time is read from the token without a key. */
	assert_true(c->password_info.has_timestamp);
	assert_int_equal(c->password_info.timestamp, 1600000000);
	assert_int_equal(c->extra_info.state, CONN_SECRET_ENCRYPTED);
	assert_string_equal(c->extra, "{\"region\": \"eu\"}");
	assert_string_equal(c->host, "db.example.com");
	assert_string_equal(c->conn_id, "my_db");
	conn_free(c);

	/* Flagged, but not a token at all: undecryptable, no time. */
	c = typed("not-a-token", "plain extra");
	c->is_encrypted = 1;
	assert_int_equal(conn_decrypt(c, f->ring, &e), 0);
	assert_null(c->password);
	assert_int_equal(c->password_info.state, CONN_SECRET_UNDECRYPTABLE);
	assert_false(c->password_info.has_timestamp);
	/* Flag clear: plain text, shown as it is. */
	assert_int_equal(c->extra_info.state, CONN_SECRET_PLAIN);
	assert_string_equal(c->extra, "plain extra");
	conn_free(c);

	/* Encryption off: a flagged token opens with nothing. */
	c = typed("s3cret", NULL);
	seal(c, NULL, f->ring);
	assert_int_equal(conn_decrypt(c, f->off, &e), 0);
	assert_null(c->password);
	assert_int_equal(c->password_info.state, CONN_SECRET_UNDECRYPTABLE);
	conn_free(c);

	/* Empty fields are EMPTY whatever the flag says. */
	c = typed("", NULL);
	c->is_encrypted = 1;
	c->is_extra_encrypted = 1;
	assert_int_equal(conn_decrypt(c, f->ring, &e), 0);
	assert_int_equal(c->password_info.state, CONN_SECRET_EMPTY);
	assert_int_equal(c->extra_info.state, CONN_SECRET_EMPTY);
	conn_free(c);
}

/* -- Airflow's checks ---------------------------------------------------- */

static void
test_validate_id(void **state)
{
	static const char *const good[] = {
		"my_db", "a", "A-b.c_d", "...", "-", "123",
		"conné",		/* Python's \w is Unicode */
		"日本語", "x٣",		/* letters and digits of any script */
	};
	/* Each with Python's repr() of it, as f"The key {k!r} ..." writes it
	 * (python3 -c 'print(repr("a\tb"))'). */
	static const char *const bad[][2] = {
		{ "", "''" }, { "my db", "'my db'" }, { "a/b", "'a/b'" },
		{ "a:b", "'a:b'" }, { "Test$", "'Test$'" }, { "a@b", "'a@b'" },
		{ "a\tb", "'a\\tb'" }, { "a+b", "'a+b'" },
		{ "it's", "\"it's\"" },
		/* Python's $ also matches before a final newline; ferncon
		 * does not take that newline into a conn_id. */
		{ "abc\n", "'abc\\n'" },
	};
	char id[1024], want[1200];
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(good); i++) {
		err_clear(&e);
		if (conn_validate_id(good[i], &e) != 0)
			fail_msg("'%s' refused: %s", good[i], e.msg);
	}
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		err_clear(&e);
		if (conn_validate_id(bad[i][0], &e) != -1)
			fail_msg("'%s' accepted", bad[i][0]);
		assert_int_equal(e.code, ERR_USAGE);
		snprintf(want, sizeof want, "Could not create connection. The key "
		    "%s has to be made of alphanumeric characters, dashes, dots "
		    "and underscores exclusively", bad[i][1]);
		assert_string_equal(e.msg, want);
	}
	err_clear(&e);
	assert_int_equal(conn_validate_id(NULL, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);

	/* 200 characters are fine, 201 are not; characters, not bytes. */
	memset(id, 'a', 200);
	id[200] = '\0';
	assert_int_equal(conn_validate_id(id, &e), 0);
	id[200] = 'a';
	id[201] = '\0';
	err_clear(&e);
	assert_int_equal(conn_validate_id(id, &e), -1);
	assert_int_equal(e.code, ERR_USAGE);
	/*
	 * Airflow prints the whole key ("The key: <k> has to be less than 200
	 * characters"); ferncon shortens it to 60 bytes and "...".
	 */
	snprintf(want, sizeof want, "Could not create connection. The key: "
	    "%.60s... has to be less than 200 characters", id);
	assert_string_equal(e.msg, want);
	for (i = 0; i < 200; i++)
		memcpy(id + 2 * i, "\xc3\xa9", 2);	/* é: 2 bytes, 1 character */
	id[400] = '\0';
	err_clear(&e);
	assert_int_equal(conn_validate_id(id, &e), 0);
	memcpy(id + 400, "\xc3\xa9", 3);
	assert_int_equal(conn_validate_id(id, &e), -1);
	assert_non_null(strstr(e.msg, "less than 200 characters"));
	/* Too long is found before bad characters, as validate_key does. */
	memset(id, ' ', 300);
	id[300] = '\0';
	err_clear(&e);
	assert_int_equal(conn_validate_id(id, &e), -1);
	assert_non_null(strstr(e.msg, "less than 200 characters"));
}

static void
test_validate_extra(void **state)
{
	static const char *const good[] = {
		"{}", "{\"a\": 1}", " {\"a\": [1, {\"b\": null}]}\n",
		"{\"n\": NaN, \"i\": -Infinity}",	/* json.loads takes these */
		"{\"big\": 123456789012345678901234567890}",
	};
	static const char *const not_dict[] = {
		"[]", "1", "\"text\"", "null", "true", "NaN",
	};
	static const struct {
		const char	*extra;
		size_t		 at;
	} not_json[] = {
		{ "{\"a\": }", 6 },
		{ "{", 1 },
		{ "{\"a\": 1} x", 9 },
		{ "not json", 0 },
	};
	char want[512];
	struct err e;
	size_t i;

	(void)state;
	assert_int_equal(conn_validate_extra("c", NULL, &e), 0);
	assert_int_equal(conn_validate_extra("c", "", &e), 0);
	for (i = 0; i < ARRAY_LEN(good); i++) {
		err_clear(&e);
		if (conn_validate_extra("c", good[i], &e) != 0)
			fail_msg("'%s' refused: %s", good[i], e.msg);
	}
	for (i = 0; i < ARRAY_LEN(not_dict); i++) {
		err_clear(&e);
		assert_int_equal(conn_validate_extra("my_db", not_dict[i], &e), -1);
		assert_int_equal(e.code, ERR_INVALID);
		assert_string_equal(e.msg, "Encountered JSON value in `extra` which "
		    "does not parse as a dictionary in connection 'my_db'");
	}
	for (i = 0; i < ARRAY_LEN(not_json); i++) {
		err_clear(&e);
		assert_int_equal(conn_validate_extra("my_db", not_json[i].extra,
		    &e), -1);
		assert_int_equal(e.code, ERR_INVALID);
		snprintf(want, sizeof want, "Encountered non-JSON in `extra` field "
		    "for connection 'my_db' (at byte %zu)", not_json[i].at);
		assert_string_equal(e.msg, want);
	}
	/* No conn_id yet (an add from a form): an empty name. */
	err_clear(&e);
	assert_int_equal(conn_validate_extra(NULL, "[]", &e), -1);
	assert_non_null(strstr(e.msg, "in connection ''"));
}

static void
test_normalize_type(void **state)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "postgresql", "postgres" },
		{ "postgres", "postgres" },
		{ "google-cloud-platform", "google_cloud_platform" },
		{ "my-postgresql", "my_postgresql" },
		{ "http", "http" },
		{ "", "" },
		/* Airflow lower-cases the scheme before; this does not. */
		{ "Postgresql", "Postgresql" },
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		snprintf(buf, sizeof buf, "%s", cases[i].in);
		conn_normalize_type(buf);
		assert_string_equal(buf, cases[i].out);
	}
	conn_normalize_type(NULL);
}

static void
test_dup(void **state)
{
	struct conn *c = typed("s3cret", "{\"a\": 1}"), *d;
	struct err e;

	(void)state;
	c->id = 42;
	c->has_port = 1;
	c->port = 5432;
	c->is_encrypted = 1;
	c->password_info.state = CONN_SECRET_ENCRYPTED;
	c->password_info.key_index = 1;
	c->extra_info.state = CONN_SECRET_PLAIN;
	assert_int_equal(conn_set_str(c, &c->schema, "", &e), 0);

	d = conn_dup(c);
	assert_non_null(d);
	assert_int_equal(d->id, 42);
	assert_int_equal(d->has_port, 1);
	assert_int_equal(d->port, 5432);
	assert_int_equal(d->is_encrypted, 1);
	assert_int_equal(d->is_extra_encrypted, 0);
	assert_int_equal(d->password_info.state, CONN_SECRET_ENCRYPTED);
	assert_int_equal(d->password_info.key_index, 1);
	assert_int_equal(d->extra_info.state, CONN_SECRET_PLAIN);
	assert_string_equal(d->conn_id, "my_db");
	assert_string_equal(d->host, "db.example.com");
	assert_string_equal(d->schema, "");	/* "" stays "", not NULL */
	assert_null(d->description);		/* NULL stays NULL */
	assert_null(d->team_name);
	assert_string_equal(d->password, "s3cret");
	assert_string_equal(d->extra, "{\"a\": 1}");

	/* Deep: no string is shared, and the secrets sit in d's own memory. */
	assert_true(d->conn_id != c->conn_id && d->host != c->host &&
	    d->password != c->password && d->extra != c->extra);
	assert_true(d->password == d->secret_mem[0]);
	assert_true(d->extra == d->secret_mem[1]);
	assert_int_equal(conn_set_str(d, &d->password, "changed", &e), 0);
	assert_int_equal(conn_set_str(d, &d->host, "other", &e), 0);
	assert_string_equal(c->password, "s3cret");
	assert_string_equal(c->host, "db.example.com");
	conn_free(c);
	/* The copy outlives the original. */
	assert_string_equal(d->extra, "{\"a\": 1}");
	conn_free(d);
	conn_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seal_new, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seal_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seal_encryption_off, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_decrypt_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_password_nul, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_decrypt_undecryptable, setup,
		    teardown),
		cmocka_unit_test(test_validate_id),
		cmocka_unit_test(test_validate_extra),
		cmocka_unit_test(test_normalize_type),
		cmocka_unit_test(test_dup),
	};

	tu_init();
	return cmocka_run_group_tests_name("conn", tests, NULL, NULL);
}
