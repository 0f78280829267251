/*
 * keyring.h: Airflow's `[core] fernet_key` value as an ordered ring of keys.
 *
 * Parsing follows airflow/models/crypto.py get_fernet() (apache/airflow
 * commit c873bd5 lines 85-86): the value is split
 * on `,` with no other processing, and each part goes to cryptography's
 * Fernet(part.encode("utf-8")), which decodes it with Python's non-strict
 * base64.urlsafe_b64decode() and wants exactly 32 bytes: `+/` read as
 * `-_`, every byte outside the base64url alphabet dropped (blanks, quotes,
 * `#`, non-ASCII), decoding stopped at the first `=` that completes the
 * padding (so text after a key, such as ` # comment` or a second line, is
 * ignored), the bits no byte uses ignored (doc/fernet.md section 2). An
 * empty part (a trailing comma, `,,`) is an error, as it is in Airflow, and
 * so is a value of only whitespace. An empty value is Airflow's "no
 * encryption" mode: values are stored in plain text with their flag false;
 * keyring_enabled() tells it apart.
 *
 * The first key encrypts; every key is tried, in order, to decrypt. Keys
 * live in sodium_malloc memory and are wiped when the ring is freed.
 */
#ifndef FERNCON_KEYRING_H
#define FERNCON_KEYRING_H

#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "err.h"
#include "fernet.h"

struct keyring;

/* Airflow's message for a key that does not parse. */
#define KEYRING_BAD_KEY_MSG \
	"Could not create Fernet object: Fernet key must be 32 url-safe base64-encoded bytes."

/* -- lifecycle ----------------------------------------------------------- */

/*
 * Parse a fernet_key value (len bytes, need not be NUL-terminated). On
 * success *out is a new ring (empty, encryption off, when the value is
 * empty); caller frees with keyring_free(). On failure returns -1 with e set
 * to ERR_CONFIG and Airflow's message plus which part failed; the message
 * never contains key material. *warn, when not NULL, gets the flags below:
 * KEYRING_WARN_STD_ALPHABET if a key used the standard `+/` alphabet
 * (accepted, as Airflow does today, but a later Python will reject it);
 * KEYRING_WARN_NOT_CLEAN if a part, blanks around it aside, is not exactly
 * a key's 44 characters in canonical form (text dropped or ignored, bits
 * set that no byte uses): Airflow runs with it, but the text is not a
 * clean key.
 */
#define KEYRING_WARN_STD_ALPHABET	1
#define KEYRING_WARN_NOT_CLEAN		2
int keyring_parse(struct keyring **out, const char *value, size_t len,
    int *warn, struct err *e) ATTR_WUR;

/* Wipe and free. NULL does nothing. */
void keyring_free(struct keyring *kr);

/*
 * Write a new key in the shape of Fernet.generate_key(): 32 random bytes as
 * padded base64url, 44 characters and a NUL. out has at least 45 bytes.
 */
void keyring_generate(char out[FERNET_KEY_B64LEN + 1]);

/* -- queries ------------------------------------------------------------- */

/* 1 when encryption is on (at least one key), 0 in no-encryption mode. */
int keyring_enabled(const struct keyring *kr);

/*
 * A key listed twice (the same 32 bytes): 1 with *first and *again its
 * 0-based positions (the first such pair), else 0.
 */
int keyring_duplicate(const struct keyring *kr, size_t *first, size_t *again);

/* Number of keys (0 in no-encryption mode). */
size_t keyring_count(const struct keyring *kr);

/* 1 if two keys of the ring share a signing half (see fernet_decrypt). */
int keyring_shared_signing(const struct keyring *kr);

/*
 * The keys as an array for fernet_decrypt()/fernet_rotate(), and a hint
 * pointer to pass with them: NULL when keys share a signing half (so the
 * strict order is kept), else a per-ring hint.
 */
struct fernet_key *const *keyring_keys(const struct keyring *kr);
int *keyring_hint(struct keyring *kr);

/*
 * Make keyring_encrypt() stamp tokens with time t instead of the clock
 * (t = 0 restores the clock). For the demo's aged tokens and for tests.
 */
void keyring_set_time(struct keyring *kr, uint64_t t);

/* -- operations ---------------------------------------------------------- */

/*
 * Encrypt with the primary key at the current time. Output as for
 * fernet_encrypt(). Fails with ERR_CONFIG in no-encryption mode.
 */
int keyring_encrypt(struct keyring *kr, const void *msg, size_t len, char *tok,
    size_t cap, size_t *toklen, struct err *e) ATTR_WUR;

/* Decrypt with any key, no TTL; as fernet_decrypt(). */
int keyring_decrypt(struct keyring *kr, const char *tok, size_t toklen,
    uint8_t *out, size_t cap, size_t *outlen, struct fernet_info *info,
    struct err *e) ATTR_WUR;

/* MultiFernet.rotate with this ring; as fernet_rotate(). */
int keyring_rotate(struct keyring *kr, const char *tok, size_t toklen,
    char *out, size_t cap, size_t *outlen, struct fernet_info *info,
    struct err *e) ATTR_WUR;

/* Which key opens a token: its index, or -1 (also for a malformed token). */
int keyring_which(struct keyring *kr, const char *tok, size_t toklen,
    struct fernet_info *info);

#endif
