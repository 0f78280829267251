/*
 * keyring.c: parse Airflow's fernet_key into an ordered ring of Fernet keys
 * (see keyring.h for the rules, which are Airflow's).
 *
 * A key part is normalised into a small sodium_malloc buffer (whitespace
 * dropped, `+/` mapped to `-_`) and decoded by libsodium's strict padded
 * base64url decoder; the normalised text and the raw bytes are wiped as soon
 * as the key object exists.
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

/* Decode one comma-separated part into a key object. */
static int
part_parse(struct fernet_key **out, const char *p, size_t len, size_t index,
    size_t count, int *std_alpha, struct err *e)
{
	char *text = NULL;
	uint8_t *raw = NULL;
	size_t i, n = 0, rawlen = 0;
	int rc = -1;

	text = sodium_malloc(len + 1);
	raw = sodium_malloc(FERNET_KEYBYTES + 3);
	if (text == NULL || raw == NULL) {
		err_nomem(e);
		goto out;
	}
	for (i = 0; i < len; i++) {
		char c = p[i];

		if (utf8_is_space(c))
			continue;
		if (c == '+' || c == '/') {
			*std_alpha = 1;
			c = (c == '+') ? '-' : '_';
		}
		text[n++] = c;
	}
	if (n == 0) {
		err_set(e, ERR_CONFIG, "%s (key %zu of %zu is empty%s)",
		    KEYRING_BAD_KEY_MSG, index + 1, count,
		    index + 1 == count && count > 1 ? ": a trailing comma?" : "");
		goto out;
	}
	if (sodium_base642bin(raw, FERNET_KEYBYTES + 3, text, n, NULL, &rawlen,
	    NULL, sodium_base64_VARIANT_URLSAFE) != 0 ||
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
    int *warn_std_alphabet, struct err *e)
{
	struct keyring *kr;
	size_t i, count = 1, start = 0, k = 0;
	int std_alpha = 0;

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
		    &std_alpha, e) != 0)
			goto fail;
		kr->n = ++k;
		start = i + 1;
	}
	for (i = 0; i < kr->n; i++)
		for (k = i + 1; k < kr->n; k++)
			if (fernet_key_same_signing(kr->keys[i], kr->keys[k]))
				kr->shared_signing = 1;
done:
	if (warn_std_alphabet != NULL)
		*warn_std_alphabet = std_alpha;
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
