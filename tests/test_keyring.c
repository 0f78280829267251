/*
 * test_keyring.c: parsing `[core] fernet_key` exactly as Airflow's
 * get_fernet() does (a table of good and bad values), key generation in the
 * shape of Fernet.generate_key(), and the ring's encrypt / decrypt / rotate.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keyring.h"
#include "testutil.h"

/* Two fixed keys (from `Fernet.generate_key()`), and one 32 bytes of 0xfb. */
#define K1 "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="
#define K2 "Ef0rZ3oUCJ4EhJ_ez-5tAJh9lHQT7a8Bv9j7B8Ok8GM="
#define KFB_URL "-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_s="
#define KFB_STD "+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/s="

struct parse_case {
	const char	*value;
	int		 ok;
	size_t		 nkeys;
	const char	*msg_part;	/* for failures: a part of the message */
};

static const struct parse_case cases[] = {
	/* Airflow's NullFernet: an empty value turns encryption off. */
	{ "", 1, 0, NULL },
	{ K1, 1, 1, NULL },
	{ K1 "," K2, 1, 2, NULL },
	/* urlsafe_b64decode ignores whitespace anywhere in a key. */
	{ " " K1 " , " K2 "\n", 1, 2, NULL },
	{ "cw_0x689RpI-jtRR7oE8h\t_eQsKImvJapLeSbXpwF4e4=", 1, 1, NULL },
	/* `openssl rand -base64 32` keys use + and /: accepted. */
	{ KFB_STD, 1, 1, NULL },
	{ K1 "," KFB_STD, 1, 2, NULL },
	/* Errors: Airflow's message, and which part. */
	{ K1 ",", 0, 0, "key 2 of 2 is empty: a trailing comma?" },
	{ "," K1, 0, 0, "key 1 of 2 is empty" },
	{ K1 ",," K2, 0, 0, "key 2 of 3 is empty" },
	{ " ", 0, 0, "key 1 of 1 is empty" },
	{ "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4", 0, 0, "(key 1 of 1)" },
	{ "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4", 0, 0, "(key 1 of 1)" },
	{ "AAAA", 0, 0, "(key 1 of 1)" },
	{ "not a fernet key at all!", 0, 0, "(key 1 of 1)" },
	{ K1 ",abc", 0, 0, "(key 2 of 2)" },
	/* 33 bytes */
	{ "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0, 0, "(key 1 of 1)" },
};

static void
test_parse_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		const struct parse_case *c = &cases[i];
		struct keyring *kr = NULL;
		struct err e;
		int rc;

		err_clear(&e);
		rc = keyring_parse(&kr, c->value, strlen(c->value), NULL, &e);
		if (c->ok) {
			if (rc != 0)
				fail_msg("case %zu: unexpected error: %s", i, e.msg);
			assert_int_equal(keyring_count(kr), c->nkeys);
			assert_int_equal(keyring_enabled(kr), c->nkeys > 0);
		} else {
			if (rc == 0)
				fail_msg("case %zu: '%s' was accepted", i, c->value);
			assert_null(kr);
			assert_int_equal(e.code, ERR_CONFIG);
			assert_non_null(strstr(e.msg, KEYRING_BAD_KEY_MSG));
			if (strstr(e.msg, c->msg_part) == NULL)
				fail_msg("case %zu: '%s' lacks '%s'", i, e.msg,
				    c->msg_part);
			/* No key text in the message. */
			assert_null(strstr(e.msg, "cw_0x689"));
			assert_null(strstr(e.msg, "Ef0rZ3o"));
		}
		keyring_free(kr);
	}
}

static void
test_std_alphabet_same_key(void **state)
{
	struct keyring *a = NULL, *b = NULL;
	struct err e;
	int warn = -1;
	char tok[200];
	uint8_t out[16];
	size_t n, on;

	(void)state;
	assert_int_equal(keyring_parse(&a, KFB_STD, strlen(KFB_STD), &warn, &e), 0);
	assert_int_equal(warn, 1);
	assert_int_equal(keyring_parse(&b, KFB_URL, strlen(KFB_URL), &warn, &e), 0);
	assert_int_equal(warn, 0);
	/* Both spellings are the same key. */
	assert_int_equal(keyring_encrypt(a, "x", 1, tok, sizeof tok, &n, &e), 0);
	assert_int_equal(keyring_decrypt(b, tok, n, out, sizeof out, &on, NULL,
	    &e), 0);
	keyring_free(a);
	keyring_free(b);
}

static void
test_generate(void **state)
{
	char k1[FERNET_KEY_B64LEN + 1], k2[FERNET_KEY_B64LEN + 1];
	struct keyring *kr = NULL;
	struct err e;

	(void)state;
	keyring_generate(k1);
	keyring_generate(k2);
	assert_int_equal(strlen(k1), 44);
	assert_int_equal(k1[43], '=');
	assert_null(strpbrk(k1, "+/"));
	assert_string_not_equal(k1, k2);
	assert_int_equal(keyring_parse(&kr, k1, strlen(k1), NULL, &e), 0);
	assert_int_equal(keyring_count(kr), 1);
	keyring_free(kr);
}

static void
test_ring_roles(void **state)
{
	struct keyring *old = NULL, *both = NULL, *newonly = NULL;
	struct fernet_info info;
	struct err e;
	char tok[200], rot[200];
	uint8_t out[32];
	size_t n, rn, on;

	(void)state;
	assert_int_equal(keyring_parse(&old, K2, strlen(K2), NULL, &e), 0);
	assert_int_equal(keyring_parse(&both, K1 "," K2, strlen(K1 "," K2), NULL,
	    &e), 0);
	assert_int_equal(keyring_parse(&newonly, K1, strlen(K1), NULL, &e), 0);

	/* A value written under the old key. */
	assert_int_equal(keyring_encrypt(old, "pw-old", 6, tok, sizeof tok, &n,
	    &e), 0);
	assert_int_equal(keyring_which(both, tok, n, &info), 1);
	assert_int_equal(keyring_which(newonly, tok, n, NULL), -1);
	assert_int_equal(keyring_which(both, "garbage", 7, NULL), -1);

	/* The ring decrypts with any key and encrypts with the first. */
	assert_int_equal(keyring_decrypt(both, tok, n, out, sizeof out, &on,
	    &info, &e), 0);
	assert_int_equal(info.key_index, 1);
	assert_memory_equal(out, "pw-old", 6);
	assert_int_equal(keyring_encrypt(both, "pw-new", 6, rot, sizeof rot, &rn,
	    &e), 0);
	assert_int_equal(keyring_which(newonly, rot, rn, NULL), 0);

	/* Rotation moves it to the new key, keeping the timestamp. */
	{
		struct fernet_info before;

		assert_int_equal(keyring_which(both, tok, n, &before), 1);
		assert_int_equal(keyring_rotate(both, tok, n, rot, sizeof rot, &rn,
		    &info, &e), 0);
		assert_int_equal(keyring_which(newonly, rot, rn, &info), 0);
		assert_true(info.timestamp == before.timestamp);
	}
	keyring_free(old);
	keyring_free(both);
	keyring_free(newonly);
}

static void
test_no_encryption_mode(void **state)
{
	struct keyring *kr = NULL;
	struct err e;
	char tok[200];
	size_t n;

	(void)state;
	assert_int_equal(keyring_parse(&kr, "", 0, NULL, &e), 0);
	assert_false(keyring_enabled(kr));
	err_clear(&e);
	assert_int_equal(keyring_encrypt(kr, "x", 1, tok, sizeof tok, &n, &e), -1);
	assert_int_equal(e.code, ERR_CONFIG);
	assert_non_null(strstr(e.msg, "fernet_key is empty"));
	keyring_free(kr);
}

static void
test_shared_signing_detected(void **state)
{
	struct keyring *kr = NULL, *kd = NULL;
	struct err e;
	/* Same first 16 bytes (the signing half), different second halves. */
	const char *v = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=";

	(void)state;
	assert_int_equal(keyring_parse(&kr, v, strlen(v), NULL, &e), 0);
	assert_true(keyring_shared_signing(kr));
	assert_null(keyring_hint(kr));
	assert_int_equal(keyring_parse(&kd, K1 "," K2, strlen(K1 "," K2), NULL,
	    &e), 0);
	assert_false(keyring_shared_signing(kd));
	assert_non_null(keyring_hint(kd));
	keyring_free(kr);
	keyring_free(kd);
}

static void
test_fixed_time(void **state)
{
	struct keyring *kr = NULL;
	struct fernet_info info;
	struct err e;
	char tok[200];
	size_t n;

	(void)state;
	assert_int_equal(keyring_parse(&kr, K1, strlen(K1), NULL, &e), 0);
	keyring_set_time(kr, 1615766400);
	assert_int_equal(keyring_encrypt(kr, "x", 1, tok, sizeof tok, &n, &e), 0);
	assert_int_equal(keyring_which(kr, tok, n, &info), 0);
	assert_true(info.timestamp == 1615766400);
	keyring_set_time(kr, 0);
	assert_int_equal(keyring_encrypt(kr, "x", 1, tok, sizeof tok, &n, &e), 0);
	assert_int_equal(keyring_which(kr, tok, n, &info), 0);
	assert_true(info.timestamp > 1700000000);
	keyring_free(kr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_std_alphabet_same_key),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_ring_roles),
		cmocka_unit_test(test_no_encryption_mode),
		cmocka_unit_test(test_shared_signing_detected),
		cmocka_unit_test(test_fixed_time),
	};
	int rc;

	tu_init();
	rc = cmocka_run_group_tests_name("keyring", tests, NULL, NULL);
	fernet_thread_cleanup();
	return rc;
}
