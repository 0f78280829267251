/*
 * app.h: the screen dispatcher of the console (doc/console.md section 2,
 * after htop's ScreenManager and ncdu's draw/key states).
 *
 * A screen is a set of operations (struct screen_ops) in its own file
 * ui/scr_<name>.c: init builds its state from an argument, draw paints it,
 * key handles one key and returns flags (it never draws), tick runs when
 * the screen's timer is due, resume hears the answer of a dialog it opened,
 * free releases it. Screens sit on a stack: the top one gets the keys, and
 * drawing starts at the highest screen that is not an overlay, so dialogs
 * show over the screen that opened them. Adding a screen is one new file,
 * its ops in screens.h, and (for a screen opened from the home list by a
 * key) one line in the table of screens.c.
 *
 * The loop (app_run): check signals, run due timers and background
 * results, draw everything when something changed (status line, screens,
 * message line, function bar), wait for a key (with a timeout for timers),
 * give it to the top screen; keys the screen ignores go to the global keys
 * (? help, q quit, Esc back, Ctrl-L repaint). The key status of the DB
 * (for the status line and the key screen) is scanned on a thread once the
 * first screen is painted, and again after every change. A key the role may not use
 * (struct ui_key.need) is refused here, with the reason, before the screen
 * sees it. Below the minimum size the screens are not drawn: a "terminal
 * too small" message is, until the terminal grows again.
 *
 * Layout: line 0 the status line (user, role, DB, keys, plaintext and
 * undecryptable counts, connections), lines 1..LINES-3 the screen's area,
 * line LINES-2 the message line, line LINES-1 the function-key bar.
 */
#ifndef FERNCON_UI_APP_H
#define FERNCON_UI_APP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "draw.h"
#include "lifecycle.h"
#include "progress.h"
#include "session.h"
#include "term.h"

struct app;
struct screen;
struct bgscan;

/* What a key handler did; or-ed together. */
enum {
	UI_IGNORED = 0,		/* not this screen's key: try the global keys */
	UI_HANDLED = 1 << 0,	/* done (the screens are drawn again) */
	UI_CLOSE = 1 << 1,	/* close this screen; the one below gets resume() */
	UI_QUIT = 1 << 2,	/* leave the console */
	UI_REPAINT = 1 << 3,	/* repaint the whole terminal */
	UI_DEFER = 1 << 4,	/* not now: give me this key again (and the
				   keys after it) once a tick ran; for keys
				   that must wait for a result in the works */
};

/* The answers a dialog gives to resume(). */
enum {
	UI_NO = 0,
	UI_YES = 1,
};

#define UI_KEY_CODES 3

/*
 * A key a screen offers, for the function bar, the help screen and the
 * role check. Arrays of them end with an entry whose name is NULL.
 */
struct ui_key {
	const char	*name;		/* as shown: "Enter", "/", "e" */
	const char	*label;		/* in the bar: "Open" */
	const char	*help;		/* one line for the help screen */
	int		 codes[UI_KEY_CODES];	/* term_getkey() values; 0 ends */
	int		 need;		/* enum policy_action, or -1: anyone */
	const char	*what;		/* for the refusal: "reveal passwords" */
	int		 bar;		/* 1: shown in the function bar */
};

struct form;

struct screen_ops {
	const char		*name;
	int			 overlay;	/* drawn over the screen below */
	int			 home;		/* the home list: gets screens.c's entries */
	const struct ui_key	*keys;		/* may be NULL */

	/* Build the state (s->data) from arg. 0, or -1 with e set. */
	int	(*init)(struct screen *s, struct app *a, const void *arg,
		    struct err *e);
	void	(*draw)(struct screen *s, struct app *a, const struct area *r);
	int	(*key)(struct screen *s, struct app *a, int key);
	/* Timer due (s->wake_at) or background results in: flags. May be NULL. */
	int	(*tick)(struct screen *s, struct app *a, int64_t now);
	/*
	 * The screen is on top again: the one above closed (a dialog gives
	 * its tag and result; other screens 0, 0). Returns flags (UI_CLOSE
	 * closes this one too). May be NULL.
	 */
	int	(*resume)(struct screen *s, struct app *a, int tag, int result);
	/* Release s->data. May be NULL. */
	void	(*free)(struct screen *s);
};

struct screen {
	const struct screen_ops	*ops;
	void			*data;
	int64_t			 wake_at;	/* term_now_ms() to call tick at; 0 none */
	int			 typing;	/* a text field has the keys: no role
						   check, no global keys */
	const struct form	*form;		/* the screen's form, or NULL: while
						   its focused field is hidden (a
						   password), the trace records
						   nothing */
	int			 tag;		/* a dialog: its opener's tag */
	int			 result;	/* a dialog: its answer */
	const struct ui_key	*keys;		/* when set, the keys instead of
						   ops->keys (a key offered only
						   in some states) */
};

enum scan_state { SCAN_NONE, SCAN_RUNNING, SCAN_DONE, SCAN_FAILED };

#define APP_MAX_SCREENS 16

struct app {
	struct session	*session;	/* config, ring, store, policy, mask: loaded */
	struct screen	*stack[APP_MAX_SCREENS];
	int		 depth;
	int		 quit;
	int		 dirty;		/* draw before the next key */

	char		 msg[256];	/* the message line; "" none */
	enum term_elem	 msg_elem;

	int		 cur_y, cur_x;	/* where a draw wants the cursor; -1 hidden */
	int		 pending[32];	/* deferred keys (UI_DEFER), oldest first */
	int		 npending;

	/* The key status of the DB, counted in the background (bgscan.h). */
	struct bgscan	*bg;
	enum scan_state	 scan_state;
	int		 scan_again;	/* the DB changed while it ran */
	struct progress	 scan_progress;	/* rows read of the running scan */
	struct lifecycle_preflight *scan;	/* the last finished one */
	int		 scan_have;	/* scan holds a result */
	long		 max_age_days;	/* [console] rotation_max_age_days */
	unsigned	 db_gen;	/* bumped by every change to the DB */

	FILE		*trace;		/* FERNCON_UI_TRACE: frame timings */
};

/* -- lifecycle ----------------------------------------------------------- */

/*
 * Set up the app over a loaded session (no screen yet); started is when
 * the console began (CLOCK_MONOTONIC), for the trace. 0, or -1 with e set
 * (out of memory, a bad [console] option).
 */
int app_init(struct app *a, struct session *ses, const struct timespec *started,
    struct err *e) ATTR_WUR;

/* Free every screen and stop the background scan. */
void app_release(struct app *a);

/*
 * Run until a screen or a signal asks to quit. The home screen must have
 * been pushed. Returns 0.
 */
int app_run(struct app *a);

/* -- screens ------------------------------------------------------------- */

/*
 * Open a screen on top of the stack: its init runs with arg. On failure
 * the message line says why and the stack is unchanged. 0 or -1.
 */
int app_push(struct app *a, const struct screen_ops *ops, const void *arg);

/* The screen under s (NULL for the home screen). */
struct screen *app_below(struct app *a, struct screen *s);

/* -- messages ------------------------------------------------------------ */

/* Put a message on the message line until the next key. */
void app_info(struct app *a, const char *fmt, ...) ATTR_PRINTF(2, 3);
void app_warn(struct app *a, const char *fmt, ...) ATTR_PRINTF(2, 3);
void app_error(struct app *a, const char *fmt, ...) ATTR_PRINTF(2, 3);

/*
 * With FERNCON_UI_TRACE=FILE, append "<CLOCK_MONOTONIC seconds> what" to
 * it (for bench/tui_bench.py: keys read, frames painted, results in). what
 * never holds a typed character.
 */
void app_trace(struct app *a, const char *what);

/* Put the cursor at y, x after this draw (for text fields). */
void app_cursor(struct app *a, int y, int x);

/*
 * 1 if the role may do action; else 0, and the message line says why
 * (what: "reveal passwords").
 */
int app_allowed(struct app *a, int action, const char *what);

/* -- the DB's key status ------------------------------------------------- */

/*
 * The DB changed (a row added, edited or deleted): bump db_gen, so that
 * screens reload when they are shown again, and scan it again.
 */
void app_db_changed(struct app *a);

/*
 * The DB's URL and [database] sql_alchemy_schema (may be NULL), for a
 * thread that opens a connection of its own. 0, or -1 with e set.
 */
int app_db_url(struct app *a, const char **url, const char **schema,
    struct err *e) ATTR_WUR;

/* The keys of screen s: its own, the home entries, the global keys. */
size_t app_keys(struct app *a, struct screen *s, const struct ui_key **out,
    size_t max);

/* The area below the status line and above the message line. */
struct area app_area(void);

/* Short text of a Unix time's age ("12d", "3h", "2y"). */
void app_age(uint64_t t, char *buf, size_t len);

#endif
