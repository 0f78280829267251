/*
 * scr_audit.c: the audit screen (A, every role): the findings of the
 * secret audit grouped by severity, critical first, one line each with
 * the subject (conn_id, variable, option), the rule id and the evidence,
 * which the audit core always redacts: no secret is ever shown. Enter on
 * a connection's finding opens that connection; on a configuration finding
 * it shows airflow.cfg's line (or the option) and the rule's fix line in
 * the message bar. The audit runs on a
 * thread (bgaudit.h) with its own store connection; the screen paints at
 * once and fills in when it is done.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "bgaudit.h"
#include "screens.h"
#include "widget_list.h"

/* A line: a severity heading (finding -1) or a finding. */
struct aline {
	int	sev;		/* heading: its severity; -1 for text */
	long	finding;	/* index in list, or -1 */
};

struct aud {
	struct bgaudit		*bg;
	struct audit_list	 list;
	struct audit_stats	 st;
	int			 done;
	char			 failed[256];
	struct aline		*lines;
	size_t			 nlines;
	struct wlist		 wl;
};

static const struct ui_key aud_keys[] = {
	{ "Enter", "Open", "open the connection or variable of the selected "
	    "finding; on a configuration finding, show where it was set and "
	    "its fix",
	    { TK_ENTER, TK(KEY_RIGHT), 'l' }, -1, NULL, 1 },
	{ "j/k", NULL, "move down / up", { 0 }, -1, NULL, 0 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

static enum term_elem
sev_elem(int sev)
{
	switch (sev) {
	case AUDIT_SEV_CRITICAL:
	case AUDIT_SEV_HIGH:
		return TE_ERROR;
	case AUDIT_SEV_MEDIUM:
		return TE_WARN;
	default:
		return TE_NORMAL;
	}
}

/* The findings are sorted worst first: a heading before each severity. */
static int
aud_build(struct aud *d)
{
	size_t i, n = 0;
	int sev = -1;

	free(d->lines);
	d->lines = calloc(d->list.n + AUDIT_SEV_COUNT + 1, sizeof *d->lines);
	if (d->lines == NULL)
		return -1;
	for (i = 0; i < d->list.n; i++) {
		if ((int)d->list.items[i].severity != sev) {
			sev = (int)d->list.items[i].severity;
			d->lines[n].sev = sev;
			d->lines[n++].finding = -1;
		}
		d->lines[n].sev = -1;
		d->lines[n++].finding = (long)i;
	}
	d->nlines = n;
	d->wl.n = (int)n;
	d->wl.sel = n > 1 ? 1 : 0;
	return 0;
}

static void
aud_row(void *ctx, int i, int y, int x, int w, int selected)
{
	struct aud *d = ctx;
	const struct aline *l = &d->lines[i];
	const struct audit_finding *f;
	attr_t base = term_attr(selected ? TE_SELECTED : TE_NORMAL);
	char line[512];

	if (l->finding < 0) {
		draw_fill(y, x, w, term_attr(TE_HEADER));
		draw_printf(y, x + 1, w - 2, term_attr(TE_HEADER), "%s (%zu)",
		    audit_severity_name((enum audit_severity)l->sev),
		    d->st.by_severity[l->sev]);
		return;
	}
	f = &d->list.items[l->finding];
	snprintf(line, sizeof line, "  %-24s %-31s %s", f->conn_id != NULL ?
	    f->conn_id : f->subject != NULL ? f->subject : "-", f->rule->id,
	    f->evidence != NULL ? f->evidence : f->message != NULL ? f->message :
	    "");
	draw_fill(y, x, w, base);
	draw_cell(y, x, w - 1, selected ? base : term_attr(sev_elem(
	    (int)f->severity)), line);
}

static void
aud_draw(struct screen *s, struct app *a, const struct area *r)
{
	struct aud *d = s->data;
	struct area rows = { r->y + 2, r->x, r->h - 2, r->w };
	char sum[256], *semi;

	(void)a;
	draw_fill(r->y, r->x, r->w, term_attr(TE_HEADER));
	draw_text(r->y, r->x + 1, r->w - 2, term_attr(TE_HEADER),
	    "Audit: findings by severity (evidence redacted)");
	if (d->failed[0] != '\0') {
		draw_printf(rows.y, rows.x + 2, rows.w - 4, term_attr(TE_ERROR),
		    "the audit failed: %s", d->failed);
		return;
	}
	if (!d->done) {
		draw_text(rows.y, rows.x + 2, rows.w - 4, term_attr(TE_INFO),
		    "auditing the connections, variables and configuration...");
		return;
	}
	audit_summary_line(&d->st, sum, sizeof sum);
	/* Too long for the width: the minimum severity goes on the header. */
	if ((semi = strstr(sum, "; ")) != NULL &&
	    text_width_n(sum, strlen(sum)) > r->w - 2) {
		*semi = '\0';
		draw_printf(r->y, r->x + r->w - (int)strlen(semi + 2) - 2,
		    (int)strlen(semi + 2) + 1, term_attr(TE_HEADER), "%s",
		    semi + 2);
	}
	draw_text(r->y + 1, r->x + 1, r->w - 2, term_attr(TE_NORMAL), sum);
	if (d->nlines == 0) {
		draw_text(rows.y, rows.x + 2, rows.w - 4, term_attr(TE_NORMAL),
		    "no findings");
		return;
	}
	wlist_draw(&d->wl, &rows, aud_row, d);
}

static int
aud_key(struct screen *s, struct app *a, int key)
{
	struct aud *d = s->data;
	const struct audit_finding *f;
	int m;

	if ((m = wlist_key_move(key)) >= 0) {
		wlist_move(&d->wl, (enum wlist_move)m, app_area().h - 2);
		return UI_HANDLED;
	}
	if (key != TK_ENTER && key != TK(KEY_RIGHT) && key != 'l')
		return UI_IGNORED;
	if (d->nlines == 0 || d->lines[d->wl.sel].finding < 0)
		return UI_HANDLED;
	f = &d->list.items[d->lines[d->wl.sel].finding];
	if (f->scope == AUDIT_SCOPE_VARIABLE && f->subject != NULL) {
		(void)app_push(a, &scr_var_detail_ops, f->subject);
		return UI_HANDLED;
	}
	if (f->scope != AUDIT_SCOPE_CONNECTION || f->conn_id == NULL) {
		/* Where it was set (airflow.cfg and its line) and the fix line. */
		if (f->uri != NULL && strncmp(f->uri, "file://", 7) == 0 && f->line > 0)
			app_info(a, "fix: %s (set at %s:%d)", f->rule->help, f->uri + 7, f->line);
		else
			app_info(a, "fix: %s (%s)", f->rule->help, f->location != NULL ?
			    f->location : f->subject);
		return UI_HANDLED;
	}
	(void)app_push(a, &scr_detail_ops, f->conn_id);
	return UI_HANDLED;
}

static int
aud_tick(struct screen *s, struct app *a, int64_t now)
{
	struct aud *d = s->data;
	struct err e;
	int rc;

	if (d->bg == NULL)
		return UI_IGNORED;
	err_clear(&e);
	if ((rc = bgaudit_poll(d->bg, &d->list, &d->st, &e)) == 0) {
		s->wake_at = now + 50;
		return UI_IGNORED;
	}
	bgaudit_free(d->bg);
	d->bg = NULL;
	s->wake_at = 0;
	if (rc < 0) {
		snprintf(d->failed, sizeof d->failed, "%.200s", e.msg);
		app_error(a, "the audit failed: %s", e.msg);
		return UI_HANDLED;
	}
	if (aud_build(d) != 0)
		app_error(a, "out of memory");
	d->done = 1;
	app_trace(a, "audited");
	return UI_HANDLED;
}

static void
aud_free(struct screen *s)
{
	struct aud *d = s->data;

	if (d == NULL)
		return;
	bgaudit_free(d->bg);
	audit_list_release(&d->list);
	free(d->lines);
	free(d);
}

static int
aud_init(struct screen *s, struct app *a, const void *arg, struct err *e)
{
	const char *url, *schema;
	struct aud *d;

	(void)arg;
	if ((d = calloc(1, sizeof *d)) == NULL) {
		err_nomem(e);
		return -1;
	}
	s->data = d;
	d->wl.selectable = 1;
	if (app_db_url(a, &url, &schema, e) != 0 ||
	    bgaudit_start(&d->bg, a->session, url, schema, e) != 0) {
		aud_free(s);
		s->data = NULL;
		return -1;
	}
	s->wake_at = term_now_ms() + 20;
	return 0;
}

const struct screen_ops scr_audit_ops = {
	"audit", 0, 0, aud_keys, aud_init, aud_draw, aud_key, aud_tick, NULL,
	aud_free
};
