/*
 * bgjob.h: one job of the console on a thread of its own, the one way the
 * console runs work that must not freeze the screen (the key-status scan,
 * the audit, the rotation's jobs, the lost-key probe). The owner embeds a
 * struct bgjob, names a run function and its argument, and starts it; the
 * run function may publish its progress, which the owner's tick polls, and
 * polls a cancel flag; its outcome (rc and struct err) is handed over under
 * the job's one mutex, and the thread is joined by the poll that sees it
 * end, by bgjob_finish(), or by bgjob_release(); a thread that does not
 * end in time may be abandoned, to free its owner's things when it ends. The idea is that of git's run-command.h
 * struct async (start_async(), finish_async()). No curses.
 *
 * Threads: the owner (the console's thread) calls every function here
 * except bgjob_progress_set() and bgjob_cancelled(), which are the run
 * function's. What the run function writes elsewhere (into the owner's
 * struct) is the owner's to read once bgjob_poll() said the job ended.
 */
#ifndef FERNCON_UI_BGJOB_H
#define FERNCON_UI_BGJOB_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#include "compiler.h"
#include "err.h"

struct bgjob;

/*
 * The work, run on the job's thread: 0, or -1 with e set. arg is the one
 * given to bgjob_init().
 */
typedef int (*bgjob_run_fn)(struct bgjob *j, void *arg, struct err *e);

/*
 * Called by bgjob_cancel() with the job's mutex held, only while the run
 * function runs, so that it can stop a blocking call of the run function
 * (a query: store_interrupt()) which the flag alone would not reach.
 */
typedef void (*bgjob_cancel_fn)(void *arg);

/* Frees what the job's argument holds, j included: see bgjob_abandon(). */
typedef void (*bgjob_destroy_fn)(void *arg);

/* Embedded by the owner; the fields are bgjob.c's. */
struct bgjob {
	bgjob_run_fn		 run;
	bgjob_cancel_fn		 on_cancel;	/* NULL: only the flag */
	void			*arg;
	void			*progress;	/* the owner's, size bytes */
	size_t			 progress_size;
	pthread_t		 thread;
	int			 started;	/* a thread to join */
	volatile sig_atomic_t	 cancel;
	pthread_mutex_t		 lock;
	pthread_cond_t		 ended;		/* done was set */
	/* Under lock: */
	int			 running;
	int			 done;
	int			 rc;
	struct err		 err;
	int			 have_progress;
	bgjob_destroy_fn	 orphan;	/* abandoned: the thread frees */
};

/*
 * Set j up, idle, to run run(j, arg) (on_cancel may be NULL). progress, if
 * not NULL, is size bytes of the owner's that bgjob_progress_set() fills,
 * under the job's mutex, and bgjob_progress() copies out; it must outlive
 * j. Every j that was set up is given back with bgjob_release().
 */
void bgjob_init(struct bgjob *j, bgjob_run_fn run, bgjob_cancel_fn on_cancel,
    void *arg, void *progress, size_t size);

/*
 * The cancel flag, for run functions that hand it on (a lifecycle runner
 * polls it between pages); its address is that of j's, fixed from
 * bgjob_init() on, and bgjob_start() clears it.
 */
const volatile sig_atomic_t *bgjob_cancel_flag(const struct bgjob *j);

/*
 * Start the run function on a new thread (a job that ended is joined
 * first; one that runs is waited for): the cancel flag, the progress and
 * the outcome start afresh. 0, or -1 with e set ("cannot start the <what>
 * thread").
 */
int bgjob_start(struct bgjob *j, const char *what, struct err *e) ATTR_WUR;

/*
 * 0 while the job runs (or was never started); once it ended, its thread
 * joined: 1 if the run function returned 0, -1 with e set to its error if
 * not. It keeps saying so until the next bgjob_start(). Never blocks.
 */
int bgjob_poll(struct bgjob *j, struct err *e);

/*
 * 1 with *out (the size given to bgjob_init()) set to the newest progress
 * the run function published since the start, 0 if none yet.
 */
int bgjob_progress(struct bgjob *j, void *out);

/* The run function's: publish *p (size bytes) as the newest progress. */
void bgjob_progress_set(struct bgjob *j, const void *p);

/*
 * Ask the job to stop: sets the cancel flag and, while the run function
 * runs, calls on_cancel. The job still ends through the run function.
 */
void bgjob_cancel(struct bgjob *j);

/* The run function's: non-zero once the job was cancelled. */
int bgjob_cancelled(const struct bgjob *j);

/*
 * Wait up to timeout_ms for a started job to end: 1 once it ended and its
 * thread was joined (bgjob_poll() then gives the outcome), 0 if it still
 * runs.
 */
int bgjob_finish(struct bgjob *j, int timeout_ms);

/*
 * Cancel the job if it runs, wait for its thread, and free what
 * bgjob_init() set up (not j itself).
 */
void bgjob_release(struct bgjob *j);

/*
 * Let go of a job whose thread may still be running (one stuck in the
 * network that bgjob_finish() gave up on): if it ended, it is released and
 * destroy(arg) is called at once; if not, the thread is detached and,
 * once the run function returns, releases j and calls destroy(arg) itself
 * (or the process ends first). Either way the caller must not touch j, nor
 * what destroy() frees, again.
 */
void bgjob_abandon(struct bgjob *j, bgjob_destroy_fn destroy);

#endif
