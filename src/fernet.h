/*
 * fernet.h: one Fernet token, byte for byte as pyca/cryptography makes it.
 *
 * A token is base64url (with `=` padding) of
 *   0x80 | timestamp (uint64, big-endian) | IV (16) | AES-128-CBC(PKCS7) | HMAC-SHA256 (32)
 * where a 32-byte key splits into a 16-byte signing half and a 16-byte
 * encryption half. This module encrypts (time and IV injectable for tests),
 * decrypts with an optional TTL, rotates keeping the original timestamp, and
 * inspects a token. AES comes from OpenSSL EVP, HMAC from OpenSSL EVP_MAC
 * (one keyed context per key, re-initialised per token), base64url,
 * randomness and wiping from libsodium.
 *
 * Input policy (doc/fernet.md section 3): leading and trailing ASCII
 * whitespace around a token is ignored; any other non-canonical text (the
 * `+/` alphabet, inner junk, data after the padding, missing padding,
 * non-zero trailing bits) is an invalid token. Output is always canonical. No
 * TTL is applied unless one is given, as in Airflow.
 *
 * Thread safety: a struct fernet_key holds mutable cipher contexts; use one
 * key object per thread. Scratch buffers are per thread; a thread that used
 * this module calls fernet_thread_cleanup() before it exits.
 */
#ifndef FERNCON_FERNET_H
#define FERNCON_FERNET_H

#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "err.h"

#define FERNET_KEYBYTES		32	/* raw key: signing half then encryption half */
#define FERNET_KEY_B64LEN	44	/* base64url text of a key, without NUL */
#define FERNET_IVBYTES		16
#define FERNET_MACBYTES		32
#define FERNET_VERSION		0x80
#define FERNET_OVERHEAD		57	/* version + timestamp + IV + MAC */
#define FERNET_MIN_RAW		73	/* the smallest valid raw token */
#define FERNET_MAX_RAW		(64u << 20)	/* ferncon refuses larger tokens */
#define FERNET_MAX_CLOCK_SKEW	60	/* seconds, as cryptography's _MAX_CLOCK_SKEW */

struct fernet_key;

/* An optional time-to-live check, as cryptography's decrypt_at_time(). */
struct fernet_ttl {
	uint64_t	ttl;	/* maximum age in seconds */
	uint64_t	now;	/* the verifier's clock, Unix seconds */
};

/* What is known about a token after decrypt, rotate or inspect. */
struct fernet_info {
	uint64_t	timestamp;	/* seconds since the epoch, from the token */
	size_t		raw_len;	/* decoded length in bytes */
	int		key_index;	/* index of the key that opened it, -1 if none */
};

/* -- keys ---------------------------------------------------------------- */

/*
 * Make a key object from 32 raw bytes. The halves and their prepared
 * contexts live in sodium_malloc memory. Caller frees with fernet_key_free().
 * Returns 0, or -1 with e set (out of memory, OpenSSL failure).
 */
int fernet_key_new(struct fernet_key **out, const uint8_t raw[FERNET_KEYBYTES],
    struct err *e) ATTR_WUR;

/* Wipe and free a key. NULL does nothing. */
void fernet_key_free(struct fernet_key *k);

/* 1 if both keys are the same 32 bytes, else 0. */
int fernet_key_same(const struct fernet_key *a, const struct fernet_key *b);

/* 1 if both keys have the same signing half, else 0. */
int fernet_key_same_signing(const struct fernet_key *a, const struct fernet_key *b);

/* -- sizes --------------------------------------------------------------- */

/* Length in characters (without NUL) of the token of a msglen-byte message. */
size_t fernet_token_len(size_t msglen);

/*
 * An upper bound on the plaintext length of a token of toklen characters;
 * a decrypt output buffer of this size is always large enough.
 */
size_t fernet_plain_max(size_t toklen);

/* -- operations ---------------------------------------------------------- */

/*
 * Encrypt len bytes of msg under k with timestamp ts and the given IV, or a
 * fresh random IV when iv is NULL (always NULL outside tests). Writes the
 * token and a NUL into tok, which has room for cap bytes (at least
 * fernet_token_len(len) + 1); *toklen gets the length without the NUL.
 * Returns 0, or -1 with e set.
 */
int fernet_encrypt(struct fernet_key *k, const void *msg, size_t len,
    uint64_t ts, const uint8_t *iv, char *tok, size_t cap, size_t *toklen,
    struct err *e) ATTR_WUR;

/*
 * Decrypt a token with the first of keys[0..nkeys) that opens it (every key
 * is tried, in order, on every kind of failure, as MultiFernet does). ttl
 * may be NULL for no time check. hint, when not NULL, names the key to try
 * first and is updated to the key that opened the token; pass it only when
 * no two keys share a signing half (then at most one key can open a token
 * and the order cannot change the result). The plaintext (len bytes, not
 * NUL-terminated, may contain NUL) goes to out, which has cap bytes; use
 * fernet_plain_max(toklen). info may be NULL. Returns 0, or -1 with e set to
 * ERR_INVALID and the one message "invalid token" (no reason is given, as in
 * cryptography). The caller wipes out when done.
 */
int fernet_decrypt(struct fernet_key *const *keys, size_t nkeys, int *hint,
    const char *tok, size_t toklen, const struct fernet_ttl *ttl, uint8_t *out,
    size_t cap, size_t *outlen, struct fernet_info *info, struct err *e) ATTR_WUR;

/*
 * MultiFernet.rotate: open the token with any key (no TTL), re-encrypt it
 * under keys[0] with the original timestamp and a fresh IV (iv non-NULL
 * only in tests). Output as for fernet_encrypt(); a rotated token is never
 * longer than fernet_token_len(fernet_plain_max(toklen)). The plaintext
 * exists only in wiped scratch memory. hint as for fernet_decrypt().
 */
int fernet_rotate(struct fernet_key *const *keys, size_t nkeys, int *hint,
    const char *tok, size_t toklen, const uint8_t *iv, char *out, size_t cap,
    size_t *outlen, struct fernet_info *info, struct err *e) ATTR_WUR;

/*
 * Inspect a token without returning its plaintext: whether it is well formed
 * (canonical base64url, version 0x80, a possible length), its timestamp and
 * raw length, and which key opens it (info->key_index, -1 when none does).
 * Returns 0 for a well-formed token (even when no key opens it) and -1 with
 * e set to ERR_INVALID when it cannot be a Fernet token at all.
 */
int fernet_inspect(struct fernet_key *const *keys, size_t nkeys, const char *tok,
    size_t toklen, struct fernet_info *info, struct err *e) ATTR_WUR;

/* Free this thread's scratch buffers (wiped). Safe to call more than once. */
void fernet_thread_cleanup(void);

#endif
