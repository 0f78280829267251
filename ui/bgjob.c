/*
 * bgjob.c: a job on a thread (see bgjob.h). The thread runs the owner's
 * function, drops the core's per-thread scratch (Fernet buffers) before it
 * ends, and posts the outcome under the job's mutex; the owner joins it the
 * first time it sees that outcome, which is at once, since posting it is
 * the thread's last act, unless the job was abandoned: then the thread
 * frees its owner's things itself, having seen that under the mutex.
 */
#include "config.h"

#include "bgjob.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "core.h"

static void *
bgjob_main(void *arg)
{
	struct bgjob *j = arg;
	bgjob_destroy_fn orphan;
	struct err e;
	int rc;

	err_clear(&e);
	rc = j->run(j, j->arg, &e);
	core_thread_cleanup();
	pthread_mutex_lock(&j->lock);
	j->running = 0;
	j->rc = rc;
	j->err = e;
	j->done = 1;
	orphan = j->orphan;
	pthread_cond_broadcast(&j->ended);
	pthread_mutex_unlock(&j->lock);
	/* The owner let go (bgjob_abandon()): nobody else will free. */
	if (orphan != NULL) {
		pthread_cond_destroy(&j->ended);
		pthread_mutex_destroy(&j->lock);
		orphan(j->arg);
	}
	return NULL;
}

void
bgjob_init(struct bgjob *j, bgjob_run_fn run, bgjob_cancel_fn on_cancel,
    void *arg, void *progress, size_t size)
{
	memset(j, 0, sizeof *j);
	j->run = run;
	j->on_cancel = on_cancel;
	j->arg = arg;
	j->progress = progress;
	j->progress_size = progress != NULL ? size : 0;
	err_clear(&j->err);
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->ended, NULL);
}

const volatile sig_atomic_t *
bgjob_cancel_flag(const struct bgjob *j)
{
	return &j->cancel;
}

static void
bgjob_join(struct bgjob *j)
{
	if (j->started) {
		pthread_join(j->thread, NULL);
		j->started = 0;
	}
}

int
bgjob_start(struct bgjob *j, const char *what, struct err *e)
{
	bgjob_join(j);
	j->cancel = 0;
	j->done = 0;
	j->rc = 0;
	err_clear(&j->err);
	j->have_progress = 0;
	j->running = 1;
	if (pthread_create(&j->thread, NULL, bgjob_main, j) != 0) {
		j->running = 0;
		err_set(e, ERR_NOMEM, "cannot start the %s thread", what);
		return -1;
	}
	j->started = 1;
	return 0;
}

int
bgjob_poll(struct bgjob *j, struct err *e)
{
	int done, rc;

	pthread_mutex_lock(&j->lock);
	done = j->done;
	rc = j->rc;
	if (done && rc != 0)
		*e = j->err;
	pthread_mutex_unlock(&j->lock);
	if (!done)
		return 0;
	bgjob_join(j);
	return rc == 0 ? 1 : -1;
}

int
bgjob_progress(struct bgjob *j, void *out)
{
	int have;

	pthread_mutex_lock(&j->lock);
	have = j->have_progress;
	if (have)
		memcpy(out, j->progress, j->progress_size);
	pthread_mutex_unlock(&j->lock);
	return have;
}

void
bgjob_progress_set(struct bgjob *j, const void *p)
{
	if (j->progress == NULL)
		return;
	pthread_mutex_lock(&j->lock);
	memcpy(j->progress, p, j->progress_size);
	j->have_progress = 1;
	pthread_mutex_unlock(&j->lock);
}

void
bgjob_cancel(struct bgjob *j)
{
	pthread_mutex_lock(&j->lock);
	j->cancel = 1;
	if (j->running && j->on_cancel != NULL)
		j->on_cancel(j->arg);
	pthread_mutex_unlock(&j->lock);
}

int
bgjob_cancelled(const struct bgjob *j)
{
	return j->cancel != 0;
}

int
bgjob_finish(struct bgjob *j, int timeout_ms)
{
	struct timespec until;
	int done;

	if (!j->started)
		return 1;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&j->lock);
	while (!j->done && pthread_cond_timedwait(&j->ended, &j->lock,
	    &until) != ETIMEDOUT)
		;
	done = j->done;
	pthread_mutex_unlock(&j->lock);
	if (done)
		bgjob_join(j);
	return done;
}

void
bgjob_release(struct bgjob *j)
{
	if (j->started) {
		bgjob_cancel(j);
		bgjob_join(j);
	}
	pthread_cond_destroy(&j->ended);
	pthread_mutex_destroy(&j->lock);
}

void
bgjob_abandon(struct bgjob *j, bgjob_destroy_fn destroy)
{
	void *arg = j->arg;

	if (j->started) {
		pthread_mutex_lock(&j->lock);
		if (!j->done) {
			j->orphan = destroy;
			pthread_mutex_unlock(&j->lock);
			pthread_detach(j->thread);
			return;
		}
		pthread_mutex_unlock(&j->lock);
	}
	bgjob_release(j);
	destroy(arg);
}
