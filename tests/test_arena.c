/*
 * test_arena.c: the pool of locked chunks behind connection secrets
 * (src/arena.c): many small secrets share a few chunks instead of one
 * mapping each, blocks never overlap, a freed block is wiped and reused, a
 * chunk goes back when its last block does, large blocks get their own
 * mapping, and threads may share the pool.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "testutil.h"

#define N	200000

static void
expect_stats(size_t chunks, size_t large, size_t blocks)
{
	struct arena_stats st;

	arena_stats(&st);
	assert_int_equal(st.chunks, chunks);
	assert_int_equal(st.large, large);
	assert_int_equal(st.blocks, blocks);
}

static int
all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/*
 * 200,000 secrets of 1 to 300 bytes, as 100,000 connections hold: a few
 * dozen 1 MiB chunks, where one sodium_malloc() each would map 200,000
 * regions (over vm.max_map_count, 65,530 by default).
 */
static void
test_many_small(void **state)
{
	unsigned char **p = calloc(N, sizeof *p);
	size_t *cap = calloc(N, sizeof *cap), i, j, want = 0;
	struct arena_stats st;

	(void)state;
	assert_non_null(p);
	assert_non_null(cap);
	for (i = 0; i < N; i++) {
		size_t n = 1 + i % 300;

		assert_non_null(p[i] = arena_alloc(n, &cap[i]));
		assert_true(cap[i] >= n);
		assert_true(all_zero(p[i], cap[i]));
		assert_int_equal((uintptr_t)p[i] % 16, 0);
		memset(p[i], (int)(i & 0xff), cap[i]);
		want += cap[i] + 16;
	}
	arena_stats(&st);
	assert_int_equal(st.blocks, N);
	assert_int_equal(st.large, 0);
	/* full chunks, but for a little slack at each one's end */
	assert_true(st.chunks <= want / (ARENA_CHUNK - 16384) + 1);
	assert_true(st.chunks < 100);
	/* no block was written over by another */
	for (i = 0; i < N; i++)
		for (j = 0; j < cap[i]; j++)
			if (p[i][j] != (unsigned char)(i & 0xff))
				fail_msg("block %zu overwritten at %zu", i, j);
	for (i = 0; i < N; i++)
		arena_free(p[i]);
	expect_stats(0, 0, 0);
	free(p);
	free(cap);
}

/* Freed blocks are wiped and taken again before any new chunk. */
static void
test_reuse_and_wipe(void **state)
{
	unsigned char *p[1000];
	struct arena_stats before;
	size_t cap, i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		assert_non_null(p[i] = arena_alloc(200, &cap));
		memset(p[i], 'S', cap);
	}
	arena_stats(&before);
	assert_int_equal(before.chunks, 1);
	for (i = 0; i < 1000; i += 2)
		arena_free(p[i]);
	/* the chunk stays (odd blocks are live) and the freed ones are wiped */
	assert_true(all_zero(p[0], cap));
	assert_true(all_zero(p[998], cap));
	for (i = 0; i < 1000; i += 2) {
		assert_non_null(p[i] = arena_alloc(150, NULL));
		assert_true(all_zero(p[i], 150));
	}
	expect_stats(1, 0, 1000);
	for (i = 0; i < 1000; i++)
		arena_free(p[i]);
	expect_stats(0, 0, 0);
	arena_free(NULL);
}

/* Past ARENA_MAX_SMALL a block has its own mapping, given back on free. */
static void
test_large(void **state)
{
	unsigned char *small, *big;
	size_t cap;

	(void)state;
	assert_non_null(small = arena_alloc(ARENA_MAX_SMALL - 16, &cap));
	assert_true(cap >= ARENA_MAX_SMALL - 16);
	expect_stats(1, 0, 1);
	assert_non_null(big = arena_alloc(ARENA_MAX_SMALL + 1, &cap));
	assert_int_equal(cap, ARENA_MAX_SMALL + 1);
	assert_true(all_zero(big, cap));
	memset(big, 'x', cap);
	expect_stats(1, 1, 2);
	arena_free(big);
	arena_free(small);
	expect_stats(0, 0, 0);
	/* a size that cannot be had fails, it does not wrap */
	assert_null(arena_alloc(SIZE_MAX - 8, NULL));
}

static char why_nomem[] = "out of memory";
static char why_shared[] = "a block was shared between threads";

static void *
churn(void *arg)
{
	unsigned char *p[500];
	size_t i, round, seed = (size_t)(uintptr_t)arg;

	for (round = 0; round < 20; round++) {
		for (i = 0; i < 500; i++) {
			if ((p[i] = arena_alloc(1 + (i * seed) % 900, NULL)) ==
			    NULL)
				return why_nomem;
			p[i][0] = (unsigned char)seed;
		}
		for (i = 0; i < 500; i++) {
			if (p[i][0] != (unsigned char)seed)
				return why_shared;
			arena_free(p[i]);
		}
	}
	return NULL;
}

/* Four threads allocate and free at once; nothing is lost or shared. */
static void
test_threads(void **state)
{
	pthread_t t[4];
	void *why;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, churn,
		    (void *)(uintptr_t)(i + 3)), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], &why), 0);
		if (why != NULL)
			fail_msg("thread %zu: %s", i, (const char *)why);
	}
	expect_stats(0, 0, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_small),
		cmocka_unit_test(test_reuse_and_wipe),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_threads),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
