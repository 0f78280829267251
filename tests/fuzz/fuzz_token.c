/*
 * fuzz_token.c: Fernet tokens (src/fernet.c). The first byte picks the
 * mode: odd, the rest is token text as a stored value would hold it; even,
 * the rest is a plaintext that the old key encrypts (timestamp and IV from
 * the input) before the same checks, so that the code past the HMAC is
 * reached too. Invariants, with the ring (new, old):
 *   - decrypt and inspect agree on whether a key opens the token, which
 *     one, and its timestamp;
 *   - decrypt(rotate(t)) equals decrypt(t), the rotated token is opened by
 *     the new key, keeps the timestamp and has the canonical length;
 *   - a token that does not decrypt does not rotate either;
 *   - decrypt(encrypt(m)) is m, opened by the old key.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "err.h"
#include "fernet.h"
#include "fuzz.h"

static struct fernet_key *keys[2];	/* new, old */

/* The keys live in locked memory, which LeakSanitizer does not scan. */
static void
free_keys(void)
{
	fernet_key_free(keys[0]);
	fernet_key_free(keys[1]);
	fernet_thread_cleanup();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t raw[FERNET_KEYBYTES];
	struct err e;
	int i;

	fuzz_init();
	err_clear(&e);
	atexit(free_keys);
	for (i = 0; i < 2; i++) {
		memset(raw, 0x11 * (i + 1), sizeof raw);
		if (fernet_key_new(&keys[i], raw, &e) != 0)
			fuzz_fail(__FILE__, __LINE__, e.msg);
	}
	return 0;
}

static void
check(const char *tok, size_t toklen, const uint8_t *want, size_t wantlen)
{
	struct fernet_info di, ii, ri, r2;
	struct err e;
	size_t cap = fernet_plain_max(toklen), plen = 0, rlen = 0, p2len = 0;
	size_t rcap = fernet_token_len(cap) + 1;
	uint8_t *plain = malloc(cap + 1), *plain2 = malloc(cap + 1);
	char *rot = malloc(rcap);
	int dec, ins, rc;

	FUZZ_CHECK(plain != NULL && plain2 != NULL && rot != NULL, "out of memory");
	err_clear(&e);
	dec = fernet_decrypt(keys, 2, NULL, tok, toklen, NULL, plain, cap, &plen,
	    &di, &e);
	ins = fernet_inspect(keys, 2, tok, toklen, &ii, &e);
	if (want != NULL)
		FUZZ_CHECK(dec == 0 && di.key_index == 1 && plen == wantlen &&
		    (wantlen == 0 || memcmp(plain, want, wantlen) == 0),
		    "decrypt(encrypt(m)) differs from m");
	if (dec == 0) {
		FUZZ_CHECK(ins == 0, "a token that decrypts is not well formed");
		FUZZ_CHECK(ii.key_index == di.key_index, "inspect names another key");
		FUZZ_CHECK(ii.timestamp == di.timestamp, "inspect reads another time");
		FUZZ_CHECK(plen <= cap, "plaintext past fernet_plain_max");
	} else if (ins == 0) {
		FUZZ_CHECK(ii.key_index == -1, "inspect opens what decrypt does not");
	}

	rc = fernet_rotate(keys, 2, NULL, tok, toklen, NULL, rot, rcap, &rlen,
	    &ri, &e);
	FUZZ_CHECK((rc == 0) == (dec == 0), "rotate and decrypt disagree");
	if (rc == 0) {
		FUZZ_CHECK(rlen == fernet_token_len(plen), "rotated length");
		FUZZ_CHECK(strlen(rot) == rlen, "rotated token not terminated");
		FUZZ_CHECK(ri.timestamp == di.timestamp, "rotate changed the time");
		FUZZ_CHECK(fernet_decrypt(keys, 2, NULL, rot, rlen, NULL, plain2,
		    cap, &p2len, &r2, &e) == 0, "the rotated token does not open");
		FUZZ_CHECK(r2.key_index == 0, "the rotated token is not the new key's");
		FUZZ_CHECK(p2len == plen && memcmp(plain, plain2, plen) == 0,
		    "decrypt(rotate(t)) differs from decrypt(t)");
		FUZZ_CHECK(r2.timestamp == di.timestamp, "rotated timestamp");
	}
	sodium_memzero(plain, cap + 1);
	sodium_memzero(plain2, cap + 1);
	free(plain);
	free(plain2);
	free(rot);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e;
	uint8_t iv[FERNET_IVBYTES] = { 0 };
	uint64_t ts = 0;
	size_t cap, toklen, i;
	char *tok;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		tok = fuzz_str(data + 1, size - 1);
		check(tok, size - 1, NULL, 0);
		free(tok);
		return 0;
	}
	data++;
	size--;
	for (i = 0; i < 8 && i < size; i++)
		ts = ts << 8 | data[i];
	for (i = 0; i < FERNET_IVBYTES && 8 + i < size; i++)
		iv[i] = data[8 + i];
	data += size < 24 ? size : 24;
	size -= size < 24 ? size : 24;
	cap = fernet_token_len(size) + 1;
	if ((tok = malloc(cap)) == NULL)
		abort();
	err_clear(&e);
	FUZZ_CHECK(fernet_encrypt(keys[1], data, size, ts, iv, tok, cap, &toklen,
	    &e) == 0, "encrypt failed");
	FUZZ_CHECK(toklen == cap - 1, "token length");
	check(tok, toklen, data, size);
	free(tok);
	return 0;
}
