/*
 * failmalloc.h: a test-only allocation-failure switch, after SQLite's
 * malloc tests (src/test_malloc.c): count the core's allocations, make the
 * Nth one fail, and track the blocks still live, so that a test can run a
 * scenario with every allocation failing in turn and check that it crashes
 * nowhere, leaks nothing and reports ERR_NOMEM.
 *
 * It needs no change to the core. A test program that uses it is linked
 * with -Wl,--wrap=malloc,--wrap=free,... (WRAP_ALLOC_FLAGS in
 * Makefile.am): the linker then sends every call of those functions made by
 * the objects it links (the test, and src/libferncon.a's members) to the
 * __wrap_ functions of failmalloc.c, which call the real ones through
 * __real_. Allocations made inside shared libraries (SQLite, libpq, PCRE2,
 * libyaml, OpenSSL, libc's own realpath(NULL)) are not seen: those calls
 * are resolved at run time, not by the linker. cJSON is the exception, as
 * core_init() points its hooks at core.c's malloc and free, which are
 * wrapped. A block the wrappers did not hand out is freed without being
 * counted.
 *
 * The wrapped functions: malloc, calloc, realloc, reallocarray, strdup,
 * strndup, asprintf, vasprintf (and __asprintf_chk, __vasprintf_chk, what
 * they become with _FORTIFY_SOURCE), free, sodium_malloc,
 * sodium_allocarray and sodium_free. The state is shared by all threads (under a mutex); a
 * scenario that wants a reproducible order runs on one thread.
 */
#ifndef FERNCON_FAILMALLOC_H
#define FERNCON_FAILMALLOC_H

#include <stddef.h>

/*
 * Start a run: the allocation counter goes back to 0 and allocation number
 * fail_at (1-based) will fail (return NULL, errno ENOMEM); 0 fails none.
 * With persistent set every allocation from fail_at on fails too (SQLite's
 * "persistent" mode); otherwise only that one does.
 */
void failmalloc_arm(unsigned long fail_at, int persistent);

/* Stop failing; counting goes on. */
void failmalloc_disarm(void);

/* Allocations requested since failmalloc_arm(), failed ones included. */
unsigned long failmalloc_count(void);

/* Allocations made to fail since failmalloc_arm(). */
unsigned long failmalloc_failed(void);

/* Blocks handed out by the wrappers and not yet freed (all threads). */
size_t failmalloc_live(void);

#endif
