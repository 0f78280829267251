/*
 * scr_rotate.c: the rotation screen (R, Admin only; doc/design.md sections 6
 * and 7): a preflight table (values per field and per key, plaintext, the
 * rows no key opens, named), then `rotate` typed to confirm, then a
 * progress bar with rows, rate and ETA, then the verify pass and a
 * summary. E on the same screen encrypts the plaintext values (typing
 * `encrypt` to confirm). A ring with rows no key opens is refused, naming
 * them, unless the user presses s ("skip undecryptable") first.
 *
 * The jobs are the session's use cases (session_job_*: the role checked,
 * one action-log line), run on a worker thread of the screen with their
 * own store connection (so the console stays responsive): a background
 * job (bgjob.h) that hands over its progress and result under its mutex,
 * and the screen's tick polls them. Esc while a job runs sets the job's
 * cancel flag, which the runner polls: the transaction is rolled back at the next page. The screen never
 * holds a value or a key; the runner keeps plaintexts in locked memory.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "bgjob.h"
#include "dialog.h"
#include "progress.h"
#include "screens.h"
#include "widget_list.h"

#define ROT_MAX_LINES	(48 + 2 * LIFECYCLE_MAX_NAMED)
#define ROT_TAG_ROTATE	0x524f54
#define ROT_TAG_ENCRYPT	0x454e43

enum rot_job { JOB_NONE, JOB_PREFLIGHT, JOB_ROTATE, JOB_ENCRYPT };
enum rot_state { ST_PREFLIGHT, ST_READY, ST_RUNNING, ST_DONE, ST_FAILED };

struct rot {
	/* The worker: the session's job, run by one thread at a time. */
	struct session_job		*sj;
	struct bgjob			 bj;
	struct lifecycle_progress	 prog;	/* the job's, under its lock */
	enum rot_job			 job;
	int				 skip;		/* skip undecryptable rows */
	/* The job's, read once it ended: */
	struct err			 log_err;	/* the log line's failure */
	struct lifecycle_preflight	 pf;
	struct lifecycle_result		 res;
	/* Its outcome, set when the tick sees it end: */
	int				 rc;
	struct err			 err;

	enum rot_state			 state;
	int				 have_pf;
	/*
	 * A committed job, kept while the preflight runs again so that the
	 * table shows the new state under its result (issue 15).
	 */
	int				 have_done;
	enum rot_job			 done_job;
	int				 done_rc;
	struct err			 done_err;
	struct lifecycle_result		 done_res;
	struct progress			 done_bar;
	enum lifecycle_phase		 phase;	/* of the bar */
	struct progress			 bar;
	int				 cancelling;
	int				 to_end;	/* scroll to the last line once */
	char				 lines[ROT_MAX_LINES][256];
	enum term_elem			 el[ROT_MAX_LINES];
	int				 n;
	int				 barline;	/* or -1 */
	struct wlist			 wl;
};

static const struct ui_key rot_keys[] = {
	{ "Enter", "Rotate", "rotate every value to the primary key (type "
	    "'rotate' to confirm)", { TK_ENTER, 'r' }, POLICY_ADMIN,
	    "rotate the Fernet key", 1 },
	{ "s", "Skip", "skip undecryptable rows: leave the values no key opens "
	    "as they are and rotate the rest", { 's' }, POLICY_ADMIN,
	    "rotate the Fernet key", 1 },
	{ "E", "Encrypt", "encrypt the plaintext values with the primary key "
	    "(type 'encrypt' to confirm)", { 'E' }, POLICY_ADMIN,
	    "encrypt plaintext values", 1 },
	{ "Esc", "Back", "cancel the running job (rolled back), or go back",
	    { 0 }, -1, NULL, 0 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

static void add(struct rot *r, enum term_elem el, const char *fmt, ...)
    ATTR_PRINTF(3, 4);

static void
add(struct rot *r, enum term_elem el, const char *fmt, ...)
{
	va_list ap;

	if (r->n == ROT_MAX_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(r->lines[r->n], sizeof r->lines[0], fmt, ap);
	va_end(ap);
	r->el[r->n++] = el;
}

/* -- the worker ---------------------------------------------------------- */

static int
rot_progress(const struct lifecycle_progress *p, void *arg)
{
	struct rot *r = arg;

	bgjob_progress_set(&r->bj, p);
	return 0;
}

static int
rot_run(struct bgjob *j, void *arg, struct err *e)
{
	struct rot *r = arg;

	(void)j;
	switch (r->job) {
	case JOB_PREFLIGHT:
		return session_job_preflight(r->sj, &r->pf, e);
	case JOB_ROTATE:
		return session_job_rotate(r->sj, r->skip ?
		    LIFECYCLE_SKIP_UNDECRYPTABLE : 0, &r->res, &r->log_err, e);
	case JOB_ENCRYPT:
		return session_job_encrypt(r->sj, &r->res, &r->log_err, e);
	case JOB_NONE:
		break;
	}
	return -1;
}

static int
job_start(struct screen *s, struct rot *r, enum rot_job job, struct app *a)
{
	struct err e;

	/* The job that ended was joined by the tick that saw it end. */
	r->job = job;
	r->cancelling = 0;
	err_clear(&r->log_err);
	memset(&r->res, 0, sizeof r->res);
	if (job == JOB_PREFLIGHT)
		memset(&r->pf, 0, sizeof r->pf);
	progress_start(&r->bar, 0, "rows");
	err_clear(&e);
	if (bgjob_start(&r->bj, "job's", &e) != 0) {
		app_error(a, "%s", e.msg);
		r->state = ST_FAILED;
		return -1;
	}
	r->state = job == JOB_PREFLIGHT ? ST_PREFLIGHT : ST_RUNNING;
	s->wake_at = term_now_ms() + 20;
	return 0;
}

/* -- what the screen says ------------------------------------------------ */

static const char *
field_name(enum store_field f)
{
	switch (f) {
	case STORE_CONN_PASSWORD:
		return "connection.password";
	case STORE_CONN_EXTRA:
		return "connection.extra";
	case STORE_VAR_VAL:
		return "variable.val";
	default:
		return "trigger.kwargs";
	}
}

static void
build_preflight(struct rot *r)
{
	const struct lifecycle_preflight *pf = &r->pf;
	char row[320], keys[160];
	size_t f, k, i;
	int len;

	add(r, TE_HEADER, "%-22s %6s %6s %9s %13s  %s", "field", "rows", "empty",
	    "plaintext", "undecryptable", "tokens per key (1 = primary)");
	for (f = 0; f < STORE_FIELD_MAX; f++) {
		const struct lifecycle_stats *st = &pf->field[f];

		if (!pf->present[f])
			continue;
		len = 0;
		keys[0] = '\0';
		for (k = 0; k < pf->nkeys && k < LIFECYCLE_MAX_KEYS &&
		    (size_t)len < sizeof keys; k++)
			len += snprintf(keys + len, sizeof keys - (size_t)len,
			    "%sk%zu %zu", k ? "  " : "", k + 1, st->per_key[k]);
		add(r, st->undecryptable ? TE_UNDECRYPTABLE : TE_NORMAL,
		    "%-22s %6zu %6zu %9zu %13zu  %s", field_name((enum store_field)f),
		    st->rows, st->empty, st->plaintext, st->undecryptable, keys);
	}
	add(r, TE_NORMAL, "%s", "");
	add(r, TE_NORMAL, "keys in the ring: %zu; values to rotate: %zu; "
	    "plaintext: %zu; undecryptable: %zu", pf->nkeys, pf->tokens,
	    pf->plaintext, pf->undecryptable);
	if (pf->nbad > 0) {
		add(r, TE_NORMAL, "%s", "");
		add(r, TE_UNDECRYPTABLE, "no key opens%s:", pf->undecryptable >
		    pf->nbad ? " (the first ones)" : "");
		for (i = 0; i < pf->nbad; i++) {
			lifecycle_row_format(&pf->bad[i], row, sizeof row);
			add(r, TE_UNDECRYPTABLE, "  %s", row);
		}
		if (r->skip)
			add(r, TE_WARN, "skip undecryptable: ON - these are left "
			    "as they are and reported (s turns it off)");
		else
			add(r, TE_ERROR, "rotation refused while these exist: "
			    "press s to skip undecryptable, or fix them first");
	}
	add(r, TE_NORMAL, "%s", "");
	if (pf->nkeys == 0)
		add(r, TE_WARN, "encryption is off: nothing to rotate");
	else if (r->have_done)
		add(r, TE_INFO, "the table above is the state after the %s",
		    r->done_job == JOB_ROTATE ? "rotation" : "encryption");
	else if (pf->plaintext > 0)
		add(r, TE_INFO, "Enter: rotate (type 'rotate')   E: encrypt the "
		    "%zu plaintext values   Esc: back", pf->plaintext);
	else
		add(r, TE_INFO, "Enter: rotate (type 'rotate')   Esc: back");
}

static void
build_result(struct rot *r)
{
	const struct lifecycle_result *res = r->have_done ? &r->done_res :
	    &r->res;
	const struct lifecycle_verify *v = &res->verify;
	enum rot_job job = r->have_done ? r->done_job : r->job;
	int rc = r->have_done ? r->done_rc : r->rc;
	const struct err *err = r->have_done ? &r->done_err : &r->err;
	char row[320];
	size_t i;

	if (rc != 0 && !res->committed) {
		if (res->cancelled)
			add(r, TE_WARN, "cancelled: rolled back, nothing changed");
		else
			add(r, TE_ERROR, "failed, nothing changed: %s", err->msg);
		return;
	}
	add(r, TE_ENCRYPTED, "%s: %zu values %s, %zu skipped", job ==
	    JOB_ROTATE ? "rotation committed" : "encryption committed",
	    res->total_changed, job == JOB_ROTATE ? "rotated" : "encrypted",
	    res->total_skipped);
	add(r, TE_ENCRYPTED, "  in %.2f s: %zu rows read, %.0f rows/s; commit "
	    "%.2f s", res->seconds, res->rows, lifecycle_result_rate(res),
	    res->commit_seconds);
	for (i = 0; i < res->nskipped_rows; i++) {
		lifecycle_row_format(&res->skipped_rows[i], row, sizeof row);
		add(r, TE_UNDECRYPTABLE, "  skipped: %s", row);
	}
	if (job != JOB_ROTATE)
		return;
	if (rc != 0)
		add(r, TE_ERROR, "verify could not run: %s", err->msg);
	else
		add(r, v->ok ? TE_ENCRYPTED : TE_ERROR, "verify %s: %zu checked, "
		    "%zu open with the primary key, %zu need another key, %zu "
		    "open with none", v->ok ? "OK" : "FAILED", v->checked,
		    v->primary, v->other, v->undecryptable);
	if (r->rc == 0 && v->since > 0)
		add(r, TE_WARN, "  %zu changed since the rotation (written after "
		    "the COMMIT by another process; key 1 alone opens them)",
		    v->since);
	for (i = 0; i < v->nsince_rows; i++) {
		lifecycle_row_format(&v->since_rows[i], row, sizeof row);
		add(r, TE_WARN, "  changed since: %s", row);
	}
	if (r->rc == 0 && !v->ok && v->changed)
		add(r, TE_ERROR, "  the database does not hold the values written "
		    "(%zu changed since the COMMIT not under key 1, or gone)",
		    v->bad);
	for (i = 0; i < v->nrows; i++) {
		lifecycle_row_format(&v->rows[i], row, sizeof row);
		add(r, TE_WARN, "  not under key 1%s: %s", v->rows[i].key == -2 ?
		    " (gone)" : "", row);
	}
	add(r, TE_INFO, "once every Airflow component has the new key list, the "
	    "old key may be dropped (K)");
}

static void
build(struct rot *r)
{
	r->n = 0;
	r->barline = -1;
	if (r->state == ST_PREFLIGHT) {
		add(r, TE_INFO, "preflight: counting the values per key%s...",
		    r->have_done ? " again, after the change" : "");
		r->barline = r->n;
		add(r, TE_NORMAL, "%s", "");
		add(r, TE_NORMAL, "%s", "");
		if (r->have_done)
			build_result(r);
		return;
	}
	if (r->have_pf)
		build_preflight(r);
	if (r->state == ST_RUNNING) {
		add(r, TE_NORMAL, "%s", "");
		add(r, TE_INFO, "%s: %s%s", r->job == JOB_ROTATE ? "rotating" :
		    "encrypting", lifecycle_phase_name(r->phase), r->cancelling ?
		    " (cancelling: rolling back...)" : "   Esc cancels (rolled back)");
		r->barline = r->n;
		add(r, TE_NORMAL, "%s", "");
		add(r, TE_NORMAL, "%s", "");
	} else if (r->state == ST_DONE) {
		add(r, TE_NORMAL, "%s", "");
		r->barline = r->n;	/* where the job ended */
		add(r, TE_NORMAL, "%s", "");
		add(r, TE_NORMAL, "%s", "");
		build_result(r);
	}
}

/* -- screen ops ---------------------------------------------------------- */

static void
rot_row(void *ctx, int i, int y, int x, int w, int selected)
{
	struct rot *r = ctx;

	(void)selected;
	if (i == r->barline) {
		progress_draw(r->have_done && r->state == ST_DONE ? &r->done_bar :
		    &r->bar, y, x + 3, w - 6 < 70 ? w - 6 : 70);
		return;
	}
	if (r->barline >= 0 && i == r->barline + 1)
		return;
	draw_text(y, x + 1, w - 2, term_attr(r->el[i]), r->lines[i]);
}

static void
rot_draw(struct screen *s, struct app *a, const struct area *ar)
{
	struct rot *r = s->data;
	struct area rows = { ar->y + 2, ar->x, ar->h - 2, ar->w };

	(void)a;
	draw_fill(ar->y, ar->x, ar->w, term_attr(TE_HEADER));
	draw_text(ar->y, ar->x + 1, ar->w - 2, term_attr(TE_HEADER),
	    "Rotate the Fernet key: preflight, rotate, verify");
	build(r);
	r->wl.n = r->n;
	if (r->state == ST_RUNNING && r->barline + 2 > r->wl.top + rows.h)
		r->wl.top = r->barline + 2 - rows.h;
	if (r->to_end) {
		r->to_end = 0;
		if (r->n > rows.h)
			r->wl.top = r->n - rows.h;
	}
	wlist_fix(&r->wl, rows.h);
	wlist_draw(&r->wl, &rows, rot_row, r);
}

static void
ask_rotate(struct rot *r, struct app *a)
{
	char text[512], row[320];

	if (r->pf.nkeys == 0) {
		app_error(a, "encryption is off: there is no key to rotate to");
		return;
	}
	if (r->pf.undecryptable > 0 && !r->skip) {
		row[0] = '\0';
		if (r->pf.nbad > 0)
			lifecycle_row_format(&r->pf.bad[0], row, sizeof row);
		app_error(a, "rotation refused: %zu value%s no key opens (%s%s); "
		    "press s to skip undecryptable", r->pf.undecryptable,
		    r->pf.undecryptable == 1 ? "" : "s", row, r->pf.nbad > 1 ?
		    ", ..." : "");
		return;
	}
	snprintf(text, sizeof text, "Rotate %zu values to the primary key in one "
	    "transaction%s. Every Airflow component must already have the new "
	    "key list. Type 'rotate' to go on.", r->pf.tokens, r->skip ?
	    ", leaving the undecryptable ones as they are" : "");
	(void)dialog_word(a, ROT_TAG_ROTATE, "Rotate the Fernet key", text,
	    "rotate");
}

static int
rot_key(struct screen *s, struct app *a, int key)
{
	struct rot *r = s->data;
	char text[256];
	int m;

	if (r->state == ST_PREFLIGHT && key == TK_ESC)
		return UI_CLOSE;	/* rot_free() cancels the read and waits */
	if (r->state == ST_RUNNING || r->state == ST_PREFLIGHT) {
		if (key == TK_ESC) {
			bgjob_cancel(&r->bj);
			r->cancelling = 1;
			app_warn(a, "cancelling: the transaction is rolled back");
			return UI_HANDLED;
		}
		if (key == '?')
			return UI_IGNORED;
		app_info(a, "a job runs: Esc cancels it (rolled back)");
		return UI_HANDLED;
	}
	if ((m = wlist_key_move(key)) >= 0) {
		wlist_move(&r->wl, (enum wlist_move)m, app_area().h - 2);
		return UI_HANDLED;
	}
	if (r->state != ST_READY && r->state != ST_DONE)
		return key == TK_ESC ? UI_CLOSE : UI_IGNORED;
	switch (key) {
	case TK_ENTER:
	case 'r':
		if (r->state == ST_DONE) {
			app_info(a, "done; Esc goes back (R again to re-check)");
			return UI_HANDLED;
		}
		ask_rotate(r, a);
		return UI_HANDLED;
	case 's':
		r->skip = !r->skip;
		app_info(a, "skip undecryptable: %s", r->skip ? "on" : "off");
		return UI_HANDLED;
	case 'E':
		if (r->state == ST_DONE || r->pf.plaintext == 0) {
			app_info(a, "no plaintext value to encrypt");
			return UI_HANDLED;
		}
		snprintf(text, sizeof text, "Encrypt %zu plaintext values with the "
		    "primary key in one transaction. Type 'encrypt' to go on.",
		    r->pf.plaintext);
		(void)dialog_word(a, ROT_TAG_ENCRYPT, "Encrypt plaintext values",
		    text, "encrypt");
		return UI_HANDLED;
	case TK_ESC:
		return UI_CLOSE;
	default:
		return UI_IGNORED;
	}
}

static int
rot_tick(struct screen *s, struct app *a, int64_t now)
{
	struct rot *r = s->data;
	struct lifecycle_progress p;
	struct err e;
	int rc;

	if (r->state != ST_PREFLIGHT && r->state != ST_RUNNING)
		return UI_IGNORED;
	err_clear(&e);
	if ((rc = bgjob_poll(&r->bj, &e)) == 0) {
		s->wake_at = now + 50;
		if (!bgjob_progress(&r->bj, &p))
			return UI_IGNORED;
		r->phase = p.phase;
		/* The bar counts the rows of the work; commit and verify are named. */
		if (p.phase == LIFECYCLE_COMMIT || p.phase == LIFECYCLE_VERIFY)
			return UI_HANDLED;
		if (r->bar.total != p.total) {
			progress_start(&r->bar, p.total, "rows");
		}
		progress_set(&r->bar, p.done);
		/* The numbers in the CLI's words (one vocabulary). */
		lifecycle_progress_format(&p, r->bar.line, sizeof r->bar.line);
		return progress_due(&r->bar) ? UI_HANDLED : UI_IGNORED;
	}
	r->rc = rc == 1 ? 0 : -1;
	r->err = e;
	s->wake_at = 0;
	if (r->job != JOB_PREFLIGHT && r->bar.total == 0 && r->res.rows > 0) {
		/* Over before the first report: the bar shows what was read. */
		int64_t started = r->bar.started_ms;

		progress_start(&r->bar, r->res.rows, "rows");
		r->bar.started_ms = started;
	}
	if (r->res.committed || r->job == JOB_PREFLIGHT)
		progress_set(&r->bar, r->bar.total);
	if (r->res.committed) {
		/* Ends on the rate the summary gives. */
		lifecycle_result_progress(&r->res, r->job == JOB_ROTATE ?
		    LIFECYCLE_ROTATE : LIFECYCLE_ENCRYPT, &p);
		lifecycle_progress_format(&p, r->bar.line, sizeof r->bar.line);
	}
	if (r->job == JOB_PREFLIGHT) {
		if (r->rc != 0) {
			app_error(a, "preflight failed: %s", r->err.msg);
			r->state = ST_FAILED;
			return UI_HANDLED;
		}
		r->have_pf = 1;
		r->state = r->have_done ? ST_DONE : ST_READY;
		app_trace(a, "preflight");
		return UI_HANDLED;
	}
	r->state = ST_DONE;
	r->to_end = 1;
	app_trace(a, "job done");
	if (r->res.committed) {
		app_db_changed(a);
		/* Keep the result; count again so the table shows the new state. */
		r->have_done = 1;
		r->done_job = r->job;
		r->done_rc = r->rc;
		r->done_err = r->err;
		r->done_res = r->res;
		r->done_bar = r->bar;
		(void)job_start(s, r, JOB_PREFLIGHT, a);
		if (r->log_err.code != ERR_NONE)
			app_warn(a, "committed, but %s", r->log_err.msg);
		if (r->job == JOB_ROTATE && r->res.verify.ok)
			app_info(a, "rotated %zu values; verify OK",
			    r->res.total_changed);
		else if (r->job == JOB_ENCRYPT)
			app_info(a, "encrypted %zu values", r->res.total_changed);
	} else if (r->res.cancelled) {
		app_warn(a, "cancelled: nothing changed");
	} else {
		app_error(a, "%s", r->err.msg);
	}
	return UI_HANDLED;
}

static int
rot_resume(struct screen *s, struct app *a, int tag, int result)
{
	struct rot *r = s->data;

	if (result != UI_YES || r->state != ST_READY)
		return UI_HANDLED;
	if (tag == ROT_TAG_ROTATE)
		(void)job_start(s, r, JOB_ROTATE, a);
	else if (tag == ROT_TAG_ENCRYPT)
		(void)job_start(s, r, JOB_ENCRYPT, a);
	return UI_HANDLED;
}

static void
rot_free(struct screen *s)
{
	struct rot *r = s->data;

	if (r == NULL)
		return;
	bgjob_release(&r->bj);
	session_job_free(r->sj);
	free(r);
}

static int
rot_init(struct screen *s, struct app *a, const void *arg, struct err *e)
{
	struct session_job_opts o;
	struct rot *r;

	(void)arg;
	if ((r = calloc(1, sizeof *r)) == NULL) {
		err_nomem(e);
		return -1;
	}
	bgjob_init(&r->bj, rot_run, NULL, r, &r->prog, sizeof r->prog);
	s->data = r;
	memset(&o, 0, sizeof o);
	o.via = "console";
	o.own_store = 1;
	o.progress = rot_progress;
	o.progress_arg = r;
	o.cancel = bgjob_cancel_flag(&r->bj);
	if (session_job_open(a->session, "rotate the Fernet key", &o, &r->sj,
	    e) != 0)
		goto fail;
	if (job_start(s, r, JOB_PREFLIGHT, a) != 0) {
		err_set(e, ERR_NOMEM, "cannot start the preflight thread");
		goto fail;
	}
	return 0;
fail:
	rot_free(s);
	s->data = NULL;
	return -1;
}

const struct screen_ops scr_rotate_ops = {
	"rotate", 0, 0, rot_keys, rot_init, rot_draw, rot_key, rot_tick,
	rot_resume, rot_free
};
