/*
 * term.c: the terminal: curses start and stop, the colour theme with its
 * attribute-only fallback (after ncdu's UI_COLORS, doc/console.md section 4),
 * key reading, and the signal handlers that restore the terminal (after
 * htop's CRT.c). See term.h for the contract.
 */
#include "config.h"

#include "term.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <term.h>

#include "outfile.h"

/* One element's two looks. fg/bg -1: the terminal's default colour. */
struct theme_entry {
	attr_t	mono;
	short	fg, bg;
	attr_t	color;		/* attributes added to the colour pair */
};

static const struct theme_entry theme[TE_MAX] = {
	[TE_NORMAL]		= { A_NORMAL, -1, -1, A_NORMAL },
	[TE_TITLE]		= { A_REVERSE, COLOR_WHITE, COLOR_BLUE, A_BOLD },
	[TE_HEADER]		= { A_BOLD | A_UNDERLINE, COLOR_YELLOW, -1, A_BOLD },
	[TE_SELECTED]		= { A_REVERSE, COLOR_BLACK, COLOR_CYAN, A_NORMAL },
	[TE_KEY]		= { A_REVERSE, COLOR_BLACK, COLOR_CYAN, A_NORMAL },
	[TE_LABEL]		= { A_NORMAL, -1, -1, A_NORMAL },
	[TE_DIMMED]		= { A_DIM, -1, -1, A_DIM },
	[TE_INFO]		= { A_BOLD, COLOR_GREEN, -1, A_BOLD },
	[TE_WARN]		= { A_BOLD, COLOR_YELLOW, -1, A_BOLD },
	[TE_ERROR]		= { A_REVERSE | A_BOLD, COLOR_WHITE, COLOR_RED, A_BOLD },
	[TE_ENCRYPTED]		= { A_NORMAL, COLOR_GREEN, -1, A_NORMAL },
	[TE_PLAINTEXT]		= { A_BOLD, COLOR_YELLOW, -1, A_BOLD },
	[TE_UNDECRYPTABLE]	= { A_BOLD | A_UNDERLINE, COLOR_RED, -1, A_BOLD },
	[TE_FIELD]		= { A_UNDERLINE, COLOR_CYAN, -1, A_UNDERLINE },
	[TE_FIELD_FOCUS]	= { A_REVERSE, COLOR_BLACK, COLOR_YELLOW, A_NORMAL },
	[TE_REVEALED]		= { A_REVERSE | A_BOLD, COLOR_BLACK, COLOR_YELLOW, A_BOLD },
	[TE_DIALOG]		= { A_NORMAL, COLOR_WHITE, COLOR_BLUE, A_NORMAL },
	[TE_BUTTON]		= { A_NORMAL, COLOR_WHITE, COLOR_BLUE, A_NORMAL },
	[TE_BUTTON_FOCUS]	= { A_REVERSE | A_BOLD, COLOR_BLACK, COLOR_WHITE, A_BOLD },
	[TE_BAR]		= { A_REVERSE, COLOR_BLACK, COLOR_GREEN, A_NORMAL },
};

/* Signals that ask for a clean exit, and signals that end the process. */
static const int soft_signals[] = { SIGINT, SIGTERM, SIGHUP };
static const int fatal_signals[] = { SIGQUIT, SIGSEGV, SIGBUS, SIGFPE, SIGILL,
    SIGABRT };

static struct {
	int		 started;
	int		 colors;
	attr_t		 attrs[TE_MAX];
	struct termios	 saved;		/* the modes before curses */
	int		 have_saved;
	char		 restore[256];	/* bytes that undo the screen, for fatal signals */
	size_t		 restore_len;
	struct sigaction old_soft[ARRAY_LEN(soft_signals)];
	struct sigaction old_fatal[ARRAY_LEN(fatal_signals)];
} T;

static volatile sig_atomic_t stop_signal;

/* -- signals ------------------------------------------------------------- */

static void
on_soft_signal(int sig)
{
	stop_signal = sig;
}

/*
 * A fatal signal: undo the screen with async-signal-safe calls only, then
 * die of the same signal.
 */
static void
on_fatal_signal(int sig)
{
	outfile_signal_cleanup();	/* a temporary file with keys */
	if (T.restore_len > 0)
		(void)!write(STDOUT_FILENO, T.restore, T.restore_len);
	if (T.have_saved)
		(void)tcsetattr(STDIN_FILENO, TCSANOW, &T.saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
install_signals(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_soft_signal;	/* no SA_RESTART: wake the key read */
	for (i = 0; i < ARRAY_LEN(soft_signals); i++)
		sigaction(soft_signals[i], &sa, &T.old_soft[i]);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	for (i = 0; i < ARRAY_LEN(fatal_signals); i++)
		sigaction(fatal_signals[i], &sa, &T.old_fatal[i]);
}

static void
restore_signals(void)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(soft_signals); i++)
		sigaction(soft_signals[i], &T.old_soft[i], NULL);
	for (i = 0; i < ARRAY_LEN(fatal_signals); i++)
		sigaction(fatal_signals[i], &T.old_fatal[i], NULL);
}

/*
 * Append a terminfo string to the restore sequence, without its padding
 * specifications ("$<50>"), which only tputs() understands.
 */
static void
add_restore(const char *cap)
{
	const char *s = tigetstr(cap);

	if (s == NULL || s == (char *)-1)
		return;
	while (*s != '\0' && T.restore_len + 1 < sizeof T.restore) {
		if (s[0] == '$' && s[1] == '<' && strchr(s, '>') != NULL) {
			s = strchr(s, '>') + 1;
			continue;
		}
		T.restore[T.restore_len++] = *s++;
	}
}

/* -- colours ------------------------------------------------------------- */

static void
setup_theme(int no_color)
{
	const char *nc = getenv("NO_COLOR");
	int i;

	T.colors = !no_color && (nc == NULL || *nc == '\0') && has_colors() &&
	    start_color() == OK && COLOR_PAIRS > TE_MAX;
	if (T.colors)
		use_default_colors();
	for (i = 0; i < TE_MAX; i++) {
		if (T.colors && init_pair((short)(i + 1), theme[i].fg,
		    theme[i].bg) == OK)
			T.attrs[i] = COLOR_PAIR(i + 1) | theme[i].color;
		else
			T.attrs[i] = theme[i].mono;
	}
}

/*
 * A terminal the console can draw on: known to terminfo, and able to move
 * the cursor (cup). TERM=dumb, or a printing terminal, is refused with
 * one line, as a missing TTY is, instead of an empty screen.
 */
static int
term_can_address(const char *term, struct err *e)
{
	char *cup;
	int errret = 0, can;

	if (setupterm((char *)term, STDOUT_FILENO, &errret) != OK) {
		err_set(e, ERR_USAGE, "cannot start the console: terminal type "
		    "'%s' is not known to terminfo (use the commands: ferncon "
		    "--help)", term);
		return -1;
	}
	cup = tigetstr((char *)"cup");
	can = cup != NULL && cup != (char *)-1;
	del_curterm(cur_term);
	if (!can) {
		err_set(e, ERR_USAGE, "cannot start the console: terminal type "
		    "'%s' cannot move the cursor (use the commands: ferncon "
		    "--help)", term);
		return -1;
	}
	return 0;
}

/* -- public -------------------------------------------------------------- */

int
term_init(int no_color, struct err *e)
{
	const char *term = getenv("TERM");
	SCREEN *scr;

	if (T.started)
		return 0;
	setlocale(LC_CTYPE, "");
	if (term == NULL || *term == '\0') {
		err_set(e, ERR_USAGE, "the console needs a terminal: TERM is not set");
		return -1;
	}
	if (term_can_address(term, e) != 0)
		return -1;
	T.have_saved = tcgetattr(STDIN_FILENO, &T.saved) == 0;
	stop_signal = 0;
	install_signals();
	/* newterm, not initscr: initscr exits the process on a bad TERM. */
	if ((scr = newterm(NULL, stdout, stdin)) == NULL) {
		restore_signals();
		err_set(e, ERR_USAGE, "cannot start the console: terminal type '%s' "
		    "is not known to terminfo", term);
		return -1;
	}
	set_term(scr);
	T.started = 1;
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	idlok(stdscr, FALSE);	/* never scroll text into a scrollback */
	set_escdelay(50);
	curs_set(0);
	setup_theme(no_color);
	T.restore_len = 0;
	add_restore("sgr0");
	add_restore("clear");
	add_restore("cnorm");
	add_restore("rmcup");
	add_restore("rmkx");
	return 0;
}

void
term_end(void)
{
	if (!T.started)
		return;
	/* Clear first, so that no secret stays on the screen we leave. */
	curs_set(1);
	wattrset(stdscr, A_NORMAL);
	werase(stdscr);
	clearok(stdscr, TRUE);
	wrefresh(stdscr);
	endwin();
	delscreen(set_term(NULL));
	restore_signals();
	T.started = 0;
	T.restore_len = 0;
}

int
term_has_colors(void)
{
	return T.colors;
}

attr_t
term_attr(enum term_elem el)
{
	return el < TE_MAX ? T.attrs[el] : A_NORMAL;
}

int
term_getkey(int timeout_ms)
{
	wint_t wc;
	int r;

	wtimeout(stdscr, timeout_ms);
	r = wget_wch(stdscr, &wc);
	if (r == ERR)
		return TK_NONE;
	if (r == KEY_CODE_YES)
		return TK((int)wc);
	return (int)wc;
}

int
term_key_pending(void)
{
	wint_t wc;
	int r;

	wtimeout(stdscr, 0);
	r = wget_wch(stdscr, &wc);
	if (r == ERR)
		return 0;
	if (r == KEY_CODE_YES)
		ungetch((int)wc);
	else
		unget_wch((wchar_t)wc);
	return 1;
}

int
term_signalled(void)
{
	return stop_signal;
}

int
term_big_enough(void)
{
	return COLS >= TERM_MIN_COLS && LINES >= TERM_MIN_LINES;
}

int64_t
term_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
