/*
 * scr_keys.c: the key status screen (K): where fernet_key comes from, the
 * keys, how many values each key opens and how old their tokens are, the
 * plaintext values and the ones no key opens, named. It shows the scan
 * that the app runs in the background (bgscan.h), filling in as soon as
 * the scan is done; it never reads the DB itself. w opens the key wizard
 * and p the lost-key probe (Admin only).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "airflow.h"
#include "app.h"
#include "keyring.h"
#include "progress.h"
#include "screens.h"
#include "widget_list.h"

#define KEYS_MAX_LINES (40 + LIFECYCLE_MAX_NAMED)

struct keys {
	char		 lines[KEYS_MAX_LINES][256];
	enum term_elem	 el[KEYS_MAX_LINES];
	int		 n;
	int		 bar;		/* line of the scan's progress bar, or -1 */
	const struct progress *progress;
	struct wlist	 wl;
};

static const struct ui_key keys_keys[] = {
	{ "w", "Wizard", "the key wizard: generate a key, write new,old, "
	    "rotate, verify, drop the old key", { 'w' }, POLICY_ADMIN,
	    "use the key wizard", 1 },
	{ "p", "Probe", "lost-key probe: which pasted candidate key opens the "
	    "values no configured key opens", { 'p' }, POLICY_ADMIN,
	    "probe for lost keys", 1 },
	{ "j/k", NULL, "scroll", { 0 }, -1, NULL, 0 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

static void add(struct keys *k, enum term_elem el, const char *fmt, ...)
    ATTR_PRINTF(3, 4);

static void
add(struct keys *k, enum term_elem el, const char *fmt, ...)
{
	va_list ap;

	if (k->n == KEYS_MAX_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(k->lines[k->n], sizeof k->lines[0], fmt, ap);
	va_end(ap);
	k->el[k->n++] = el;
}

/* "2026-11-22 (3d ago)" */
static void
when(uint64_t t, char *buf, size_t len)
{
	char iso[40], age[16];

	airflow_format_time(t, iso, sizeof iso);
	iso[10] = '\0';
	app_age(t, age, sizeof age);
	snprintf(buf, len, "%s (%s ago)", iso, age);
}

static void
build(struct keys *k, struct app *a)
{
	const struct session *ses = a->session;
	const struct lifecycle_preflight *pf = a->scan;
	const struct airflow_version *v = store_airflow_version(ses->store);
	size_t nk = keyring_count(ses->keys->kr), i;
	char t1[64], t2[64], row[320];

	k->n = 0;
	k->bar = -1;
	k->progress = &a->scan_progress;
	add(k, TE_NORMAL, "config          %s%s", config_path(ses->keys->cfg),
	    config_file_found(ses->keys->cfg) ? "" : " (not found: environment only)");
	add(k, TE_NORMAL, "fernet_key      %s", ses->keys->origin.value == NULL ?
	    "not set" : ses->keys->origin.origin);
	if (nk == 0)
		add(k, TE_PLAINTEXT, "encryption      off: values are stored in "
		    "plain text");
	else
		add(k, TE_NORMAL, "encryption      on: %zu key%s, key 1 encrypts%s",
		    nk, nk == 1 ? "" : "s", nk > 1 ? ", all decrypt" : "");
	if (v->major > 0)
		add(k, TE_NORMAL, "database        %s (%s, Airflow %d.%d.%d)%s",
		    store_name(ses->store), store_backend(ses->store), v->major,
		    v->minor, v->patch, store_readonly(ses->store) ?
		    ", read-only" : "");
	else
		add(k, TE_NORMAL, "database        %s (%s)%s", store_name(ses->store),
		    store_backend(ses->store), store_readonly(ses->store) ?
		    ", read-only" : "");
	add(k, TE_NORMAL, "%s", "");
	if (a->scan_state == SCAN_RUNNING) {
		add(k, TE_INFO, "%s", a->scan_have ? "counting again after a "
		    "change:" : "counting the values of the DB:");
		k->bar = k->n;
		add(k, TE_NORMAL, "%s", "");	/* the progress bar */
		add(k, TE_NORMAL, "%s", "");
	}
	if (!a->scan_have) {
		if (a->scan_state == SCAN_FAILED)
			add(k, TE_ERROR, "the rows could not be counted (see the "
			    "message line)");
		return;
	}
	add(k, TE_NORMAL, "rows            %zu connections, %zu variables%s",
	    pf->field[STORE_CONN_PASSWORD].rows, pf->field[STORE_VAR_VAL].rows,
	    pf->present[STORE_TRIGGER_KWARGS] ? "" : " (no trigger table)");
	for (i = 0; i < pf->nkeys && i < LIFECYCLE_MAX_KEYS; i++) {
		size_t n = 0, f;

		for (f = 0; f < STORE_FIELD_MAX; f++)
			n += pf->field[f].per_key[i];
		if (n > 0) {
			when(pf->oldest[i], t1, sizeof t1);
			when(pf->newest[i], t2, sizeof t2);
			add(k, i == 0 ? TE_ENCRYPTED : TE_WARN, "key %-2zu %-9s %zu "
			    "values, tokens from %s to %s", i + 1, i == 0 ?
			    "(primary)" : "", n, t1, t2);
		} else {
			add(k, TE_NORMAL, "key %-2zu %-9s no values", i + 1, i == 0 ?
			    "(primary)" : "");
		}
		if (i > 0 && n > 0)
			add(k, TE_WARN, "                %zu value%s still under key "
			    "%zu: rotate to move them to key 1", n, n == 1 ? "" : "s",
			    i + 1);
	}
	add(k, pf->plaintext ? TE_PLAINTEXT : TE_NORMAL, "plaintext       %zu "
	    "values (passwords %zu, extras %zu, variables %zu)", pf->plaintext,
	    pf->field[STORE_CONN_PASSWORD].plaintext,
	    pf->field[STORE_CONN_EXTRA].plaintext,
	    pf->field[STORE_VAR_VAL].plaintext);
	add(k, pf->undecryptable ? TE_UNDECRYPTABLE : TE_NORMAL, "undecryptable   "
	    "%zu values (passwords %zu, extras %zu, variables %zu, triggers %zu)",
	    pf->undecryptable, pf->field[STORE_CONN_PASSWORD].undecryptable,
	    pf->field[STORE_CONN_EXTRA].undecryptable,
	    pf->field[STORE_VAR_VAL].undecryptable,
	    pf->field[STORE_TRIGGER_KWARGS].undecryptable);
	if (a->max_age_days > 0)
		add(k, pf->stale ? TE_WARN : TE_NORMAL, "older than %ldd  %zu tokens "
		    "([console] rotation_max_age_days)", a->max_age_days, pf->stale);
	if (pf->legacy > 0)
		add(k, TE_WARN, "legacy          %zu plaintext trigger rows",
		    pf->legacy);
	if (pf->nbad > 0) {
		add(k, TE_NORMAL, "%s", "");
		add(k, TE_HEADER, "no key opens%s:", pf->undecryptable > pf->nbad ?
		    " (the first ones)" : "");
		for (i = 0; i < pf->nbad; i++) {
			lifecycle_row_format(&pf->bad[i], row, sizeof row);
			add(k, TE_UNDECRYPTABLE, "  %s", row);
		}
		add(k, TE_NORMAL, "a lost or regenerated key: open the connection and "
		    "type its password again (e), or delete it (d)");
	}
}

static void
keys_row(void *ctx, int i, int y, int x, int w, int selected)
{
	struct keys *k = ctx;

	if (i == k->bar) {
		/* Two lines: the bar and its numbers (the next line is blank). */
		progress_draw(k->progress, y, x + 3, w - 6 < 70 ? w - 6 : 70);
		return;
	}
	if (i == k->bar + 1 && k->bar >= 0)
		return;
	draw_text(y, x + 1, w - 2, term_attr(k->el[i]), k->lines[i]);
}

static void
keys_draw(struct screen *s, struct app *a, const struct area *r)
{
	struct keys *k = s->data;
	struct area rows = { r->y + 2, r->x, r->h - 2, r->w };

	draw_fill(r->y, r->x, r->w, term_attr(TE_HEADER));
	draw_text(r->y, r->x + 1, r->w - 2, term_attr(TE_HEADER), "Key status");
	build(k, a);
	k->wl.n = k->n;
	wlist_draw(&k->wl, &rows, keys_row, k);
}

static int
keys_key(struct screen *s, struct app *a, int key)
{
	struct keys *k = s->data;
	int m = wlist_key_move(key);

	if (key == 'w' || key == 'p') {
		(void)app_push(a, key == 'w' ? &scr_wizard_ops : &scr_probe_ops,
		    NULL);
		return UI_HANDLED;
	}
	if (m < 0)
		return UI_IGNORED;
	wlist_move(&k->wl, (enum wlist_move)m, app_area().h - 2);
	return UI_HANDLED;
}

static int
keys_init(struct screen *s, struct app *a, const void *arg, struct err *e)
{
	if ((s->data = calloc(1, sizeof(struct keys))) == NULL) {
		err_nomem(e);
		return -1;
	}
	return 0;
}

static void
keys_free(struct screen *s)
{
	free(s->data);
}

const struct screen_ops scr_keys_ops = {
	"key status", 0, 0, keys_keys, keys_init, keys_draw, keys_key, NULL,
	NULL, keys_free
};
