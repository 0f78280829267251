/*
 * scr_probe.c: the lost-key probe (p on the key status screen, Admin
 * only; doc/design.md section 7): candidate keys are pasted into hidden,
 * locked form fields (one key, or an old comma-separated fernet_key
 * one key per field: a field holding a key list, or no key, is refused as
 * the focus leaves it; a pasted line's Enter moves to the next field),
 * never argv, never logged; lifecycle_probe() then says which candidate
 * opens how many of the values no configured key opens. a adds every
 * found key not yet in the ring (lifecycle_probe_found()), each once, in
 * the order found, to the end of the key list through cfgwrite (or says
 * what to set when the key comes from the environment or a _cmd); the
 * console reads its keys again and the probe runs again on the new ring,
 * so the screen shows what is still unopened.
 *
 * The probe and the add are the session's use cases (session_job_probe(),
 * session_key_write(): the role checked, one action-log line each); the
 * probe runs as a background job of the screen (bgjob.h) with its own
 * store. The candidates live in the fields' locked memory and in one
 * sodium_malloc buffer handed to the job, wiped once it is done; the
 * screen shows only line numbers and counts, never a key.
 */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "bgjob.h"
#include "cfgwrite.h"
#include "dialog.h"
#include "keyring.h"
#include "screens.h"
#include "widget_form.h"

#define PROBE_FIELDS	6
#define PROBE_CAP	1024		/* bytes per field */
#define PROBE_TAG_ADD	0x414444

enum probe_state { PR_FORM, PR_RUNNING, PR_DONE };

struct probe {
	struct form_field	 f[PROBE_FIELDS];
	struct form		 fm;
	enum probe_state	 state;
	/* The worker. */
	struct session_job	*sj;
	struct bgjob		 job;
	char			*cand;		/* sodium_malloc: the joined candidates */
	size_t			 cand_len, cand_cap;
	/* The job's, read once it ended: */
	struct err		 log_err;	/* the log line's failure */
	struct lifecycle_probe	 res;
	/* Its outcome, set when the tick sees it end: */
	int			 rc;
	struct err		 err;
	int			 field_of[LIFECYCLE_MAX_CANDIDATES + 1];	/* line -> field */
};

static const struct ui_key probe_keys[] = {
	{ "F2", "Probe", "try the candidate keys on the values no configured "
	    "key opens", { TK(KEY_F(2)) }, POLICY_ADMIN, "probe for lost keys",
	    1 },
	{ "a", "Add keys", "after a probe: add every candidate that opened "
	    "values and is not in the key list, each once, to the end of the "
	    "key list (airflow.cfg); then the probe runs again", { 0 }, POLICY_ADMIN,
	    "change the key list", 1 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

static int
probe_run(struct bgjob *j, void *arg, struct err *e)
{
	struct probe *p = arg;

	(void)j;
	return session_job_probe(p->sj, p->cand, p->cand_len, &p->res,
	    &p->log_err, e);
}

/* Join the fields, one a line, into the locked buffer. */
static void
probe_join(struct probe *p)
{
	int i;

	sodium_memzero(p->cand, p->cand_cap);
	p->cand_len = 0;
	for (i = 0; i < PROBE_FIELDS; i++) {
		if (p->f[i].len == 0)
			continue;
		memcpy(p->cand + p->cand_len, p->f[i].buf, p->f[i].len);
		p->cand_len += p->f[i].len;
		p->cand[p->cand_len++] = '\n';
	}
	p->cand[p->cand_len] = '\0';
}

static int
probe_start(struct screen *s, struct probe *p, struct app *a)
{
	struct err e;

	probe_join(p);
	if (p->cand_len == 0) {
		app_error(a, "paste at least one candidate key");
		return -1;
	}
	memset(&p->res, 0, sizeof p->res);
	err_clear(&p->log_err);
	err_clear(&e);
	if (bgjob_start(&p->job, "probe's", &e) != 0) {
		app_error(a, "%s", e.msg);
		return -1;
	}
	p->state = PR_RUNNING;
	s->wake_at = term_now_ms() + 20;
	return 0;
}

/* Once the job ended: the candidates are not needed any more. */
static void
probe_wipe(struct probe *p)
{
	sodium_memzero(p->cand, p->cand_cap);
	p->cand_len = 0;
}

/* How many found candidates are not in the ring yet. */
static size_t
probe_found(const struct probe *p, size_t *idx, size_t max)
{
	return lifecycle_probe_found(&p->res, idx, max);
}

/* One key per field: a key list, or text that is no key, is refused. */
static int
probe_check(const struct form_field *f, void *arg, char *msg, size_t msglen)
{
	struct keyring *kr = NULL;
	struct err e;
	size_t n;

	(void)arg;
	if (f->len == 0)
		return 0;
	if (keyring_parse(&kr, f->buf, f->len, NULL, &e) != 0) {
		snprintf(msg, msglen, "not a Fernet key (32 url-safe base64 "
		    "bytes)");
		return -1;
	}
	n = keyring_count(kr);
	keyring_free(kr);
	if (n > 1) {
		snprintf(msg, msglen, "%zu keys here: one key per field", n);
		return -1;
	}
	return 0;
}

static void
probe_draw(struct screen *s, struct app *a, const struct area *r)
{
	struct probe *p = s->data;
	struct area fr = { r->y + 3, r->x + 1, PROBE_FIELDS + 2, r->w - 2 };
	const struct lifecycle_probe *res = &p->res;
	int y, cy = -1, cx = -1;
	size_t i;
	char row[320];

	draw_fill(r->y, r->x, r->w, term_attr(TE_HEADER));
	draw_text(r->y, r->x + 1, r->w - 2, term_attr(TE_HEADER),
	    "Lost-key probe: which candidate key opens the values no key opens");
	draw_text(r->y + 1, r->x + 2, r->w - 4, term_attr(TE_NORMAL),
	    "Paste one key (or an old key list) per field; F2 probes. Keys are "
	    "hidden, held in locked memory, never logged.");
	form_draw(&p->fm, &fr, 14, &cy, &cx);
	if (p->state == PR_FORM && cy >= 0)
		app_cursor(a, cy, cx);
	y = fr.y + fr.h + 1;
	if (p->state == PR_RUNNING) {
		draw_text(y, r->x + 2, r->w - 4, term_attr(TE_INFO),
		    "probing: reading the values no configured key opens...");
		return;
	}
	if (p->state != PR_DONE)
		return;
	if (p->rc != 0) {
		draw_printf(y, r->x + 2, r->w - 4, term_attr(TE_ERROR),
		    "the probe failed: %s", p->err.msg);
		return;
	}
	draw_printf(y++, r->x + 2, r->w - 4, term_attr(TE_NORMAL),
	    "%zu tokens read, %zu that no configured key opens, %zu that no "
	    "candidate opens either", res->checked, res->unopened,
	    res->still_unopened);
	for (i = 0; i < res->ncand && i < LIFECYCLE_MAX_CANDIDATES &&
	    y < r->y + r->h; i++) {
		unsigned line = res->cand_line[i];
		int fld = line <= LIFECYCLE_MAX_CANDIDATES ? p->field_of[line] : 0;

		draw_printf(y++, r->x + 4, r->w - 6, term_attr(res->opened[i] ?
		    TE_ENCRYPTED : TE_NORMAL), "candidate %zu (field %d): opens "
		    "%zu value%s%s", i + 1, fld, res->opened[i], res->opened[i] ==
		    1 ? "" : "s", res->cand_in_ring[i] >= 0 ? " (already in the "
		    "key list)" : "");
	}
	for (i = 0; i < res->nrows && y < r->y + r->h; i++) {
		lifecycle_row_format(&res->rows[i], row, sizeof row);
		draw_printf(y++, r->x + 4, r->w - 6, term_attr(res->rows[i].key >=
		    0 ? TE_ENCRYPTED : TE_UNDECRYPTABLE), "%s: %s", row,
		    res->rows[i].key >= 0 ? "opened" : "still no key");
	}
	if (probe_found(p, NULL, 0) > 0 && y < r->y + r->h)
		draw_text(y, r->x + 2, r->w - 4, term_attr(TE_INFO),
		    "a adds the keys that opened values to the end of the key "
		    "list; then rotate (R) to move them to the primary key");
}

/*
 * Add every found key not in the ring, in the order found, in one write
 * (one log line); then probe again on the new ring. 0 when added.
 */
static int
probe_add(struct probe *p, struct app *a)
{
	struct cfgwrite_plan *plan = NULL;
	struct err e, log_err;
	size_t idx[LIFECYCLE_MAX_CANDIDATES], n, i, len = 0;
	char *list = NULL;
	int rc = -1, fld;
	unsigned line;

	err_clear(&e);
	n = probe_found(p, idx, ARRAY_LEN(idx));
	if (n == 0)
		return -1;
	if ((list = sodium_malloc(p->cand_cap)) == NULL ||
	    (plan = calloc(1, sizeof *plan)) == NULL) {
		app_error(a, "out of memory");
		goto out;
	}
	for (i = 0; i < n && i < ARRAY_LEN(idx); i++) {
		line = p->res.cand_line[idx[i]];
		fld = line <= LIFECYCLE_MAX_CANDIDATES ? p->field_of[line] : 0;
		if (fld < 1 || fld > PROBE_FIELDS) {
			app_error(a, "cannot tell which field holds candidate %zu",
			    idx[i] + 1);
			goto out;
		}
		if (len > 0)
			list[len++] = ',';
		memcpy(list + len, p->f[fld - 1].buf, p->f[fld - 1].len);
		len += p->f[fld - 1].len;
	}
	list[len] = '\0';
	if (session_key_write(a->session, SESSION_KEY_APPEND, list, len, plan,
	    &log_err, &e) != 0) {
		if (log_err.code != ERR_NONE)
			app_warn(a, "%s", log_err.msg);
		app_error(a, "%s", e.msg);
		goto out;
	}
	if (log_err.code != ERR_NONE)
		app_warn(a, "%s", log_err.msg);
	app_db_changed(a);
	app_info(a, "added %zu key%s to %s; give every Airflow component the "
	    "new list, then rotate (R)", n, n == 1 ? "" : "s", plan->path);
	rc = 0;
out:
	if (list != NULL)
		sodium_free(list);
	free(plan);
	return rc;
}

/* A job on the session's current key ring (after an add, the new one). */
static int
probe_open_job(struct probe *p, struct app *a, struct err *e)
{
	struct session_job_opts o;

	session_job_free(p->sj);
	p->sj = NULL;
	memset(&o, 0, sizeof o);
	o.via = "console";
	o.own_store = 1;
	return session_job_open(a->session, "probe for lost keys", &o, &p->sj, e);
}

static int
probe_key(struct screen *s, struct app *a, int key)
{
	struct probe *p = s->data;
	enum form_result fr;
	int i, line;

	if (p->state == PR_RUNNING)
		return key == '?' ? UI_IGNORED : UI_HANDLED;
	if (p->state == PR_DONE && key == 'a') {
		size_t n = probe_found(p, NULL, 0);

		if (n == 0) {
			app_info(a, "no candidate that is not in the key list "
			    "opened a value");
			return UI_HANDLED;
		}
		(void)dialog_confirm(a, PROBE_TAG_ADD, "Add the found keys",
		    n == 1 ? "Add the candidate that opened values to the end "
		    "of [core] fernet_key? The primary key stays first." :
		    "Add the candidates that opened values, in the order "
		    "found, to the end of [core] fernet_key? The primary key "
		    "stays first.");
		return UI_HANDLED;
	}
	if (p->state == PR_DONE && key != TK_ESC) {
		/* Back to the form. */
		p->state = PR_FORM;
		s->typing = 1;
	}
	fr = form_key(&p->fm, key);
	switch (fr) {
	case FORM_SAVE:
		/* Line numbers of the joined text back to fields. */
		for (i = 0, line = 0; i < PROBE_FIELDS; i++)
			if (p->f[i].len > 0 && line < LIFECYCLE_MAX_CANDIDATES)
				p->field_of[++line] = i + 1;
		if (probe_start(s, p, a) == 0)
			s->typing = 0;
		return UI_HANDLED;
	case FORM_CANCEL:
		return UI_CLOSE;
	case FORM_IGNORED:
		return UI_IGNORED;
	default:
		return UI_HANDLED;
	}
}

static int
probe_tick(struct screen *s, struct app *a, int64_t now)
{
	struct probe *p = s->data;
	struct err e;
	int rc;

	if (p->state != PR_RUNNING)
		return UI_IGNORED;
	err_clear(&e);
	if ((rc = bgjob_poll(&p->job, &e)) == 0) {
		s->wake_at = now + 50;
		return UI_IGNORED;
	}
	probe_wipe(p);
	p->rc = rc == 1 ? 0 : -1;
	p->err = e;
	p->state = PR_DONE;
	if (p->rc != 0)
		app_error(a, "%s", p->err.msg);
	else if (p->log_err.code != ERR_NONE)
		app_warn(a, "%s", p->log_err.msg);
	app_trace(a, "probed");
	return UI_HANDLED;
}

static int
probe_resume(struct screen *s, struct app *a, int tag, int result)
{
	struct probe *p = s->data;

	struct err e;

	err_clear(&e);
	if (tag != PROBE_TAG_ADD || result != UI_YES || probe_add(p, a) != 0)
		return UI_HANDLED;
	/* The new state: probe again with the keys just added in the ring. */
	if (probe_open_job(p, a, &e) != 0) {
		app_error(a, "%s", e.msg);
		p->state = PR_FORM;
		return UI_HANDLED;
	}
	(void)probe_start(s, p, a);
	return UI_HANDLED;
}

static void
probe_free(struct screen *s)
{
	struct probe *p = s->data;
	int i;

	if (p == NULL)
		return;
	bgjob_release(&p->job);
	if (p->cand != NULL)
		probe_wipe(p);
	for (i = 0; i < PROBE_FIELDS; i++)
		form_field_release(&p->f[i]);
	if (p->cand != NULL)
		sodium_free(p->cand);
	session_job_free(p->sj);
	free(p);
}

static int
probe_init(struct screen *s, struct app *a, const void *arg, struct err *e)
{
	static const char *labels[PROBE_FIELDS] = { "candidate 1", "candidate 2",
	    "candidate 3", "candidate 4", "candidate 5", "candidate 6" };
	struct probe *p;
	int i;

	(void)arg;
	if ((p = calloc(1, sizeof *p)) == NULL) {
		err_nomem(e);
		return -1;
	}
	bgjob_init(&p->job, probe_run, NULL, p, NULL, 0);
	s->data = p;
	for (i = 0; i < PROBE_FIELDS; i++)
		if (form_field_init(&p->f[i], labels[i], FF_HIDDEN | FF_LOCKED,
		    PROBE_CAP, e) != 0)
			goto fail;
	p->cand_cap = PROBE_FIELDS * (PROBE_CAP + 1) + 1;
	if ((p->cand = sodium_malloc(p->cand_cap)) == NULL) {
		err_set(e, ERR_NOMEM, "out of locked memory");
		goto fail;
	}
	p->fm.fields = p->f;
	p->fm.n = PROBE_FIELDS;
	p->fm.save_label = "Probe";
	p->fm.check = probe_check;
	form_focus(&p->fm, 0);
	if (probe_open_job(p, a, e) != 0)
		goto fail;
	s->typing = 1;
	s->form = &p->fm;
	return 0;
fail:
	probe_free(s);
	s->data = NULL;
	return -1;
}

const struct screen_ops scr_probe_ops = {
	"key probe", 0, 0, probe_keys, probe_init, probe_draw, probe_key,
	probe_tick, probe_resume, probe_free
};
