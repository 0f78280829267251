/*
 * test_fernet.c: the Fernet core against the official vectors (copied in
 * tests/vectors/ from github.com/fernet/spec) and against the rules of
 * doc/fernet.md sections 3 to 5: PKCS7 edges, NUL and format characters in
 * plaintexts, TTL boundaries and 64-bit timestamps, MultiFernet order
 * (including two keys sharing a signing half), rotation keeping the
 * timestamp, and the strict input policy.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "fernet.h"
#include "testutil.h"

/* -- helpers ------------------------------------------------------------- */

static cJSON *
load_vectors(const char *name)
{
	char rel[64];
	char *text;
	cJSON *json;

	snprintf(rel, sizeof rel, "tests/vectors/%s", name);
	text = tu_read(tu_srcpath(rel), NULL);
	assert_non_null(text);
	json = cJSON_Parse(text);
	free(text);
	assert_non_null(json);
	assert_true(cJSON_IsArray(json));
	return json;
}

/* RFC 3339 with a numeric offset, as the vectors write it. */
static uint64_t
parse_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, oh, om;
	char sign;
	time_t t;

	memset(&tm, 0, sizeof tm);
	assert_int_equal(sscanf(s, "%d-%d-%dT%d:%d:%d%c%d:%d", &y, &mo, &d, &h,
	    &mi, &sec, &sign, &oh, &om), 9);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	t += (sign == '-' ? 1 : -1) * (oh * 3600 + om * 60);
	return (uint64_t)t;
}

static struct fernet_key *
key_from_b64(const char *b64)
{
	uint8_t raw[FERNET_KEYBYTES];
	size_t n = 0;
	struct fernet_key *k = NULL;
	struct err e;

	assert_int_equal(sodium_base642bin(raw, sizeof raw, b64, strlen(b64),
	    NULL, &n, NULL, sodium_base64_VARIANT_URLSAFE), 0);
	assert_int_equal(n, FERNET_KEYBYTES);
	assert_int_equal(fernet_key_new(&k, raw, &e), 0);
	return k;
}

static struct fernet_key *
key_random(void)
{
	uint8_t raw[FERNET_KEYBYTES];
	struct fernet_key *k = NULL;
	struct err e;

	randombytes_buf(raw, sizeof raw);
	assert_int_equal(fernet_key_new(&k, raw, &e), 0);
	return k;
}

static char *
encrypt_str(struct fernet_key *k, const void *msg, size_t len, uint64_t ts)
{
	size_t cap = fernet_token_len(len) + 1, n = 0;
	char *tok = malloc(cap);
	struct err e;

	assert_non_null(tok);
	assert_int_equal(fernet_encrypt(k, msg, len, ts, NULL, tok, cap, &n, &e), 0);
	assert_int_equal(n, fernet_token_len(len));
	assert_int_equal(strlen(tok), n);
	return tok;
}

/* Decrypt with a ring; returns the key index or -1. */
static int
decrypt_ring(struct fernet_key **keys, size_t n, int *hint, const char *tok,
    const struct fernet_ttl *ttl, uint8_t *out, size_t *outlen)
{
	struct fernet_info info;
	struct err e;
	int rc;

	rc = fernet_decrypt(keys, n, hint, tok, strlen(tok), ttl, out,
	    fernet_plain_max(strlen(tok)), outlen, &info, &e);
	if (rc != 0) {
		assert_int_equal(e.code, ERR_INVALID);
		assert_string_equal(e.msg, "invalid token");
		return -1;
	}
	return info.key_index;
}

/* -- the official vectors ------------------------------------------------ */

static void
test_vectors_generate(void **state)
{
	cJSON *json = load_vectors("generate.json"), *v;
	int count = 0;

	(void)state;
	cJSON_ArrayForEach(v, json) {
		const char *secret = cJSON_GetObjectItem(v, "secret")->valuestring;
		const char *src = cJSON_GetObjectItem(v, "src")->valuestring;
		const char *want = cJSON_GetObjectItem(v, "token")->valuestring;
		cJSON *ivj = cJSON_GetObjectItem(v, "iv"), *b;
		uint8_t iv[16];
		int i = 0;
		char tok[512];
		size_t n = 0;
		struct err e;
		struct fernet_key *k = key_from_b64(secret);

		cJSON_ArrayForEach(b, ivj)
			iv[i++] = (uint8_t)b->valueint;
		assert_int_equal(i, 16);
		assert_int_equal(fernet_encrypt(k, src, strlen(src),
		    parse_time(cJSON_GetObjectItem(v, "now")->valuestring), iv,
		    tok, sizeof tok, &n, &e), 0);
		assert_string_equal(tok, want);
		fernet_key_free(k);
		count++;
	}
	assert_true(count > 0);
	cJSON_Delete(json);
}

static void
test_vectors_verify(void **state)
{
	cJSON *json = load_vectors("verify.json"), *v;
	int count = 0;

	(void)state;
	cJSON_ArrayForEach(v, json) {
		const char *src = cJSON_GetObjectItem(v, "src")->valuestring;
		const char *tok = cJSON_GetObjectItem(v, "token")->valuestring;
		struct fernet_key *k = key_from_b64(
		    cJSON_GetObjectItem(v, "secret")->valuestring);
		struct fernet_ttl ttl;
		uint8_t out[512];
		size_t n = 0;

		ttl.now = parse_time(cJSON_GetObjectItem(v, "now")->valuestring);
		ttl.ttl = (uint64_t)cJSON_GetObjectItem(v, "ttl_sec")->valueint;
		/* With the vector's TTL and clock, and with no TTL at all. */
		assert_int_equal(decrypt_ring(&k, 1, NULL, tok, &ttl, out, &n), 0);
		assert_int_equal(n, strlen(src));
		assert_memory_equal(out, src, n);
		assert_int_equal(decrypt_ring(&k, 1, NULL, tok, NULL, out, &n), 0);
		assert_memory_equal(out, src, n);
		fernet_key_free(k);
		count++;
	}
	assert_true(count > 0);
	cJSON_Delete(json);
}

static int
ttl_only(const char *desc)
{
	return strstr(desc, "far-future") != NULL || strstr(desc, "expired") != NULL;
}

static void
test_vectors_invalid(void **state)
{
	cJSON *json = load_vectors("invalid.json"), *v;
	int count = 0, ttl_cases = 0;

	(void)state;
	cJSON_ArrayForEach(v, json) {
		const char *desc = cJSON_GetObjectItem(v, "desc")->valuestring;
		const char *tok = cJSON_GetObjectItem(v, "token")->valuestring;
		struct fernet_key *k = key_from_b64(
		    cJSON_GetObjectItem(v, "secret")->valuestring);
		struct fernet_ttl ttl;
		uint8_t out[512];
		size_t n = 0;

		ttl.now = parse_time(cJSON_GetObjectItem(v, "now")->valuestring);
		ttl.ttl = (uint64_t)cJSON_GetObjectItem(v, "ttl_sec")->valueint;
		/* Every case fails with its TTL. */
		if (decrypt_ring(&k, 1, NULL, tok, &ttl, out, &n) != -1)
			fail_msg("vector '%s' decrypted with its TTL", desc);
		/* Without a TTL only the TTL-only cases open (as in Airflow). */
		if (ttl_only(desc)) {
			ttl_cases++;
			if (decrypt_ring(&k, 1, NULL, tok, NULL, out, &n) != 0)
				fail_msg("TTL-only vector '%s' must open with no TTL",
				    desc);
		} else if (decrypt_ring(&k, 1, NULL, tok, NULL, out, &n) != -1) {
			fail_msg("vector '%s' decrypted with no TTL", desc);
		}
		fernet_key_free(k);
		count++;
	}
	assert_true(count >= 8);
	assert_int_equal(ttl_cases, 2);
	cJSON_Delete(json);
}

/* -- plaintexts, sizes, the reader's rules ------------------------------- */

static void
test_roundtrip_lengths(void **state)
{
	struct fernet_key *k = key_random();
	uint8_t msg[70], out[128];
	size_t len, n;

	(void)state;
	randombytes_buf(msg, sizeof msg);
	msg[3] = 0;	/* NUL inside */
	for (len = 0; len < sizeof msg; len++) {
		char *tok = encrypt_str(k, msg, len, 1700000000);

		/* Raw length 57 + 16 * (len / 16 + 1): PKCS7 always pads. */
		assert_int_equal(strlen(tok), ((57 + 16 * (len / 16 + 1)) + 2) / 3 * 4);
		assert_int_equal(strncmp(tok, "gAAAAA", 6), 0);
		assert_int_equal(decrypt_ring(&k, 1, NULL, tok, NULL, out, &n), 0);
		assert_int_equal(n, len);
		if (len > 0)
			assert_memory_equal(out, msg, len);
		free(tok);
	}
	fernet_key_free(k);
}

static void
test_format_chars_verbatim(void **state)
{
	struct fernet_key *k = key_random();
	const char *msg = "%s %n %x%%";
	uint8_t out[64];
	size_t n;
	char *tok = encrypt_str(k, msg, strlen(msg), 1);

	(void)state;
	assert_int_equal(decrypt_ring(&k, 1, NULL, tok, NULL, out, &n), 0);
	assert_int_equal(n, strlen(msg));
	assert_memory_equal(out, msg, n);
	free(tok);
	fernet_key_free(k);
}

static void
test_fresh_iv_each_time(void **state)
{
	struct fernet_key *k = key_random();
	char *a = encrypt_str(k, "same", 4, 5), *b = encrypt_str(k, "same", 4, 5);

	(void)state;
	assert_string_not_equal(a, b);
	/* Same version and timestamp prefix, different IV. */
	assert_memory_equal(a, b, 12);
	free(a);
	free(b);
	fernet_key_free(k);
}

/* The IV (raw bytes 9 to 24) of n tokens of one message under k. */
#define IV_TOKENS 700	/* 11 200 bytes: the 4 KiB pool refilled twice */

struct iv_run {
	struct fernet_key	*k;
	uint8_t			 iv[IV_TOKENS][FERNET_IVBYTES];
};

static void *
iv_collect(void *arg)
{
	struct iv_run *r = arg;
	uint8_t raw[128];	/* a 4-byte message: 73 raw bytes */
	size_t i, n;

	for (i = 0; i < IV_TOKENS; i++) {
		char *tok = encrypt_str(r->k, "same", 4, 5);

		assert_int_equal(sodium_base642bin(raw, sizeof raw, tok,
		    strlen(tok), NULL, &n, NULL,
		    sodium_base64_VARIANT_URLSAFE), 0);
		memcpy(r->iv[i], raw + 9, FERNET_IVBYTES);
		free(tok);
	}
	fernet_thread_cleanup();
	return NULL;
}

static int
iv_cmp(const void *a, const void *b)
{
	return memcmp(a, b, FERNET_IVBYTES);
}

/*
 * IVs never repeat: not across refills of a thread's pool (each from a
 * fresh seed), not between two threads' pools; and they are not a counter.
 */
static void
test_ivs_distinct_across_refills_and_threads(void **state)
{
	struct iv_run *r = calloc(2, sizeof *r);
	uint8_t (*all)[FERNET_IVBYTES];
	pthread_t t;
	size_t i, same_prefix = 0;

	(void)state;
	assert_non_null(r);
	r[0].k = key_random();
	r[1].k = key_random();
	assert_int_equal(pthread_create(&t, NULL, iv_collect, &r[1]), 0);
	iv_collect(&r[0]);
	assert_int_equal(pthread_join(t, NULL), 0);
	all = malloc(2 * sizeof r[0].iv);
	assert_non_null(all);
	memcpy(all, r[0].iv, sizeof r[0].iv);
	memcpy(all + IV_TOKENS, r[1].iv, sizeof r[1].iv);
	qsort(all, 2 * IV_TOKENS, FERNET_IVBYTES, iv_cmp);
	for (i = 1; i < 2 * IV_TOKENS; i++) {
		assert_int_not_equal(memcmp(all[i - 1], all[i], FERNET_IVBYTES), 0);
		if (memcmp(all[i - 1], all[i], 8) == 0)
			same_prefix++;
	}
	/* 1400 random IVs share a first 8 bytes with odds of about 1e-16. */
	assert_int_equal(same_prefix, 0);
	fernet_key_free(r[0].k);
	fernet_key_free(r[1].k);
	free(all);
	free(r);
}

static void
test_timestamps_64bit_no_ttl(void **state)
{
	struct fernet_key *k = key_random();
	uint64_t stamps[] = { 0, 1, 4102444800ULL, UINT64_MAX };
	uint8_t out[16];
	size_t i, n;

	(void)state;
	for (i = 0; i < ARRAY_LEN(stamps); i++) {
		char *tok = encrypt_str(k, "x", 1, stamps[i]);
		struct fernet_info info;
		struct err e;

		assert_int_equal(fernet_decrypt(&k, 1, NULL, tok, strlen(tok), NULL,
		    out, sizeof out, &n, &info, &e), 0);
		assert_true(info.timestamp == stamps[i]);
		free(tok);
	}
	fernet_key_free(k);
}

static void
test_ttl_boundaries(void **state)
{
	struct fernet_key *k = key_random();
	char *tok = encrypt_str(k, "x", 1, 1000000);
	struct fernet_ttl ttl;
	uint8_t out[16];
	size_t n;

	(void)state;
	ttl.ttl = 100;
	ttl.now = 1000100;	/* age == ttl: still valid */
	assert_int_equal(decrypt_ring(&k, 1, NULL, tok, &ttl, out, &n), 0);
	ttl.now = 1000101;	/* one second past */
	assert_int_equal(decrypt_ring(&k, 1, NULL, tok, &ttl, out, &n), -1);
	ttl.now = 1000000 - 60;	/* exactly 60 s ahead: valid */
	assert_int_equal(decrypt_ring(&k, 1, NULL, tok, &ttl, out, &n), 0);
	ttl.now = 1000000 - 61;
	assert_int_equal(decrypt_ring(&k, 1, NULL, tok, &ttl, out, &n), -1);
	free(tok);
	/* No overflow near 2^64. */
	tok = encrypt_str(k, "x", 1, UINT64_MAX);
	ttl.now = 0;
	ttl.ttl = UINT64_MAX;
	assert_int_equal(decrypt_ring(&k, 1, NULL, tok, &ttl, out, &n), -1);
	ttl.now = UINT64_MAX - 30;
	ttl.ttl = 0;
	assert_int_equal(decrypt_ring(&k, 1, NULL, tok, &ttl, out, &n), 0);
	free(tok);
	fernet_key_free(k);
}

static void
test_input_policy(void **state)
{
	struct fernet_key *k = key_random();
	char *tok = encrypt_str(k, "secret value", 12, 1234567890);
	size_t len = strlen(tok), n;
	char buf[512];
	uint8_t out[64];

	(void)state;
	/* Surrounding whitespace is ignored. */
	snprintf(buf, sizeof buf, "  \t%s\r\n", tok);
	assert_int_equal(decrypt_ring(&k, 1, NULL, buf, NULL, out, &n), 0);
	/* Inner whitespace is not. */
	snprintf(buf, sizeof buf, "%.20s \n%s", tok, tok + 20);
	assert_int_equal(decrypt_ring(&k, 1, NULL, buf, NULL, out, &n), -1);
	/* Missing padding. */
	assert_true(tok[len - 1] == '=');
	snprintf(buf, sizeof buf, "%.*s", (int)(len - 1), tok);
	assert_int_equal(decrypt_ring(&k, 1, NULL, buf, NULL, out, &n), -1);
	/* Data after the padding. */
	snprintf(buf, sizeof buf, "%sAAAA", tok);
	assert_int_equal(decrypt_ring(&k, 1, NULL, buf, NULL, out, &n), -1);
	/*
	 * The standard alphabet where the token has - or _ (if it has any):
	 * opened, as cryptography's urlsafe_b64decode() translates +/ to -_
	 * and Airflow decrypts such a token (issue 14 item 17; the Python
	 * oracle is in tests/cli_keytext.sh).
	 */
	strcpy(buf, tok);
	for (n = 0; buf[n]; n++) {
		if (buf[n] == '-') { buf[n] = '+'; break; }
		if (buf[n] == '_') { buf[n] = '/'; break; }
	}
	if (buf[n] != '\0')
		assert_int_equal(decrypt_ring(&k, 1, NULL, buf, NULL, out, &n), 0);
	/* '=' inside the text, and a character of no alphabet. */
	strcpy(buf, tok);
	buf[40] = '=';
	assert_int_equal(decrypt_ring(&k, 1, NULL, buf, NULL, out, &n), -1);
	buf[40] = '*';
	assert_int_equal(decrypt_ring(&k, 1, NULL, buf, NULL, out, &n), -1);
	/*
	 * Unused low bits set in the last character before "==" decode to the
	 * same bytes, as Python's base64 (which cryptography's Fernet uses)
	 * decodes them: accepted, as Airflow accepts it.
	 */
	strcpy(buf, tok);
	assert_true(buf[len - 2] == '=');
	{
		static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_";
		size_t at = (size_t)(strchr(alpha, buf[len - 3]) - alpha);

		assert_int_equal(at % 16, 0);	/* canonical: 4 unused bits clear */
		buf[len - 3] = alpha[at | 1];
		assert_int_equal(decrypt_ring(&k, 1, NULL, buf, NULL, out, &n), 0);
		assert_int_equal(n, 12);
	}
	/* Empty, whitespace only, wrong version byte, truncated. */
	assert_int_equal(decrypt_ring(&k, 1, NULL, "", NULL, out, &n), -1);
	assert_int_equal(decrypt_ring(&k, 1, NULL, "   ", NULL, out, &n), -1);
	strcpy(buf, tok);
	buf[0] = 'A';
	assert_int_equal(decrypt_ring(&k, 1, NULL, buf, NULL, out, &n), -1);
	snprintf(buf, sizeof buf, "%.96s", tok);
	assert_int_equal(decrypt_ring(&k, 1, NULL, buf, NULL, out, &n), -1);
	/* A flipped bit in the MAC, the ciphertext, the timestamp. */
	strcpy(buf, tok);
	buf[len - 4] = buf[len - 4] == 'A' ? 'B' : 'A';
	assert_int_equal(decrypt_ring(&k, 1, NULL, buf, NULL, out, &n), -1);
	strcpy(buf, tok);
	buf[40] = buf[40] == 'A' ? 'B' : 'A';
	assert_int_equal(decrypt_ring(&k, 1, NULL, buf, NULL, out, &n), -1);
	strcpy(buf, tok);
	buf[8] = buf[8] == 'A' ? 'B' : 'A';
	assert_int_equal(decrypt_ring(&k, 1, NULL, buf, NULL, out, &n), -1);
	free(tok);
	fernet_key_free(k);
}

/* -- rings and rotation -------------------------------------------------- */

static void
test_ring_order_and_hint(void **state)
{
	struct fernet_key *keys[3] = { key_random(), key_random(), key_random() };
	struct fernet_key *other = key_random();
	char *t2 = encrypt_str(keys[2], "old", 3, 10);
	char *t0 = encrypt_str(keys[0], "new", 3, 20);
	char *tx = encrypt_str(other, "lost", 4, 30);
	uint8_t out[16];
	size_t n;
	int hint = -1;

	(void)state;
	assert_int_equal(decrypt_ring(keys, 3, NULL, t2, NULL, out, &n), 2);
	assert_int_equal(decrypt_ring(keys, 3, NULL, t0, NULL, out, &n), 0);
	assert_int_equal(decrypt_ring(keys, 3, NULL, tx, NULL, out, &n), -1);
	/* The hint learns the last key and never changes which key opens. */
	assert_int_equal(decrypt_ring(keys, 3, &hint, t2, NULL, out, &n), 2);
	assert_int_equal(hint, 2);
	assert_int_equal(decrypt_ring(keys, 3, &hint, t0, NULL, out, &n), 0);
	assert_int_equal(hint, 0);
	assert_memory_equal(out, "new", 3);
	assert_int_equal(decrypt_ring(keys, 3, &hint, tx, NULL, out, &n), -1);
	free(t2);
	free(t0);
	free(tx);
	fernet_key_free(keys[0]);
	fernet_key_free(keys[1]);
	fernet_key_free(keys[2]);
	fernet_key_free(other);
}

static void
test_shared_signing_half(void **state)
{
	uint8_t r1[32], r2[32];
	struct fernet_key *keys[2];
	struct err e;
	char *tok;
	uint8_t out[32];
	size_t n;

	(void)state;
	/* Two keys with the same signing half and different encryption halves. */
	randombytes_buf(r1, sizeof r1);
	memcpy(r2, r1, 16);
	randombytes_buf(r2 + 16, 16);
	assert_int_equal(fernet_key_new(&keys[0], r1, &e), 0);
	assert_int_equal(fernet_key_new(&keys[1], r2, &e), 0);
	assert_true(fernet_key_same_signing(keys[0], keys[1]));
	/*
	 * A token under key 2 passes key 1's HMAC and then (unless key 1's
	 * padding happens to look valid, about 1 in 256) fails key 1's padding:
	 * the ring must go on to key 2 instead of stopping at the HMAC match.
	 */
	{
		int i, opened_by_2 = 0;

		for (i = 0; i < 20; i++) {
			tok = encrypt_str(keys[1], "second key's", 12, 99);
			n = 0;
			if (decrypt_ring(keys, 2, NULL, tok, NULL, out, &n) == 1) {
				assert_int_equal(n, 12);
				assert_memory_equal(out, "second key's", 12);
				opened_by_2++;
			}
			free(tok);
		}
		assert_true(opened_by_2 >= 17);
	}
	fernet_key_free(keys[0]);
	fernet_key_free(keys[1]);
}

static void
test_rotate_keeps_timestamp(void **state)
{
	struct fernet_key *ring[2] = { key_random(), key_random() };
	char *old = encrypt_str(ring[1], "hunter2", 7, 1234567890);
	char out[256];
	uint8_t plain[32];
	size_t n = 0, pn = 0;
	struct fernet_info info;
	struct err e;

	(void)state;
	assert_int_equal(fernet_rotate(ring, 2, NULL, old, strlen(old), NULL, out,
	    sizeof out, &n, &info, &e), 0);
	assert_int_equal(info.key_index, 1);
	assert_int_equal(n, strlen(out));
	assert_string_not_equal(out, old);
	/* Only the primary opens it now, with the original timestamp. */
	assert_int_equal(fernet_decrypt(&ring[0], 1, NULL, out, n, NULL, plain,
	    sizeof plain, &pn, &info, &e), 0);
	assert_true(info.timestamp == 1234567890);
	assert_int_equal(pn, 7);
	assert_memory_equal(plain, "hunter2", 7);
	assert_int_equal(fernet_decrypt(&ring[1], 1, NULL, out, n, NULL, plain,
	    sizeof plain, &pn, NULL, &e), -1);
	/* Rotating a token already under the primary still makes a new one. */
	strcpy((char *)plain, "");
	{
		char again[256];
		size_t an = 0;

		assert_int_equal(fernet_rotate(ring, 2, NULL, out, n, NULL, again,
		    sizeof again, &an, &info, &e), 0);
		assert_int_equal(info.key_index, 0);
		assert_string_not_equal(again, out);
	}
	/* A token no key opens is refused and nothing is written. */
	{
		struct fernet_key *lost = key_random();
		char *t = encrypt_str(lost, "gone", 4, 1);
		char dst[256] = "untouched";

		assert_int_equal(fernet_rotate(ring, 2, NULL, t, strlen(t), NULL,
		    dst, sizeof dst, &n, &info, &e), -1);
		assert_int_equal(e.code, ERR_INVALID);
		assert_int_equal(info.key_index, -1);
		assert_string_equal(dst, "untouched");
		free(t);
		fernet_key_free(lost);
	}
	free(old);
	fernet_key_free(ring[0]);
	fernet_key_free(ring[1]);
}

static void
test_inspect(void **state)
{
	struct fernet_key *ring[2] = { key_random(), key_random() };
	char *t = encrypt_str(ring[1], "abc", 3, 77);
	struct fernet_info info;
	struct err e;

	(void)state;
	assert_int_equal(fernet_inspect(ring, 2, t, strlen(t), &info, &e), 0);
	assert_int_equal(info.key_index, 1);
	assert_true(info.timestamp == 77);
	assert_int_equal(info.raw_len, 73);
	assert_int_equal(fernet_inspect(ring, 1, t, strlen(t), &info, &e), 0);
	assert_int_equal(info.key_index, -1);
	assert_int_equal(fernet_inspect(ring, 2, "not a token", 11, &info, &e), -1);
	free(t);
	fernet_key_free(ring[0]);
	fernet_key_free(ring[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_generate),
		cmocka_unit_test(test_vectors_verify),
		cmocka_unit_test(test_vectors_invalid),
		cmocka_unit_test(test_roundtrip_lengths),
		cmocka_unit_test(test_format_chars_verbatim),
		cmocka_unit_test(test_fresh_iv_each_time),
		cmocka_unit_test(test_timestamps_64bit_no_ttl),
		cmocka_unit_test(test_ttl_boundaries),
		cmocka_unit_test(test_input_policy),
		cmocka_unit_test(test_ring_order_and_hint),
		cmocka_unit_test(test_shared_signing_half),
		cmocka_unit_test(test_rotate_keeps_timestamp),
		cmocka_unit_test(test_inspect),
		cmocka_unit_test(test_ivs_distinct_across_refills_and_threads),
	};
	int rc;

	tu_init();
	rc = cmocka_run_group_tests_name("fernet", tests, NULL, NULL);
	fernet_thread_cleanup();
	return rc;
}
