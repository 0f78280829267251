/*
 * term.h: the one owner of the terminal (doc/console.md section 1).
 * Everything in ui/ draws on stdscr through curses, but only term.c starts
 * and stops curses, sets the colours, reads keys and handles signals.
 *
 * Colours: every element of the screen has a name (enum term_elem) and two
 * looks: an attribute-only one (A_REVERSE, A_BOLD, A_UNDERLINE, A_DIM),
 * used with NO_COLOR, --no-color or a terminal without colours (vt100), and
 * a coloured one over the terminal's own background (use_default_colors).
 *
 * Keys: term_getkey() returns a Unicode code point for text (UTF-8 input
 * is decoded by ncursesw), a control character as itself (1..31, 127), or
 * TK(KEY_x) for a curses function key (arrows, PgUp, F1...). TK() puts
 * function keys above the Unicode range so that the two never collide.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP only set a flag (term_signalled())
 * that the main loop turns into a clean exit; SIGQUIT, SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL and SIGABRT restore the terminal with async-signal-safe
 * calls (write(2) of sequences prepared at start-up: attributes off, clear,
 * cursor on, leave the alternate screen; tcsetattr of the saved modes) and
 * then re-raise. SIGWINCH and SIGTSTP are left to ncurses (KEY_RESIZE,
 * suspend and resume).
 */
#ifndef FERNCON_UI_TERM_H
#define FERNCON_UI_TERM_H

#include <curses.h>
#include <stdint.h>

#include "compiler.h"
#include "err.h"

/* A curses function key as a term_getkey() value. */
#define TK_BASE		0x200000
#define TK(k)		(TK_BASE + (k))
#define TK_ESC		27
#define TK_ENTER	'\r'
#define TK_TAB		'\t'
#define TK_CTRL(c)	((c) & 0x1f)
#define TK_NONE		(-1)	/* no key before the timeout */

/* The smallest screen the console lays itself out on. */
#define TERM_MIN_COLS	80
#define TERM_MIN_LINES	24

/* Named elements of the screen, each with a monochrome and a colour look. */
enum term_elem {
	TE_NORMAL,
	TE_TITLE,	/* the status line at the top */
	TE_HEADER,	/* column headers, screen titles */
	TE_SELECTED,	/* the selected row */
	TE_KEY,		/* a key in the function bar */
	TE_LABEL,	/* its label */
	TE_DIMMED,	/* a key the role may not use */
	TE_INFO,	/* message line: information */
	TE_WARN,	/* message line: warning */
	TE_ERROR,	/* message line: error */
	TE_ENCRYPTED,	/* encryption state cells */
	TE_PLAINTEXT,
	TE_UNDECRYPTABLE,
	TE_FIELD,	/* a form field */
	TE_FIELD_FOCUS,	/* the field being edited */
	TE_REVEALED,	/* a revealed secret */
	TE_DIALOG,	/* dialog box body */
	TE_BUTTON,	/* dialog button */
	TE_BUTTON_FOCUS,
	TE_BAR,		/* progress bar fill */
	TE_MAX
};

/*
 * Start curses on the controlling terminal: locale for UTF-8, the
 * alternate screen, cbreak, no echo, keypad, hidden cursor, short Esc
 * delay, colours unless no_color (or NO_COLOR, or the terminal has none),
 * and the signal handlers. 0, or -1 with e set (a TERM that terminfo does
 * not know, no terminal).
 */
int term_init(int no_color, struct err *e) ATTR_WUR;

/*
 * Clear the screen (so that nothing shown, a revealed password included,
 * stays on it), leave the alternate screen and restore the terminal's
 * modes and signal handlers. Safe to call twice, and before term_init().
 */
void term_end(void);

/* 1 if colours are in use. */
int term_has_colors(void);

/* The attributes (colour pair included) of an element. */
attr_t term_attr(enum term_elem el);

/*
 * Wait up to timeout_ms (-1: forever) for a key. Returns the key (see
 * above), TK(KEY_RESIZE) after the terminal changed size, or TK_NONE.
 */
int term_getkey(int timeout_ms);

/* 1 if a key is already waiting (for skipping work while keys queue up). */
int term_key_pending(void);

/* Returns the signal that asked the program to stop (0 if none). */
int term_signalled(void);

/* Size checks: 1 if the screen is at least TERM_MIN_COLS x TERM_MIN_LINES. */
int term_big_enough(void);

/* Milliseconds of a monotonic clock. */
int64_t term_now_ms(void);

#endif
