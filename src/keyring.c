/*
 * keyring.c: parse Airflow's fernet_key into an ordered ring of Fernet keys
 * (see keyring.h for the rules, which are Airflow's).
 *
 * A key part is filtered into a small sodium_malloc buffer as Python's
 * non-strict decoder reads it (`+/` mapped to `-_`, other bytes dropped,
 * stopped at complete padding) and decoded by libsodium's base64url
 * decoder; the filtered text and the raw bytes are wiped as soon as the
 * key object exists.
 */
#include "config.h"

#include "keyring.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "utf8.h"

struct keyring {
	struct fernet_key	**keys;
	size_t			  n;
	int			  shared_signing;
	int			  hint;
	uint64_t		  fixed_time;	/* 0: the clock */
};

/* The base64url alphabet, in value order (RFC 4648 section 5). */
static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    "0123456789-_";

/*
 * Decode one comma-separated part into a key object, keeping what
 * Python's non-strict base64.urlsafe_b64decode() keeps (doc/fernet.md
 * section 2): '+' and '/' read as '-' and '_', every other byte outside the
 * alphabet dropped, and decoding stopped by the first '=' that completes a
 * quad. A 32-byte key is exactly 43 data characters before that '='; the
 * two bits of the last one that no byte uses are cleared, as Python
 * ignores them, and libsodium decodes the rest. *flags gets
 * KEYRING_WARN_STD_ALPHABET and KEYRING_WARN_NOT_CLEAN as they apply.
 */
static int
part_parse(struct fernet_key **out, const char *p, size_t len, size_t index,
    size_t count, int *flags, struct err *e)
{
	char *text = NULL;
	const char *v;
	uint8_t *raw = NULL;
	size_t i, n = 0, rawlen = 0, pads = 0, a = 0, b = len, dropped = 0;
	int rc = -1, stop = 0, std = 0;

	text = sodium_malloc(len + 1);
	raw = sodium_malloc(FERNET_KEYBYTES + 3);
	if (text == NULL || raw == NULL) {
		err_nomem(e);
		goto out;
	}
	while (a < b && utf8_is_space(p[a]))
		a++;
	while (b > a && utf8_is_space(p[b - 1]))
		b--;
	if (a == b) {
		err_set(e, ERR_CONFIG, "%s (key %zu of %zu is empty%s)",
		    KEYRING_BAD_KEY_MSG, index + 1, count,
		    index + 1 == count && count > 1 ? ": a trailing comma?" : "");
		goto out;
	}
	for (i = a; i < b && !stop; i++) {
		char c = p[i];

		if (c == '=') {
			/* binascii.a2b_base64(), strict_mode=False */
			if (n % 4 >= 2 && n % 4 + ++pads >= 4)
				stop = 1;
			continue;
		}
		if (c == '+' || c == '/') {
			std = 1;
			c = (c == '+') ? '-' : '_';
		}
		if (c == '\0' || memchr(b64url, c, 64) == NULL) {
			dropped++;
			continue;
		}
		pads = 0;
		text[n++] = c;
	}
	if (!stop || n != FERNET_KEY_B64LEN - 1) {
		err_set(e, ERR_CONFIG, "%s (key %zu of %zu)", KEYRING_BAD_KEY_MSG,
		    index + 1, count);
		goto out;
	}
	v = memchr(b64url, text[n - 1], 64);
	if (((v - b64url) & 3) != 0) {
		text[n - 1] = b64url[(v - b64url) & ~3];
		*flags |= KEYRING_WARN_NOT_CLEAN;
	}
	if (dropped > 0 || i != b || b - a != FERNET_KEY_B64LEN)
		*flags |= KEYRING_WARN_NOT_CLEAN;
	if (std)
		*flags |= KEYRING_WARN_STD_ALPHABET;
	if (sodium_base642bin(raw, FERNET_KEYBYTES + 3, text, n, NULL, &rawlen,
	    NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    rawlen != FERNET_KEYBYTES) {
		err_set(e, ERR_CONFIG, "%s (key %zu of %zu)", KEYRING_BAD_KEY_MSG,
		    index + 1, count);
		goto out;
	}
	rc = fernet_key_new(out, raw, e);
out:
	sodium_free(text);
	sodium_free(raw);
	return rc;
}

int
keyring_parse(struct keyring **out, const char *value, size_t len,
    int *warn, struct err *e)
{
	struct keyring *kr;
	size_t i, count = 1, start = 0, k = 0;
	int flags = 0;

	*out = NULL;
	if ((kr = calloc(1, sizeof *kr)) == NULL) {
		err_nomem(e);
		return -1;
	}
	kr->hint = -1;
	if (len == 0)
		goto done;	/* Airflow's NullFernet: no encryption */
	for (i = 0; i < len; i++)
		if (value[i] == ',')
			count++;
	if ((kr->keys = calloc(count, sizeof *kr->keys)) == NULL) {
		err_nomem(e);
		goto fail;
	}
	for (i = 0; i <= len; i++) {
		if (i < len && value[i] != ',')
			continue;
		if (part_parse(&kr->keys[k], value + start, i - start, k, count,
		    &flags, e) != 0)
			goto fail;
		kr->n = ++k;
		start = i + 1;
	}
	for (i = 0; i < kr->n; i++)
		for (k = i + 1; k < kr->n; k++)
			if (fernet_key_same_signing(kr->keys[i], kr->keys[k]))
				kr->shared_signing = 1;
done:
	if (warn != NULL)
		*warn = flags;
	*out = kr;
	return 0;
fail:
	keyring_free(kr);
	return -1;
}

void
keyring_free(struct keyring *kr)
{
	size_t i;

	if (kr == NULL)
		return;
	for (i = 0; i < kr->n; i++)
		fernet_key_free(kr->keys[i]);
	free(kr->keys);
	free(kr);
}

void
keyring_generate(char out[FERNET_KEY_B64LEN + 1])
{
	uint8_t raw[FERNET_KEYBYTES];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, FERNET_KEY_B64LEN + 1, raw, sizeof raw,
	    sodium_base64_VARIANT_URLSAFE);
	sodium_memzero(raw, sizeof raw);
}

void
keyring_set_time(struct keyring *kr, uint64_t t)
{
	kr->fixed_time = t;
}

int
keyring_enabled(const struct keyring *kr)
{
	return kr->n > 0;
}

size_t
keyring_count(const struct keyring *kr)
{
	return kr->n;
}

int
keyring_duplicate(const struct keyring *kr, size_t *first, size_t *again)
{
	size_t i, k;

	for (i = 0; i < kr->n; i++)
		for (k = i + 1; k < kr->n; k++)
			if (fernet_key_same(kr->keys[i], kr->keys[k])) {
				*first = i;
				*again = k;
				return 1;
			}
	return 0;
}

int
keyring_shared_signing(const struct keyring *kr)
{
	return kr->shared_signing;
}

struct fernet_key *const *
keyring_keys(const struct keyring *kr)
{
	return kr->keys;
}

int *
keyring_hint(struct keyring *kr)
{
	return kr->shared_signing ? NULL : &kr->hint;
}

int
keyring_encrypt(struct keyring *kr, const void *msg, size_t len, char *tok,
    size_t cap, size_t *toklen, struct err *e)
{
	if (kr->n == 0) {
		err_set(e, ERR_CONFIG, "encryption is off: [core] fernet_key is empty");
		return -1;
	}
	return fernet_encrypt(kr->keys[0], msg, len, kr->fixed_time ?
	    kr->fixed_time : (uint64_t)time(NULL), NULL, tok, cap, toklen, e);
}

int
keyring_decrypt(struct keyring *kr, const char *tok, size_t toklen,
    uint8_t *out, size_t cap, size_t *outlen, struct fernet_info *info,
    struct err *e)
{
	return fernet_decrypt(kr->keys, kr->n, keyring_hint(kr), tok, toklen,
	    NULL, out, cap, outlen, info, e);
}

int
keyring_rotate(struct keyring *kr, const char *tok, size_t toklen, char *out,
    size_t cap, size_t *outlen, struct fernet_info *info, struct err *e)
{
	return fernet_rotate(kr->keys, kr->n, keyring_hint(kr), tok, toklen, NULL,
	    out, cap, outlen, info, e);
}

int
keyring_which(struct keyring *kr, const char *tok, size_t toklen,
    struct fernet_info *info)
{
	struct fernet_info tmp;

	if (info == NULL)
		info = &tmp;
	if (fernet_inspect(kr->keys, kr->n, tok, toklen, info, NULL) != 0)
		return -1;
	return info->key_index;
}
