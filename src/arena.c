/*
 * arena.c: the pool of locked chunks of arena.h. Each chunk keeps a bump
 * pointer and one free list per block size; a block starts with a small
 * header naming its chunk and size class, so that arena_free() finds both.
 * Blocks larger than ARENA_MAX_SMALL get their own sodium_malloc() mapping
 * with the same header (chunk NULL).
 */
#include "config.h"

#include "arena.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#define NCLASS		12	/* 32, 64, ... 65536 bytes with the header */
#define MIN_SHIFT	5

struct chunk;

/* Before every block; 16 bytes keep the block 16-byte aligned. */
struct hdr {
	struct chunk	*chunk;		/* NULL: a large block */
	uint64_t	 cls;		/* size class; large: unused */
};

struct freeblk {
	struct freeblk	*next;
};

struct chunk {
	struct chunk	*prev, *next;
	unsigned char	*bump, *end;
	struct freeblk	*free[NCLASS];
	size_t		 live;
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct chunk *chunks;		/* newest first */
static size_t nchunks, nlarge, nblocks;
static int lock_errno;

static size_t
class_size(unsigned cls)
{
	return (size_t)1 << (cls + MIN_SHIFT);
}

/* Note a failure to lock, once (libsodium's own attempt is silent). */
static void
check_locked(void *p, size_t len)
{
	if (sodium_mlock(p, len) != 0 && lock_errno == 0)
		lock_errno = errno != 0 ? errno : ENOMEM;
}

static struct chunk *
chunk_new(void)
{
	struct chunk *c = sodium_malloc(ARENA_CHUNK);

	if (c == NULL)
		return NULL;
	check_locked(c, ARENA_CHUNK);
	memset(c, 0, sizeof *c);
	/* the first block after the chunk's own header, 16-byte aligned */
	c->bump = (unsigned char *)c + ((sizeof *c + 15) & ~(size_t)15);
	c->end = (unsigned char *)c + ARENA_CHUNK;
	c->next = chunks;
	if (chunks != NULL)
		chunks->prev = c;
	chunks = c;
	nchunks++;
	return c;
}

/* A block of class cls from c, or NULL when c has none left. */
static struct hdr *
chunk_take(struct chunk *c, unsigned cls)
{
	size_t sz = class_size(cls);
	struct hdr *h;

	if (c->free[cls] != NULL) {
		h = (struct hdr *)(void *)c->free[cls];
		c->free[cls] = c->free[cls]->next;
	} else if ((size_t)(c->end - c->bump) >= sz) {
		h = (struct hdr *)(void *)c->bump;
		c->bump += sz;
	} else {
		return NULL;
	}
	sodium_memzero(h, sz);
	h->chunk = c;
	h->cls = cls;
	c->live++;
	return h;
}

void *
arena_alloc(size_t n, size_t *cap)
{
	struct chunk *c;
	struct hdr *h = NULL;
	unsigned cls = 0;

	if (n > ARENA_MAX_SMALL - sizeof *h) {
		size_t whole;

		/*
		 * sodium_malloc() puts the block's end against its guard page:
		 * a size that is a multiple of the header's keeps the header
		 * aligned.
		 */
		if (n > SIZE_MAX - 2 * sizeof *h) {
			errno = ENOMEM;
			return NULL;
		}
		whole = (sizeof *h + n + sizeof *h - 1) / sizeof *h * sizeof *h;
		if ((h = sodium_malloc(whole)) == NULL) {
			errno = ENOMEM;
			return NULL;
		}
		memset(h, 0, whole);
		pthread_mutex_lock(&pool_lock);
		check_locked(h, whole);
		nlarge++;
		nblocks++;
		pthread_mutex_unlock(&pool_lock);
		if (cap != NULL)
			*cap = n;
		return h + 1;
	}
	while (class_size(cls) < n + sizeof *h)
		cls++;
	pthread_mutex_lock(&pool_lock);
	for (c = chunks; c != NULL && h == NULL; c = c->next)
		h = chunk_take(c, cls);
	if (h == NULL && (c = chunk_new()) != NULL)
		h = chunk_take(c, cls);
	if (h != NULL)
		nblocks++;
	pthread_mutex_unlock(&pool_lock);
	if (h == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	if (cap != NULL)
		*cap = class_size(cls) - sizeof *h;
	return h + 1;
}

void
arena_free(void *p)
{
	struct hdr *h;
	struct chunk *c;
	struct freeblk *f;
	unsigned cls;

	if (p == NULL)
		return;
	h = (struct hdr *)p - 1;
	if ((c = h->chunk) == NULL) {
		pthread_mutex_lock(&pool_lock);
		nlarge--;
		nblocks--;
		pthread_mutex_unlock(&pool_lock);
		sodium_free(h);		/* wipes */
		return;
	}
	cls = (unsigned)h->cls;
	sodium_memzero(h, class_size(cls));
	pthread_mutex_lock(&pool_lock);
	nblocks--;
	if (--c->live == 0) {
		/* every block is free: give the whole chunk back */
		if (c->prev != NULL)
			c->prev->next = c->next;
		else
			chunks = c->next;
		if (c->next != NULL)
			c->next->prev = c->prev;
		nchunks--;
		pthread_mutex_unlock(&pool_lock);
		sodium_free(c);		/* wipes */
		return;
	}
	f = (struct freeblk *)(void *)h;
	f->next = c->free[cls];
	c->free[cls] = f;
	pthread_mutex_unlock(&pool_lock);
}

int
arena_lock_errno(void)
{
	int v;

	pthread_mutex_lock(&pool_lock);
	v = lock_errno;
	pthread_mutex_unlock(&pool_lock);
	return v;
}

void
arena_stats(struct arena_stats *st)
{
	pthread_mutex_lock(&pool_lock);
	st->chunks = nchunks;
	st->large = nlarge;
	st->blocks = nblocks;
	pthread_mutex_unlock(&pool_lock);
}
