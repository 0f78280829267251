/*
 * test_bgjob.c: the console's background jobs (ui/bgjob.c) without a
 * terminal. A job's outcome (0, or -1 with its error) is seen by the poll
 * once it ended, and again until the next start, which starts afresh;
 * progress published by the run function is seen while it runs; a cancel
 * sets the flag the run function polls and calls the hook only while the
 * run function runs; releasing a running job cancels and waits for it; a
 * timed finish gives up on a job that does not end, and an abandoned job
 * frees its owner itself when it ends, not before.
 *
 * The run functions wait on a gate that the test opens, so that "while it
 * runs" is a fact of the test, not a matter of timing.
 */
#include "config.h"

#include "testutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgjob.h"
#include "err.h"

struct fx {
	struct bgjob	 job;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	int		 open;		/* the gate; under lock */
	int		 entered;	/* the run function began; under lock */
	int		 destroyed;	/* under lock, for the abandoned job */
	int		 fail;		/* the run function fails */
	int		 wait_cancel;	/* it runs until cancelled */
	int		 hooks;		/* the cancel hook's calls */
	int		 runs;
	int		 prog;		/* the job's progress */
};

static struct fx *
fx_new(void)
{
	struct fx *f = calloc(1, sizeof *f);

	assert_non_null(f);
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	return f;
}

static void
fx_free(struct fx *f)
{
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void
gate_open(struct fx *f)
{
	pthread_mutex_lock(&f->lock);
	f->open = 1;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

/* Wait until the run function began. */
static void
wait_entered(struct fx *f)
{
	pthread_mutex_lock(&f->lock);
	while (!f->entered)
		pthread_cond_wait(&f->cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
}

/* Poll as the console's tick does, up to 5 s. */
static int
poll_end(struct fx *f, struct err *e)
{
	int i, rc = 0;

	for (i = 0; i < 5000 && (rc = bgjob_poll(&f->job, e)) == 0; i++)
		sleep_ms(1);
	return rc;
}

static int
run(struct bgjob *j, void *arg, struct err *e)
{
	struct fx *f = arg;
	int one = 1;

	bgjob_progress_set(j, &one);
	pthread_mutex_lock(&f->lock);
	f->runs++;
	f->entered = 1;
	pthread_cond_broadcast(&f->cond);
	while (!f->open)
		pthread_cond_wait(&f->cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
	while (f->wait_cancel && !bgjob_cancelled(j))
		sleep_ms(1);
	if (f->fail) {
		err_set(e, ERR_IO, "run %d failed", f->runs);
		return -1;
	}
	return 0;
}

static void
on_cancel(void *arg)
{
	struct fx *f = arg;

	f->hooks++;	/* under the job's mutex */
}

static void
destroy(void *arg)
{
	struct fx *f = arg;

	pthread_mutex_lock(&f->lock);
	f->destroyed = 1;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static void
test_outcome(void **state)
{
	struct fx *f = fx_new();
	struct err e;

	(void)state;
	bgjob_init(&f->job, run, NULL, f, NULL, 0);
	err_clear(&e);
	assert_int_equal(bgjob_poll(&f->job, &e), 0);	/* never started */
	f->fail = 1;
	assert_int_equal(bgjob_start(&f->job, "test", &e), 0);
	wait_entered(f);
	assert_int_equal(bgjob_poll(&f->job, &e), 0);	/* it waits at the gate */
	gate_open(f);
	assert_int_equal(poll_end(f, &e), -1);
	assert_int_equal(e.code, ERR_IO);
	assert_string_equal(e.msg, "run 1 failed");
	err_clear(&e);
	assert_int_equal(bgjob_poll(&f->job, &e), -1);	/* it keeps saying so */
	assert_string_equal(e.msg, "run 1 failed");

	f->fail = 0;
	assert_int_equal(bgjob_start(&f->job, "test", &e), 0);
	assert_int_equal(poll_end(f, &e), 1);
	assert_int_equal(f->runs, 2);
	bgjob_release(&f->job);
	fx_free(f);
}

static void
test_progress(void **state)
{
	struct fx *f = fx_new();
	struct err e;
	int p = 0;

	(void)state;
	bgjob_init(&f->job, run, NULL, f, &f->prog, sizeof f->prog);
	err_clear(&e);
	assert_int_equal(bgjob_progress(&f->job, &p), 0);
	assert_int_equal(bgjob_start(&f->job, "test", &e), 0);
	wait_entered(f);
	/* Published before it entered, seen while it waits. */
	assert_int_equal(bgjob_progress(&f->job, &p), 1);
	assert_int_equal(p, 1);
	gate_open(f);
	assert_int_equal(poll_end(f, &e), 1);
	bgjob_release(&f->job);
	fx_free(f);
}

static void
test_cancel(void **state)
{
	struct fx *f = fx_new();
	struct err e;

	(void)state;
	bgjob_init(&f->job, run, on_cancel, f, NULL, 0);
	err_clear(&e);
	f->wait_cancel = 1;
	assert_int_equal(bgjob_start(&f->job, "test", &e), 0);
	wait_entered(f);
	assert_int_equal(*bgjob_cancel_flag(&f->job), 0);
	gate_open(f);
	assert_int_equal(bgjob_poll(&f->job, &e), 0);	/* runs until cancelled */
	bgjob_cancel(&f->job);
	assert_int_equal(*bgjob_cancel_flag(&f->job), 1);
	assert_int_equal(poll_end(f, &e), 1);
	assert_int_equal(f->hooks, 1);
	bgjob_cancel(&f->job);		/* ended: the hook is not called */
	assert_int_equal(f->hooks, 1);

	/* A new start clears the flag; releasing a running job cancels it. */
	assert_int_equal(bgjob_start(&f->job, "test", &e), 0);
	wait_entered(f);
	assert_int_equal(*bgjob_cancel_flag(&f->job), 0);
	bgjob_release(&f->job);
	assert_int_equal(f->hooks, 2);
	assert_int_equal(f->runs, 2);
	fx_free(f);
}

static void
test_abandon(void **state)
{
	struct fx *f = fx_new();
	struct err e;

	(void)state;
	bgjob_init(&f->job, run, NULL, f, NULL, 0);
	err_clear(&e);
	assert_int_equal(bgjob_start(&f->job, "test", &e), 0);
	wait_entered(f);
	assert_int_equal(bgjob_finish(&f->job, 30), 0);	/* it waits at the gate */
	bgjob_abandon(&f->job, destroy);
	pthread_mutex_lock(&f->lock);
	assert_int_equal(f->destroyed, 0);
	pthread_mutex_unlock(&f->lock);
	gate_open(f);
	pthread_mutex_lock(&f->lock);
	while (!f->destroyed)
		pthread_cond_wait(&f->cond, &f->lock);
	pthread_mutex_unlock(&f->lock);
	sleep_ms(20);	/* the detached thread is past its last use of f */
	fx_free(f);

	/* A job that ended is released and destroyed at once. */
	f = fx_new();
	bgjob_init(&f->job, run, NULL, f, NULL, 0);
	f->open = 1;
	assert_int_equal(bgjob_start(&f->job, "test", &e), 0);
	assert_int_equal(bgjob_finish(&f->job, 5000), 1);
	assert_int_equal(bgjob_poll(&f->job, &e), 1);
	bgjob_abandon(&f->job, destroy);
	assert_int_equal(f->destroyed, 1);
	fx_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcome),
		cmocka_unit_test(test_progress),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_abandon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
