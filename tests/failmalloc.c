/*
 * failmalloc.c: the linker-wrapped allocators of failmalloc.h. Each wrapper
 * asks should_fail() whether this allocation is the one to fail, calls the
 * real function otherwise, and records the block it returns in a pointer
 * set (open addressing, grown with the real calloc) so that live blocks can
 * be counted and a block freed by the wrong deallocator (free() of a
 * sodium_malloc() block, or the other way round) stops the test at once.
 * Blocks are not given headers: core.c's wipe_free() asks
 * malloc_usable_size() about them.
 */
#include "config.h"

#include "failmalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_reallocarray(void *p, size_t n, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_vasprintf(char **out, const char *fmt, va_list ap);
int __real___vasprintf_chk(char **out, int flag, const char *fmt, va_list ap);
void __real_free(void *p);
void *__real_sodium_malloc(size_t n);
void *__real_sodium_allocarray(size_t n, size_t size);
void __real_sodium_free(void *p);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_reallocarray(void *p, size_t n, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_vasprintf(char **out, const char *fmt, va_list ap);
int __wrap_asprintf(char **out, const char *fmt, ...);
int __wrap___vasprintf_chk(char **out, int flag, const char *fmt, va_list ap);
int __wrap___asprintf_chk(char **out, int flag, const char *fmt, ...);
void __wrap_free(void *p);
void *__wrap_sodium_malloc(size_t n);
void *__wrap_sodium_allocarray(size_t n, size_t size);
void __wrap_sodium_free(void *p);

enum kind { HEAP = 1, SODIUM = 2 };

struct slot {
	void		*p;	/* NULL: empty; TOMB: was used */
	enum kind	 kind;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long count, fail_at, failed;
static int persistent;
static struct slot *set;
static size_t set_cap, set_used, set_live;	/* used counts tombstones too */
static char tomb_mark;
#define TOMB ((void *)&tomb_mark)

/* -- the pointer set (callers hold lock) --------------------------------- */

static size_t
slot_of(const void *p, size_t cap)
{
	uintptr_t h = (uintptr_t)p;

	h ^= h >> 17;
	h *= (uintptr_t)0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 7) & (cap - 1);
}

static void
set_grow(void)
{
	struct slot *old = set;
	size_t oldcap = set_cap, i, j;

	set_cap = set_cap ? set_cap * 2 : 4096;
	if ((set = __real_calloc(set_cap, sizeof *set)) == NULL) {
		fputs("failmalloc: cannot grow the block set\n", stderr);
		abort();
	}
	set_used = 0;
	for (i = 0; i < oldcap; i++) {
		if (old[i].p == NULL || old[i].p == TOMB)
			continue;
		for (j = slot_of(old[i].p, set_cap); set[j].p != NULL;
		    j = (j + 1) & (set_cap - 1))
			;
		set[j] = old[i];
		set_used++;
	}
	__real_free(old);
}

static void
set_add(void *p, enum kind k)
{
	size_t i;

	if ((set_used + 1) * 2 > set_cap)
		set_grow();
	for (i = slot_of(p, set_cap); set[i].p != NULL && set[i].p != TOMB;
	    i = (i + 1) & (set_cap - 1))
		;
	if (set[i].p == NULL)
		set_used++;
	set[i].p = p;
	set[i].kind = k;
	set_live++;
}

/* Remove p; its kind, or 0 when the wrappers did not hand it out. */
static enum kind
set_del(void *p)
{
	size_t i;
	enum kind k;

	if (set_cap == 0)
		return 0;
	for (i = slot_of(p, set_cap); set[i].p != NULL;
	    i = (i + 1) & (set_cap - 1)) {
		if (set[i].p == p) {
			k = set[i].kind;
			set[i].p = TOMB;
			set_live--;
			return k;
		}
	}
	return 0;
}

/* -- counting and failing ------------------------------------------------ */

static int
should_fail(void)
{
	int fail;

	pthread_mutex_lock(&lock);
	count++;
	fail = fail_at != 0 &&
	    (count == fail_at || (persistent && count > fail_at));
	if (fail)
		failed++;
	pthread_mutex_unlock(&lock);
	if (fail)
		errno = ENOMEM;
	return fail;
}

static void *
track(void *p, enum kind k)
{
	if (p != NULL) {
		pthread_mutex_lock(&lock);
		set_add(p, k);
		pthread_mutex_unlock(&lock);
	}
	return p;
}

static void
untrack(void *p, enum kind k)
{
	enum kind was;

	if (p == NULL)
		return;
	pthread_mutex_lock(&lock);
	was = set_del(p);
	pthread_mutex_unlock(&lock);
	if (was != 0 && was != k) {
		fprintf(stderr, "failmalloc: %p freed by %s but allocated by %s\n",
		    p, k == HEAP ? "free()" : "sodium_free()",
		    was == HEAP ? "malloc()" : "sodium_malloc()");
		abort();
	}
}

void
failmalloc_arm(unsigned long at, int persist)
{
	pthread_mutex_lock(&lock);
	count = 0;
	failed = 0;
	fail_at = at;
	persistent = persist;
	pthread_mutex_unlock(&lock);
}

void
failmalloc_disarm(void)
{
	pthread_mutex_lock(&lock);
	fail_at = 0;
	pthread_mutex_unlock(&lock);
}

unsigned long
failmalloc_count(void)
{
	unsigned long n;

	pthread_mutex_lock(&lock);
	n = count;
	pthread_mutex_unlock(&lock);
	return n;
}

unsigned long
failmalloc_failed(void)
{
	unsigned long n;

	pthread_mutex_lock(&lock);
	n = failed;
	pthread_mutex_unlock(&lock);
	return n;
}

size_t
failmalloc_live(void)
{
	size_t n;

	pthread_mutex_lock(&lock);
	n = set_live;
	pthread_mutex_unlock(&lock);
	return n;
}

/* -- the wrappers -------------------------------------------------------- */

void *
__wrap_malloc(size_t n)
{
	return should_fail() ? NULL : track(__real_malloc(n), HEAP);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return should_fail() ? NULL : track(__real_calloc(n, size), HEAP);
}

/*
 * realloc(p, n) that fails leaves p allocated, as the real one does; one
 * that succeeds may move the block. realloc(NULL, n) is malloc(n).
 */
void *
__wrap_realloc(void *p, size_t n)
{
	void *q;

	if (should_fail())
		return NULL;
	if ((q = __real_realloc(p, n)) == NULL) {
		if (n == 0)
			untrack(p, HEAP);	/* glibc frees p */
		return NULL;
	}
	untrack(p, HEAP);
	return track(q, HEAP);
}

void *
__wrap_reallocarray(void *p, size_t n, size_t size)
{
	void *q;

	if (should_fail())
		return NULL;
	if ((q = __real_reallocarray(p, n, size)) == NULL)
		return NULL;
	untrack(p, HEAP);
	return track(q, HEAP);
}

char *
__wrap_strdup(const char *s)
{
	return should_fail() ? NULL : track(__real_strdup(s), HEAP);
}

char *
__wrap_strndup(const char *s, size_t n)
{
	return should_fail() ? NULL : track(__real_strndup(s, n), HEAP);
}

int
__wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
	int n;

	if (should_fail())
		return -1;
	if ((n = __real_vasprintf(out, fmt, ap)) >= 0)
		track(*out, HEAP);
	return n;
}

int
__wrap_asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = __wrap_vasprintf(out, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * What asprintf() and vasprintf() become with -D_FORTIFY_SOURCE (the
 * default build, configure.ac): the same allocation, through glibc's
 * checked functions.
 */
int
__wrap___vasprintf_chk(char **out, int flag, const char *fmt, va_list ap)
{
	int n;

	if (should_fail())
		return -1;
	if ((n = __real___vasprintf_chk(out, flag, fmt, ap)) >= 0)
		track(*out, HEAP);
	return n;
}

int
__wrap___asprintf_chk(char **out, int flag, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = __wrap___vasprintf_chk(out, flag, fmt, ap);
	va_end(ap);
	return n;
}

void
__wrap_free(void *p)
{
	untrack(p, HEAP);
	__real_free(p);
}

void *
__wrap_sodium_malloc(size_t n)
{
	return should_fail() ? NULL : track(__real_sodium_malloc(n), SODIUM);
}

void *
__wrap_sodium_allocarray(size_t n, size_t size)
{
	return should_fail() ? NULL :
	    track(__real_sodium_allocarray(n, size), SODIUM);
}

void
__wrap_sodium_free(void *p)
{
	untrack(p, SODIUM);
	__real_sodium_free(p);
}
