/*
 * fuzz_keyring.c: `[core] fernet_key` values (src/keyring.c). Invariants:
 * a ring that parses with encryption on has as many keys as the value has
 * comma-separated parts, encrypts a message that it then decrypts back
 * with key 0 and that rotates to a token of key 0; an empty value is the
 * no-encryption mode; an error message never quotes a part of the value
 * (parts long enough to be key material: 32 bytes or more).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "fernet.h"
#include "fuzz.h"
#include "keyring.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_init();
	return 0;
}

static void
check_ring(struct keyring *kr, const char *value, size_t len)
{
	static const char msg[] = "fuzz message";
	char tok[256], rot[256];
	uint8_t out[256];
	size_t toklen, rotlen, outlen, parts = 1, i;
	struct fernet_info info;
	struct err e;

	err_clear(&e);
	if (len == 0) {
		FUZZ_CHECK(!keyring_enabled(kr) && keyring_count(kr) == 0,
		    "an empty value is not the no-encryption mode");
		return;
	}
	for (i = 0; i < len; i++)
		parts += value[i] == ',';
	FUZZ_CHECK(keyring_enabled(kr), "a non-empty value without encryption");
	FUZZ_CHECK(keyring_count(kr) == parts, "key count is not the part count");
	FUZZ_CHECK(keyring_encrypt(kr, msg, sizeof msg - 1, tok, sizeof tok,
	    &toklen, &e) == 0, "the ring does not encrypt");
	FUZZ_CHECK(keyring_which(kr, tok, toklen, &info) == 0,
	    "a new token is not key 0's");
	FUZZ_CHECK(keyring_decrypt(kr, tok, toklen, out, sizeof out, &outlen,
	    &info, &e) == 0 && outlen == sizeof msg - 1 &&
	    memcmp(out, msg, outlen) == 0, "decrypt(encrypt(m)) is not m");
	FUZZ_CHECK(keyring_rotate(kr, tok, toklen, rot, sizeof rot, &rotlen,
	    &info, &e) == 0 && keyring_which(kr, rot, rotlen, &info) == 0,
	    "rotation does not give a token of key 0");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keyring *kr = NULL;
	struct err e;
	const char *p, *end, *comma;
	int warn = 0;

	err_clear(&e);
	if (keyring_parse(&kr, (const char *)data, size, &warn, &e) == 0) {
		check_ring(kr, (const char *)data, size);
		keyring_free(kr);
		return 0;
	}
	FUZZ_CHECK(kr == NULL, "a failed parse left a ring");
	FUZZ_CHECK(e.msg[0] != '\0', "a failed parse without a message");
	for (p = (const char *)data, end = p + size; p < end; p = comma + 1) {
		if ((comma = memchr(p, ',', (size_t)(end - p))) == NULL)
			comma = end;
		if (comma - p >= 32)
			FUZZ_CHECK(memmem(e.msg, strlen(e.msg), p,
			    (size_t)(comma - p)) == NULL,
			    "the error message quotes the value");
	}
	return 0;
}
