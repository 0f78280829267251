/*
 * strmap.h: an index from byte strings to numbers, for the parsers that
 * must find a name among many without comparing it to every other one
 * (airflow.cfg sections, yaml anchors, duplicate keys of a JSON object or
 * a yaml mapping). Open addressing, hashed with libsodium's SipHash
 * (crypto_shorthash) under a key drawn once per process, so that a hostile
 * file cannot choose names that collide (doc/design.md section 9).
 *
 * The map borrows its keys: each must stay valid and unchanged while the
 * map holds it. Not thread-safe; one map per thread.
 */
#ifndef FERNCON_STRMAP_H
#define FERNCON_STRMAP_H

#include <stddef.h>

#include "compiler.h"

#define STRMAP_NONE	((size_t)-1)

struct strmap_ent {
	const char	*key;		/* NULL: empty slot */
	size_t		 len;
	size_t		 val;
};

struct strmap {
	struct strmap_ent	*ent;
	size_t			 cap, n;	/* cap: 0 or a power of two */
};

/* An empty map (allocates nothing until the first strmap_put()). */
void strmap_init(struct strmap *m);

/* Free the slots (the keys are the caller's); the map is empty again. */
void strmap_release(struct strmap *m);

/* The value stored for key, or STRMAP_NONE. */
size_t strmap_get(const struct strmap *m, const char *key, size_t len);

/*
 * Store val for key, replacing the value (and the borrowed key pointer) a
 * key of the same bytes had (which never fails). 0, or -1 when out of
 * memory for a new key (the map is unchanged).
 */
int strmap_put(struct strmap *m, const char *key, size_t len, size_t val)
    ATTR_WUR;

#endif
