/*
 * fernet.c: Fernet tokens (see fernet.h for the format and the contract).
 *
 * Speed matters because a rotation runs this once per encrypted value
 * (doc/perf.md sections 1 and 2). So each key object keeps one HMAC context
 * and one AES context per direction, keyed once; a token only resets the IV
 * or re-initialises the MAC with the same key. IVs are drawn from a
 * per-thread pool filled by randombytes_buf() (consumed bytes are wiped at
 * once, so an IV is never reused or predictable). Raw-token and plaintext
 * scratch buffers are per thread and grow as needed, so the steady state
 * allocates nothing; the plaintext scratch lives in sodium_malloc memory and
 * is wiped after every use.
 */
#include "config.h"

#include "fernet.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium.h>

#include "utf8.h"

struct fernet_key {
	uint8_t		 signing[16];
	uint8_t		 encryption[16];
	EVP_MAC_CTX	*mac;
	EVP_CIPHER_CTX	*enc;
	EVP_CIPHER_CTX	*dec;
};

/* A growable per-thread buffer; `secret` ones live in sodium_malloc memory. */
struct scratch {
	uint8_t	*p;
	size_t	 cap;
	int	 secret;
};

#define IV_POOL_BYTES 4096

static _Thread_local struct scratch raw_scratch = { NULL, 0, 0 };
static _Thread_local struct scratch plain_scratch = { NULL, 0, 1 };
static _Thread_local struct scratch text_scratch = { NULL, 0, 0 };
static _Thread_local uint8_t iv_pool[IV_POOL_BYTES];
static _Thread_local size_t iv_pool_used = IV_POOL_BYTES;

static const char invalid_token[] = "invalid token";

/* -- helpers ------------------------------------------------------------- */

static void
scratch_free(struct scratch *s)
{
	if (s->p == NULL)
		return;
	if (s->secret)
		sodium_free(s->p);
	else
		free(s->p);
	s->p = NULL;
	s->cap = 0;
}

static uint8_t *
scratch_get(struct scratch *s, size_t need, struct err *e)
{
	size_t cap;

	if (need <= s->cap)
		return s->p;
	cap = s->cap ? s->cap : 4096;
	while (cap < need)
		cap *= 2;
	scratch_free(s);
	s->p = s->secret ? sodium_malloc(cap) : malloc(cap);
	if (s->p == NULL) {
		err_nomem(e);
		return NULL;
	}
	s->cap = cap;
	return s->p;
}

/*
 * The next IV of the thread's pool. The pool is refilled from a fresh
 * 32-byte seed of the system's CSPRNG (randombytes_buf), stretched by
 * libsodium's ChaCha20 (randombytes_buf_deterministic) and wiped: the
 * kernel hands out at most 256 bytes per getrandom call, so filling the
 * pool from it directly took 16 system calls (doc/perf.md section 2).
 */
static void
iv_draw(uint8_t iv[FERNET_IVBYTES])
{
	uint8_t seed[randombytes_SEEDBYTES];

	if (iv_pool_used + FERNET_IVBYTES > IV_POOL_BYTES) {
		randombytes_buf(seed, sizeof seed);
		randombytes_buf_deterministic(iv_pool, sizeof iv_pool, seed);
		sodium_memzero(seed, sizeof seed);
		iv_pool_used = 0;
	}
	memcpy(iv, iv_pool + iv_pool_used, FERNET_IVBYTES);
	sodium_memzero(iv_pool + iv_pool_used, FERNET_IVBYTES);
	iv_pool_used += FERNET_IVBYTES;
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

static uint64_t
get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* HMAC-SHA256 of len bytes under k's signing half, with the keyed context. */
static int
mac_compute(struct fernet_key *k, const uint8_t *p, size_t len,
    uint8_t mac[FERNET_MACBYTES])
{
	size_t outl = 0;

	if (EVP_MAC_init(k->mac, NULL, 0, NULL) != 1 ||
	    EVP_MAC_update(k->mac, p, len) != 1 ||
	    EVP_MAC_final(k->mac, mac, &outl, FERNET_MACBYTES) != 1 ||
	    outl != FERNET_MACBYTES) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/*
 * In place, c becomes b where it is a, and y where it is x: the swap
 * between base64's two alphabets, which differ in two characters. Written
 * branch-free over blocks of a fixed length, so that gcc vectorises the
 * inner loop at -O2 (its cheap cost model leaves a loop of unknown length
 * scalar): a 184-character token took 85 ns scalar and 15 ns so
 * (doc/perf.md section 2).
 */
#define SWAP_BLOCK 16

static inline unsigned char
swap_one(unsigned char c, unsigned char a, unsigned char b, unsigned char x,
    unsigned char y)
{
	return (unsigned char)(c ^ ((unsigned char)-(c == a) & (a ^ b)) ^
	    ((unsigned char)-(c == x) & (x ^ y)));
}

static void
alphabet_swap(unsigned char *p, size_t len, unsigned char a, unsigned char b,
    unsigned char x, unsigned char y)
{
	size_t i = 0, j;

	for (; len - i >= SWAP_BLOCK; i += SWAP_BLOCK)
		for (j = 0; j < SWAP_BLOCK; j++)
			p[i + j] = swap_one(p[i + j], a, b, x, y);
	for (; i < len; i++)
		p[i] = swap_one(p[i], a, b, x, y);
}

/*
 * A token's base64 text (padded; either alphabet) into raw (room for
 * len / 4 * 3 bytes): 0 with *n set, -1 when it is not base64, -2 (e set)
 * when out of memory. OpenSSL's EVP_DecodeBlock does the decoding, several
 * times faster than libsodium's constant-time decoder, which a token does
 * not need: it is not secret (keys and plaintexts stay on constant-time
 * code; doc/perf.md section 2). It knows the standard alphabet only, so the
 * text is copied with `-` and `_` as `+` and `/`. `+` and `/` are kept: a
 * token stored in the standard alphabet reads as urlsafe_b64decode reads
 * it, and Airflow opens it (doc/fernet.md section 3). Refused: a length
 * that is not a multiple of 4, `=` but at the end, any character of
 * neither alphabet (EVP_DecodeBlock refuses those inside the text).
 */
static int
b64url_decode(uint8_t *raw, const char *tok, size_t len, size_t *n,
    struct err *e)
{
	char *t;
	size_t pad = 0;
	int r;

	if (len % 4 != 0 || len > INT_MAX)
		return -1;
	if ((t = (char *)scratch_get(&text_scratch, len, e)) == NULL)
		return -2;
	while (pad < 2 && pad < len && tok[len - 1 - pad] == '=')
		pad++;
	if (memchr(tok, '=', len - pad) != NULL)
		return -1;
	memcpy(t, tok, len);
	alphabet_swap((unsigned char *)t, len, '-', '+', '_', '/');
	r = EVP_DecodeBlock(raw, (const unsigned char *)t, (int)len);
	if (r < 0 || (size_t)r < pad)
		return -1;
	*n = (size_t)r - pad;
	return 0;
}

/*
 * A token's raw bytes as padded base64url text in tok (room for
 * fernet_token_len() + 1 bytes, NUL-terminated). OpenSSL's EVP_EncodeBlock
 * does the encoding in the standard alphabet, and `+` and `/` become `-`
 * and `_`: a token is not secret, and libsodium's constant-time encoder
 * (one out-of-line call per character) was the largest single cost left in
 * a rotation (doc/perf.md section 2).
 */
static void
b64url_encode(char *tok, const uint8_t *raw, size_t rawlen)
{
	int n;

	n = EVP_EncodeBlock((unsigned char *)tok, raw, (int)rawlen);
	alphabet_swap((unsigned char *)tok, (size_t)n, '+', '-', '/', '_');
}

/*
 * Decode a token's text into the raw scratch buffer and check the parts
 * that need no key: version and a length that can decrypt. Returns the raw
 * bytes (in per-thread scratch) or NULL.
 */
static const uint8_t *
token_decode(const char *tok, size_t toklen, size_t *rawlen, struct err *e)
{
	uint8_t *raw;
	size_t n = 0;

	while (toklen > 0 && utf8_is_space(tok[0])) {
		tok++;
		toklen--;
	}
	while (toklen > 0 && utf8_is_space(tok[toklen - 1]))
		toklen--;
	if (toklen == 0 || toklen / 4 * 3 > FERNET_MAX_RAW + 3)
		goto invalid;
	if ((raw = scratch_get(&raw_scratch, toklen / 4 * 3 + 3, e)) == NULL)
		return NULL;
	switch (b64url_decode(raw, tok, toklen, &n, e)) {
	case -2:
		return NULL;
	case -1:
		goto invalid;
	}
	/* cryptography: empty, wrong version, then a length that cannot decrypt. */
	if (n < 1 || raw[0] != FERNET_VERSION)
		goto invalid;
	if (n < FERNET_MIN_RAW || (n - FERNET_OVERHEAD) % 16 != 0 ||
	    n > FERNET_MAX_RAW)
		goto invalid;
	*rawlen = n;
	return raw;
invalid:
	err_set(e, ERR_INVALID, invalid_token);
	return NULL;
}

static int
ttl_ok(uint64_t ts, const struct fernet_ttl *ttl)
{
	if (ttl == NULL)
		return 1;
	if (ttl->now > ts && ttl->now - ts > ttl->ttl)
		return 0;	/* expired */
	if (ts > ttl->now && ts - ttl->now > FERNET_MAX_CLOCK_SKEW)
		return 0;	/* too far in the future */
	return 1;
}

/*
 * Try one key on a decoded token: HMAC in constant time, then AES-CBC with
 * PKCS7. The plaintext goes to out (room for rawlen - 57 bytes). On failure
 * out is wiped.
 */
static int
key_open(struct fernet_key *k, const uint8_t *raw, size_t rawlen, uint8_t *out,
    size_t *outlen)
{
	uint8_t mac[FERNET_MACBYTES];
	const uint8_t *iv = raw + 9, *ct = raw + 25;
	int ctlen = (int)(rawlen - FERNET_OVERHEAD), l1 = 0, l2 = 0;

	if (mac_compute(k, raw, rawlen - FERNET_MACBYTES, mac) != 0)
		return -1;
	if (sodium_memcmp(mac, raw + rawlen - FERNET_MACBYTES,
	    FERNET_MACBYTES) != 0)
		return -1;
	if (EVP_DecryptInit_ex2(k->dec, NULL, NULL, iv, NULL) != 1 ||
	    EVP_DecryptUpdate(k->dec, out, &l1, ct, ctlen) != 1 ||
	    EVP_DecryptFinal_ex(k->dec, out + l1, &l2) != 1) {
		ERR_clear_error();
		sodium_memzero(out, (size_t)ctlen);
		return -1;
	}
	*outlen = (size_t)l1 + (size_t)l2;
	return 0;
}

/* Open a decoded token with the ring, honouring the hint (see fernet.h). */
static int
ring_open(struct fernet_key *const *keys, size_t nkeys, int *hint,
    const uint8_t *raw, size_t rawlen, uint8_t *out, size_t *outlen)
{
	size_t i;
	int first = -1;

	if (hint != NULL && *hint >= 0 && (size_t)*hint < nkeys) {
		first = *hint;
		if (key_open(keys[first], raw, rawlen, out, outlen) == 0)
			return first;
	}
	for (i = 0; i < nkeys; i++) {
		if ((int)i == first)
			continue;
		if (key_open(keys[i], raw, rawlen, out, outlen) == 0) {
			if (hint != NULL)
				*hint = (int)i;
			return (int)i;
		}
	}
	return -1;
}

/* Build and encode a token from its parts into tok. */
static int
encrypt_parts(struct fernet_key *k, const uint8_t *msg, size_t len, uint64_t ts,
    const uint8_t *iv_in, char *tok, size_t cap, size_t *toklen, struct err *e)
{
	uint8_t *raw, iv[FERNET_IVBYTES];
	size_t rawlen, b64len;
	int l1 = 0, l2 = 0;

	if (len > FERNET_MAX_RAW - FERNET_OVERHEAD - 16) {
		err_set(e, ERR_INVALID, "value too large to encrypt (%zu bytes)", len);
		return -1;
	}
	rawlen = FERNET_OVERHEAD + 16 * (len / 16 + 1);
	b64len = fernet_token_len(len);
	if (cap < b64len + 1) {
		err_set(e, ERR_INVALID, "token buffer too small");
		return -1;
	}
	if ((raw = scratch_get(&raw_scratch, rawlen, e)) == NULL)
		return -1;
	if (iv_in != NULL)
		memcpy(iv, iv_in, sizeof iv);
	else
		iv_draw(iv);
	raw[0] = FERNET_VERSION;
	put_be64(raw + 1, ts);
	memcpy(raw + 9, iv, FERNET_IVBYTES);
	if (EVP_EncryptInit_ex2(k->enc, NULL, NULL, iv, NULL) != 1 ||
	    EVP_EncryptUpdate(k->enc, raw + 25, &l1, msg, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(k->enc, raw + 25 + l1, &l2) != 1 ||
	    (size_t)(l1 + l2) != rawlen - FERNET_OVERHEAD) {
		ERR_clear_error();
		err_set(e, ERR_INVALID, "AES-128-CBC encryption failed");
		return -1;
	}
	if (mac_compute(k, raw, rawlen - FERNET_MACBYTES,
	    raw + rawlen - FERNET_MACBYTES) != 0) {
		err_set(e, ERR_INVALID, "HMAC-SHA256 failed");
		return -1;
	}
	b64url_encode(tok, raw, rawlen);
	*toklen = b64len;
	return 0;
}

/* -- keys ---------------------------------------------------------------- */

int
fernet_key_new(struct fernet_key **out, const uint8_t raw[FERNET_KEYBYTES],
    struct err *e)
{
	struct fernet_key *k;
	EVP_MAC *hmac = NULL;
	OSSL_PARAM params[2];
	char digest[] = "SHA256";

	*out = NULL;
	if ((k = sodium_malloc(sizeof *k)) == NULL) {
		err_nomem(e);
		return -1;
	}
	memset(k, 0, sizeof *k);
	memcpy(k->signing, raw, 16);
	memcpy(k->encryption, raw + 16, 16);

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (k->mac = EVP_MAC_CTX_new(hmac)) == NULL ||
	    EVP_MAC_init(k->mac, k->signing, sizeof k->signing, params) != 1)
		goto fail;
	if ((k->enc = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex2(k->enc, EVP_aes_128_cbc(), k->encryption, NULL,
	    NULL) != 1)
		goto fail;
	if ((k->dec = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex2(k->dec, EVP_aes_128_cbc(), k->encryption, NULL,
	    NULL) != 1)
		goto fail;
	EVP_MAC_free(hmac);
	*out = k;
	return 0;
fail:
	ERR_clear_error();
	EVP_MAC_free(hmac);
	fernet_key_free(k);
	err_set(e, ERR_CONFIG, "cannot set up HMAC-SHA256 and AES-128-CBC in OpenSSL");
	return -1;
}

void
fernet_key_free(struct fernet_key *k)
{
	if (k == NULL)
		return;
	EVP_MAC_CTX_free(k->mac);
	EVP_CIPHER_CTX_free(k->enc);
	EVP_CIPHER_CTX_free(k->dec);
	sodium_free(k);	/* wipes */
}

int
fernet_key_same(const struct fernet_key *a, const struct fernet_key *b)
{
	return fernet_key_same_signing(a, b) && sodium_memcmp(a->encryption,
	    b->encryption, sizeof a->encryption) == 0;
}

int
fernet_key_same_signing(const struct fernet_key *a, const struct fernet_key *b)
{
	return sodium_memcmp(a->signing, b->signing, sizeof a->signing) == 0;
}

/* -- sizes --------------------------------------------------------------- */

size_t
fernet_token_len(size_t msglen)
{
	size_t raw = FERNET_OVERHEAD + 16 * (msglen / 16 + 1);

	return (raw + 2) / 3 * 4;
}

size_t
fernet_plain_max(size_t toklen)
{
	size_t raw = toklen / 4 * 3 + 3;

	return raw > FERNET_OVERHEAD ? raw - FERNET_OVERHEAD : 16;
}

/* -- operations ---------------------------------------------------------- */

int
fernet_encrypt(struct fernet_key *k, const void *msg, size_t len, uint64_t ts,
    const uint8_t *iv, char *tok, size_t cap, size_t *toklen, struct err *e)
{
	return encrypt_parts(k, msg, len, ts, iv, tok, cap, toklen, e);
}

int
fernet_decrypt(struct fernet_key *const *keys, size_t nkeys, int *hint,
    const char *tok, size_t toklen, const struct fernet_ttl *ttl, uint8_t *out,
    size_t cap, size_t *outlen, struct fernet_info *info, struct err *e)
{
	const uint8_t *raw;
	size_t rawlen;
	uint64_t ts;
	int idx;

	if ((raw = token_decode(tok, toklen, &rawlen, e)) == NULL)
		return -1;
	ts = get_be64(raw + 1);
	if (cap < rawlen - FERNET_OVERHEAD) {
		err_set(e, ERR_INVALID, "plaintext buffer too small");
		return -1;
	}
	/* A TTL failure fails every key, as MultiFernet moves on and gives up. */
	idx = ttl_ok(ts, ttl) ? ring_open(keys, nkeys, hint, raw, rawlen, out,
	    outlen) : -1;
	if (info != NULL) {
		info->timestamp = ts;
		info->raw_len = rawlen;
		info->key_index = idx;
	}
	if (idx < 0) {
		err_set(e, ERR_INVALID, invalid_token);
		return -1;
	}
	return 0;
}

int
fernet_rotate(struct fernet_key *const *keys, size_t nkeys, int *hint,
    const char *tok, size_t toklen, const uint8_t *iv, char *out, size_t cap,
    size_t *outlen, struct fernet_info *info, struct err *e)
{
	const uint8_t *raw;
	uint8_t *plain;
	size_t rawlen, plainlen = 0;
	uint64_t ts;
	int idx, rc;

	if (nkeys == 0) {
		err_set(e, ERR_CONFIG, "no key to rotate with");
		return -1;
	}
	if ((raw = token_decode(tok, toklen, &rawlen, e)) == NULL)
		return -1;
	ts = get_be64(raw + 1);
	if ((plain = scratch_get(&plain_scratch, rawlen, e)) == NULL)
		return -1;
	idx = ring_open(keys, nkeys, hint, raw, rawlen, plain, &plainlen);
	if (info != NULL) {
		info->timestamp = ts;
		info->raw_len = rawlen;
		info->key_index = idx;
	}
	if (idx < 0) {
		err_set(e, ERR_INVALID, invalid_token);
		return -1;
	}
	/* encrypt_parts reuses the raw scratch: raw is not read after this. */
	rc = encrypt_parts(keys[0], plain, plainlen, ts, iv, out, cap, outlen, e);
	sodium_memzero(plain, plainlen);
	return rc;
}

int
fernet_inspect(struct fernet_key *const *keys, size_t nkeys, const char *tok,
    size_t toklen, struct fernet_info *info, struct err *e)
{
	const uint8_t *raw;
	uint8_t *plain;
	size_t rawlen, plainlen = 0;

	if ((raw = token_decode(tok, toklen, &rawlen, e)) == NULL)
		return -1;
	if ((plain = scratch_get(&plain_scratch, rawlen, e)) == NULL)
		return -1;
	info->timestamp = get_be64(raw + 1);
	info->raw_len = rawlen;
	info->key_index = ring_open(keys, nkeys, NULL, raw, rawlen, plain,
	    &plainlen);
	sodium_memzero(plain, plainlen);
	return 0;
}

void
fernet_thread_cleanup(void)
{
	scratch_free(&raw_scratch);
	scratch_free(&plain_scratch);
	scratch_free(&text_scratch);
	sodium_memzero(iv_pool, sizeof iv_pool);
	iv_pool_used = IV_POOL_BYTES;
}
