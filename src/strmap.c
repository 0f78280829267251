/*
 * strmap.c: the hashed index of strmap.h. Linear probing in a table kept
 * at most half full; the SipHash key is drawn on first use.
 */
#include "config.h"

#include "strmap.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static unsigned char hash_key[crypto_shorthash_KEYBYTES];
static pthread_once_t hash_once = PTHREAD_ONCE_INIT;

static void
hash_key_init(void)
{
	randombytes_buf(hash_key, sizeof hash_key);
}

static size_t
hash(const char *key, size_t len)
{
	unsigned char out[crypto_shorthash_BYTES];
	uint64_t h;

	pthread_once(&hash_once, hash_key_init);
	crypto_shorthash(out, (const unsigned char *)key, len, hash_key);
	memcpy(&h, out, sizeof h);
	return (size_t)h;
}

void
strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof *m);
}

void
strmap_release(struct strmap *m)
{
	free(m->ent);
	strmap_init(m);
}

/* The slot of key, or the empty slot where it would go. */
static struct strmap_ent *
find(const struct strmap_ent *ent, size_t cap, const char *key, size_t len)
{
	size_t i = hash(key, len) & (cap - 1);

	for (;;) {
		const struct strmap_ent *s = &ent[i];

		if (s->key == NULL || (s->len == len &&
		    memcmp(s->key, key, len) == 0))
			return (struct strmap_ent *)s;
		i = (i + 1) & (cap - 1);
	}
}

size_t
strmap_get(const struct strmap *m, const char *key, size_t len)
{
	const struct strmap_ent *s;

	if (m->cap == 0)
		return STRMAP_NONE;
	s = find(m->ent, m->cap, key, len);
	return s->key != NULL ? s->val : STRMAP_NONE;
}

static int
grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16, i;
	struct strmap_ent *ent;

	if (cap > SIZE_MAX / sizeof *ent / 2 ||
	    (ent = calloc(cap, sizeof *ent)) == NULL)
		return -1;
	for (i = 0; i < m->cap; i++)
		if (m->ent[i].key != NULL)
			*find(ent, cap, m->ent[i].key, m->ent[i].len) =
			    m->ent[i];
	free(m->ent);
	m->ent = ent;
	m->cap = cap;
	return 0;
}

int
strmap_put(struct strmap *m, const char *key, size_t len, size_t val)
{
	struct strmap_ent *s = NULL;

	if (m->cap > 0)
		s = find(m->ent, m->cap, key, len);
	if (s == NULL || s->key == NULL) {
		/* a new key: grow first if the table would be over half full */
		if ((m->n + 1) * 2 > m->cap) {
			if (grow(m) != 0)
				return -1;
			s = find(m->ent, m->cap, key, len);
		}
		m->n++;
	}
	s->key = key;
	s->len = len;
	s->val = val;
	return 0;
}
