/*
 * bgaudit.c: audit_run() on a thread (see bgaudit.h). The thread owns its
 * store, key ring and engine, and a reference to the key generation whose
 * configuration the engine reads; the findings and the outcome are handed over
 * under one mutex. Cancelling makes the callback drop what comes after and
 * the thread is joined when the audit ends.
 */
#include "config.h"

#include "bgaudit.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "keyring.h"
#include "store.h"

extern char **environ;

struct bgaudit {
	pthread_t		 thread;
	int			 started;
	pthread_mutex_t		 lock;
	struct session_keys	*keys;		/* a reference: the config it reads */
	struct store		*store;
	struct keyring		*kr;
	struct audit		*audit;
	volatile sig_atomic_t	 cancel;
	struct audit_list	 list;		/* the thread's until done */
	struct audit_stats	 st;
	/* Under lock: */
	int			 done;
	int			 rc;
	struct err		 err;
};

static void
on_finding(const struct audit_finding *f, void *arg)
{
	struct bgaudit *b = arg;

	if (!b->cancel)
		audit_list_collect(f, &b->list);
}

static void *
ba_main(void *arg)
{
	struct bgaudit *b = arg;
	struct err e;
	int rc;

	err_clear(&e);
	rc = audit_run(b->audit, b->store, on_finding, b, &b->st, &e);
	if (rc == 0 && b->list.failed) {
		err_nomem(&e);
		rc = -1;
	}
	if (rc == 0)
		audit_list_sort(&b->list);
	core_thread_cleanup();
	pthread_mutex_lock(&b->lock);
	b->rc = rc;
	b->err = e;
	b->done = 1;
	pthread_mutex_unlock(&b->lock);
	return NULL;
}

int
bgaudit_start(struct bgaudit **out, struct session *s, const char *url,
    const char *schema, struct err *e)
{
	const struct config_value *k;
	struct audit_opts ao;
	struct store_opts so;
	struct bgaudit *b;

	*out = NULL;
	if ((b = calloc(1, sizeof *b)) == NULL) {
		err_nomem(e);
		return -1;
	}
	pthread_mutex_init(&b->lock, NULL);
	b->keys = session_keys_ref(s);
	k = &b->keys->origin;
	memset(&so, 0, sizeof so);
	so.schema = schema;
	if (store_open(&b->store, url, &so, e) != 0 ||
	    keyring_parse(&b->kr, k->value ? k->value : "", k->value ? k->len : 0,
	    NULL, e) != 0)
		goto fail;
	memset(&ao, 0, sizeof ao);
	ao.cfg = b->keys->cfg;
	ao.kr = keyring_enabled(b->kr) ? b->kr : NULL;
	ao.mask = s->mask;
	ao.version = store_airflow_version(b->store);
	ao.environ = environ;
	ao.min_severity = AUDIT_SEV_INFO;
	ao.no_hash = 1;		/* the screen shows no hash: make no key file */
	if (session_audit_new(s, &ao, &b->audit, e) != 0)
		goto fail;
	if (pthread_create(&b->thread, NULL, ba_main, b) != 0) {
		err_set(e, ERR_NOMEM, "cannot start the audit thread");
		goto fail;
	}
	b->started = 1;
	*out = b;
	return 0;
fail:
	bgaudit_free(b);
	return -1;
}

int
bgaudit_poll(struct bgaudit *b, struct audit_list *out, struct audit_stats *st,
    struct err *e)
{
	int rc;

	pthread_mutex_lock(&b->lock);
	if (!b->done) {
		pthread_mutex_unlock(&b->lock);
		return 0;
	}
	rc = b->rc;
	if (rc != 0)
		*e = b->err;
	pthread_mutex_unlock(&b->lock);
	if (rc != 0)
		return -1;
	*out = b->list;
	memset(&b->list, 0, sizeof b->list);
	*st = b->st;
	return 1;
}

void
bgaudit_free(struct bgaudit *b)
{
	if (b == NULL)
		return;
	if (b->started) {
		b->cancel = 1;
		pthread_join(b->thread, NULL);
	}
	audit_list_release(&b->list);
	audit_free(b->audit);
	keyring_free(b->kr);
	store_close(b->store);
	session_keys_unref(b->keys);
	pthread_mutex_destroy(&b->lock);
	free(b);
}
