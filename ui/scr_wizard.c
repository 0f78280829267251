/*
 * scr_wizard.c: the key wizard (w on the key status screen, Admin only;
 * doc/design.md section 7): generate a key, show where the current key comes
 * from (cfgwrite_plan()), write `new,old` into airflow.cfg atomically with
 * its comments and mode kept (or say exactly what to set when the key
 * comes from the environment or a _cmd), remind that every Airflow
 * component must have the new key list before rotating, rotate and verify
 * (the rotation screen), then drop the old key the same way.
 *
 * The generated key lives in a sodium_malloc block (locked, guarded) that
 * sodium_free() wipes when the screen closes; the key is on the screen only
 * while the wizard is open, for the Admin to distribute it. The steps are
 * the session's use cases (session_key_generate(), session_key_write():
 * the role checked, one action-log line per write, the lists built in
 * locked memory, the keys read again so that the rotation uses the new
 * key list).
 */
#include "config.h"

#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "cfgwrite.h"
#include "dialog.h"
#include "keyring.h"
#include "screens.h"

#define WIZ_TAG_WRITE	0x57524b
#define WIZ_TAG_DROP	0x44524b

enum wiz_step { WIZ_NEW, WIZ_WRITTEN, WIZ_DROPPED };

/* Locked memory: the new key. */
struct wiz_secret {
	char	key[FERNET_KEY_B64LEN + 1];
};

struct wiz {
	struct wiz_secret	*sec;
	struct cfgwrite_plan	 plan;
	int			 have_plan;
	char			 plan_err[256];
	enum wiz_step		 step;
	char			 done_msg[9000];
	char			 keep_msg[200];
};

static const struct ui_key wiz_keys[] = {
	{ "w", "Write", "write new,old as [core] fernet_key (or show what to "
	    "set)", { 'w', 'W' }, POLICY_ADMIN, "use the key wizard", 1 },
	{ "R", "Rotate", "rotate every value to the new key, then verify",
	    { 'R' }, POLICY_ADMIN, "rotate the Fernet key", 1 },
	{ "D", "Drop old", "write the new key alone, once nothing needs the old "
	    "keys", { 'D' }, POLICY_ADMIN, "use the key wizard", 1 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

/* The keys while the old keys are still needed: D is not offered. */
static const struct ui_key wiz_keys_keep[] = {
	{ "w", "Write", "write new,old as [core] fernet_key (or show what to "
	    "set)", { 'w', 'W' }, POLICY_ADMIN, "use the key wizard", 1 },
	{ "R", "Rotate", "rotate every value to the new key, then verify",
	    { 'R' }, POLICY_ADMIN, "rotate the Fernet key", 1 },
	{ NULL, NULL, NULL, { 0 }, -1, NULL, 0 }
};

static const char *
where_text(enum cfgwrite_where w)
{
	switch (w) {
	case CFGWRITE_FILE:
		return "airflow.cfg [core] fernet_key: ferncon can write it";
	case CFGWRITE_ENV:
		return "the environment (AIRFLOW__CORE__FERNET_KEY): set it yourself";
	case CFGWRITE_ENV_CMD:
		return "a command (AIRFLOW__CORE__FERNET_KEY_CMD): it must print "
		    "the new list";
	default:
		return "a command (fernet_key_cmd): it must print the new list";
	}
}

/* draw_wrap() of a printf line (a path, a reason): never cut at the edge. */
static int wrapf(int y, int x, int w, int ymax, attr_t at, const char *fmt,
    ...) ATTR_PRINTF(6, 7);

static int
wrapf(int y, int x, int w, int ymax, attr_t at, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	return draw_wrap(y, x, w, ymax, at, line);
}

/*
 * May the old keys be dropped now: written, the count of values per key
 * done, and no value opens only under an old key (lifecycle.h).
 */
static int
may_drop(const struct wiz *z, const struct app *a)
{
	return z->step == WIZ_WRITTEN && a->scan_have &&
	    a->scan_state != SCAN_RUNNING && a->scan->nkeys > 1 &&
	    lifecycle_old_key_values(a->scan) == 0;
}

/* Why the old key must stay (the buffer is the wizard's). */
static const char *
old_msg(struct wiz *z, const struct app *a)
{
	size_t n = lifecycle_old_key_values(a->scan);

	snprintf(z->keep_msg, sizeof z->keep_msg, "Keep the old key: %zu "
	    "value%s still open%s only under it (key status: old keys). R "
	    "rotates them; D is offered once none is left.", n, n == 1 ? "" :
	    "s", n == 1 ? "s" : "");
	return z->keep_msg;
}

static void
wiz_draw(struct screen *s, struct app *a, const struct area *r)
{
	struct wiz *z = s->data;
	int y = r->y + 2, x = r->x + 2, w = r->w - 4, ymax = r->y + r->h;
	attr_t n = term_attr(TE_NORMAL);

	draw_fill(r->y, r->x, r->w, term_attr(TE_HEADER));
	draw_text(r->y, r->x + 1, r->w - 2, term_attr(TE_HEADER),
	    "Key wizard: new key, write new,old, rotate, verify, drop the old key");
	y = wrapf(y, x, w, ymax, n, "the key comes from  %s",
	    a->session->keys->origin.value == NULL ? "nowhere (unset)" :
	    a->session->keys->origin.origin);
	if (z->have_plan) {
		y = wrapf(y, x, w, ymax, n, "a new list goes to  %s",
		    where_text(z->plan.where));
		y = wrapf(y, x, w, ymax, n, "airflow.cfg         %s",
		    z->plan.path);
		if (z->plan.where != CFGWRITE_FILE)
			y = draw_wrap(y, x, w, ymax, term_attr(TE_WARN),
			    z->plan.advice);
	} else {
		y = wrapf(y, x, w, ymax, term_attr(TE_ERROR), "no plan: %s",
		    z->plan_err);
	}
	y++;
	if (z->step != WIZ_DROPPED) {
		y = draw_wrap(y, x, w, ymax, term_attr(TE_HEADER),
		    "new key (shown while this screen is open; give it to every "
		    "Airflow component):");
		draw_text(y++, x + 2, w - 2, term_attr(TE_REVEALED), z->sec->key);
		y++;
	}
	switch (z->step) {
	case WIZ_NEW:
		y = draw_wrap(y, x, w, ymax, n, "1. w writes the list new,old (the new "
		    "key first: it encrypts, every key decrypts).");
		y = draw_wrap(y, x, w, ymax, term_attr(TE_WARN), "2. Before rotating, "
		    "every Airflow component (scheduler, api-server/webserver, "
		    "workers, triggerer, dag processor) must have the new key list "
		    "and be restarted: a component with the old list cannot read "
		    "rotated values.");
		y = draw_wrap(y, x, w, ymax, n, "3. R rotates and verifies; 4. D drops "
		    "the old keys.");
		break;
	case WIZ_WRITTEN:
	case WIZ_DROPPED:
		y = draw_wrap(y, x, w, ymax, term_attr(TE_ENCRYPTED), z->done_msg);
		break;
	}
	/* When the old key may go: offered (D in the bar) only then. */
	s->keys = may_drop(z, a) ? wiz_keys : wiz_keys_keep;
	if (z->step != WIZ_WRITTEN || y >= ymax)
		return;
	y++;
	if (!a->scan_have || a->scan_state == SCAN_RUNNING)
		y = draw_wrap(y, x, w, ymax, term_attr(TE_INFO), "counting the values "
		    "per key...");
	else if (may_drop(z, a))
		y = draw_wrap(y, x, w, ymax, term_attr(TE_ENCRYPTED), "The old key may "
		    "be dropped now: no value opens only under an old key (key "
		    "status: old keys 0 values). D writes the new key alone.");
	else
		y = draw_wrap(y, x, w, ymax, term_attr(TE_WARN), old_msg(z, a));
}

/* Write the new key as how says, or say what to set. 0 when written. */
static int
wiz_write(struct wiz *z, struct app *a, enum session_key_write how)
{
	struct err e, log_err;

	err_clear(&e);
	if (!z->have_plan) {
		app_error(a, "cannot work out where the key goes: %s", z->plan_err);
		return -1;
	}
	if (z->plan.where != CFGWRITE_FILE) {
		/* The admin sets it: the list is shown, never written. */
		snprintf(z->done_msg, sizeof z->done_msg, "ferncon does not write "
		    "%s. Set %s to the new key, a comma, then the current list, in "
		    "every Airflow component and here, then restart ferncon.",
		    z->plan.origin, z->plan.name);
		app_warn(a, "set %s yourself (see the screen)", z->plan.name);
		return -1;
	}
	if (session_key_write(a->session, how, z->sec->key, strlen(z->sec->key),
	    &z->plan, &log_err, &e) != 0) {
		if (log_err.code != ERR_NONE)
			app_warn(a, "%s", log_err.msg);
		app_error(a, "%s", e.msg);
		return -1;
	}
	if (log_err.code != ERR_NONE)
		app_warn(a, "%s", log_err.msg);
	app_db_changed(a);
	return 0;
}

static int
wiz_key(struct screen *s, struct app *a, int key)
{
	struct wiz *z = s->data;

	switch (key) {
	case 'w':
	case 'W':
		if (z->step != WIZ_NEW) {
			app_info(a, "already written");
			return UI_HANDLED;
		}
		(void)dialog_confirm(a, WIZ_TAG_WRITE, "Write the new key list",
		    "Write new,old as [core] fernet_key? Comments, order and mode "
		    "of the file are kept. Every Airflow component must then get "
		    "the new list before you rotate.");
		return UI_HANDLED;
	case 'R':
		if (z->step != WIZ_WRITTEN) {
			app_info(a, "write the new key list first (w)");
			return UI_HANDLED;
		}
		(void)app_push(a, &scr_rotate_ops, NULL);
		return UI_HANDLED;
	case 'D':
		if (z->step != WIZ_WRITTEN) {
			app_info(a, "write the new key list and rotate first");
			return UI_HANDLED;
		}
		if (!a->scan_have || a->scan_state == SCAN_RUNNING) {
			app_info(a, "wait for the count of the values per key");
			return UI_HANDLED;
		}
		if (!may_drop(z, a)) {
			app_error(a, "values are still under an old key: rotate (R) "
			    "first");
			return UI_HANDLED;
		}
		(void)dialog_confirm(a, WIZ_TAG_DROP, "Drop the old keys",
		    "Write the new key alone as [core] fernet_key? Do it only "
		    "once the rotation verified OK and every component runs with "
		    "the new list.");
		return UI_HANDLED;
	default:
		return UI_IGNORED;
	}
}

static int
wiz_resume(struct screen *s, struct app *a, int tag, int result)
{
	struct wiz *z = s->data;

	if (result != UI_YES)
		return UI_HANDLED;
	if (tag == WIZ_TAG_WRITE) {
		if (wiz_write(z, a, SESSION_KEY_PREPEND) == 0) {
			z->step = WIZ_WRITTEN;
			snprintf(z->done_msg, sizeof z->done_msg, "Wrote new,old to "
			    "%s. Now give every Airflow component the new key list "
			    "and restart it; then R rotates and verifies, and D drops "
			    "the old keys.", z->plan.path);
			app_info(a, "wrote the new key list to %s", z->plan.path);
		}
	} else if (tag == WIZ_TAG_DROP) {
		if (wiz_write(z, a, SESSION_KEY_ALONE) == 0) {
			z->step = WIZ_DROPPED;
			snprintf(z->done_msg, sizeof z->done_msg, "Wrote the new key "
			    "alone to %s. Give every Airflow component this key and "
			    "restart it.", z->plan.path);
			app_info(a, "dropped the old keys");
		}
	}
	return UI_HANDLED;
}

static void
wiz_free(struct screen *s)
{
	struct wiz *z = s->data;

	if (z == NULL)
		return;
	sodium_free(z->sec);	/* wipes */
	free(z);
}

/*
 * A temporary file that a killed key write left beside airflow.cfg holds
 * the new and the old keys: the wizard's start removes it and says so.
 */
static void
remove_stale(struct app *a, const char *cfgpath)
{
	struct err e;
	size_t n;

	err_clear(&e);
	if (cfgwrite_remove_stale(cfgpath, &n, &e) != 0)
		app_warn(a, "%s", e.msg);
	else if (n > 0)
		app_warn(a, "removed %zu temporary file%s (.ferncon-cfg-*, with "
		    "keys) that an interrupted key write left beside %s", n,
		    n == 1 ? "" : "s", cfgpath);
}

/*
 * The test hook of tests/tui_files.sh (FERNCON_TEST_KILL_IN_CFGWRITE=KILL,
 * TERM or QUIT): the signal arrives mid-write, between the temporary file
 * and the rename.
 */
static int hook_signal = SIGKILL;

static void
kill_self(void)
{
	raise(hook_signal);
}

static int
wiz_init(struct screen *s, struct app *a, const void *arg, struct err *e)
{
	struct wiz *z;
	struct err pe;
	const char *hook;

	(void)arg;
	if ((z = calloc(1, sizeof *z)) == NULL) {
		err_nomem(e);
		return -1;
	}
	if ((z->sec = sodium_malloc(sizeof *z->sec)) == NULL) {
		free(z);
		err_set(e, ERR_NOMEM, "out of locked memory");
		return -1;
	}
	if (session_key_generate(a->session, z->sec->key, e) != 0) {
		sodium_free(z->sec);
		free(z);
		return -1;
	}
	err_clear(&pe);
	if (cfgwrite_plan(a->session->keys->cfg, &z->plan, &pe) == 0)
		z->have_plan = 1;
	else
		snprintf(z->plan_err, sizeof z->plan_err, "%.200s", pe.msg);
	if (z->have_plan && z->plan.where == CFGWRITE_FILE)
		remove_stale(a, z->plan.path);
	if ((hook = getenv("FERNCON_TEST_KILL_IN_CFGWRITE")) != NULL) {
		hook_signal = strcmp(hook, "TERM") == 0 ? SIGTERM :
		    strcmp(hook, "QUIT") == 0 ? SIGQUIT : SIGKILL;
		cfgwrite_test_hook = kill_self;
	}
	s->data = z;
	s->keys = wiz_keys_keep;
	return 0;
}

const struct screen_ops scr_wizard_ops = {
	"key wizard", 0, 0, wiz_keys, wiz_init, wiz_draw, wiz_key, NULL,
	wiz_resume, wiz_free
};
