/*
 * arena.h: small secrets pooled in a few locked chunks. One sodium_malloc()
 * per secret costs a mapping and two guard pages each, and the kernel's
 * vm.max_map_count (65,530 by default) runs out near 10,000 connections;
 * here secrets of up to ARENA_MAX_SMALL bytes share 1 MiB chunks of
 * sodium_malloc memory (locked, kept out of core dumps), cut into blocks of
 * a few power-of-two sizes. A freed block is wiped and reused; a chunk
 * whose blocks are all free is wiped and unmapped, so memory follows the
 * secrets held, not the mappings made (doc/design.md section 9).
 *
 * Locking a chunk can fail (RLIMIT_MEMLOCK for a user without
 * CAP_IPC_LOCK): the chunk is used all the same and the failure is
 * recorded once for the front ends to say (arena_lock_errno()).
 *
 * Thread-safe: one mutex guards the pool.
 */
#ifndef FERNCON_ARENA_H
#define FERNCON_ARENA_H

#include <stddef.h>

/* The largest block a chunk holds; larger ones get their own mapping. */
#define ARENA_MAX_SMALL	((size_t)65536)

/* The size of a chunk. */
#define ARENA_CHUNK	((size_t)1 << 20)

/*
 * A block of at least n bytes of locked memory, zeroed; *cap (when not
 * NULL) receives its usable size (>= n). NULL when out of memory (errno
 * ENOMEM). Free with arena_free().
 */
void *arena_alloc(size_t n, size_t *cap);

/* Wipe and give back a block of arena_alloc(). NULL does nothing. */
void arena_free(void *p);

/*
 * 0 while every chunk could be locked, else the errno of the first chunk
 * that could not (ENOMEM or EPERM past RLIMIT_MEMLOCK).
 */
int arena_lock_errno(void);

/* The pool's state, for tests and benchmarks. */
struct arena_stats {
	size_t	chunks;		/* 1 MiB chunks mapped now */
	size_t	large;		/* blocks with their own mapping now */
	size_t	blocks;		/* blocks handed out and not freed */
};
void arena_stats(struct arena_stats *st);

#endif
