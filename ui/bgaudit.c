/*
 * bgaudit.c: audit_run() as a background job (see bgaudit.h, bgjob.h). The
 * job owns its store, key ring and engine, and a reference to the key
 * generation whose configuration the engine reads; the findings are the
 * job's until bgjob_poll() says it ended. Cancelling makes the callback
 * drop what comes after and the thread is joined when the audit ends.
 */
#include "config.h"

#include "bgaudit.h"

#include <stdlib.h>
#include <string.h>

#include "bgjob.h"
#include "keyring.h"
#include "store.h"

extern char **environ;

struct bgaudit {
	struct bgjob		 job;
	struct session_keys	*keys;		/* a reference: the config it reads */
	struct store		*store;
	struct keyring		*kr;
	struct audit		*audit;
	struct audit_list	 list;		/* the thread's until done */
	struct audit_stats	 st;
};

static void
on_finding(const struct audit_finding *f, void *arg)
{
	struct bgaudit *b = arg;

	if (!bgjob_cancelled(&b->job))
		audit_list_collect(f, &b->list);
}

static int
ba_run(struct bgjob *j, void *arg, struct err *e)
{
	struct bgaudit *b = arg;

	(void)j;
	if (audit_run(b->audit, b->store, on_finding, b, &b->st, e) != 0)
		return -1;
	if (b->list.failed)
		return err_nomem(e);
	audit_list_sort(&b->list);
	return 0;
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
	bgjob_init(&b->job, ba_run, NULL, b, NULL, 0);
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
	ao.min_severity = AUDIT_MIN_SEVERITY_DEFAULT;	/* as `ferncon audit` */
	ao.no_hash = 1;		/* the screen shows no hash: make no key file */
	if (session_audit_new(s, &ao, &b->audit, e) != 0 ||
	    bgjob_start(&b->job, "audit", e) != 0)
		goto fail;
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

	if ((rc = bgjob_poll(&b->job, e)) != 1)
		return rc;
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
	bgjob_release(&b->job);
	audit_list_release(&b->list);
	audit_free(b->audit);
	keyring_free(b->kr);
	store_close(b->store);
	session_keys_unref(b->keys);
	free(b);
}
