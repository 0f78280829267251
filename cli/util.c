/*
 * util.c: what the commands share: parsing their options from the tables
 * (with the global options), the key ring with its warning, the console
 * with its exit code, reading stdin into locked memory, and printing
 * errors and message lines in one style, terminal-safe (cli_line(), by
 * the core's src/termsafe.c).
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "outfile.h"
#include "pyjson.h"
#include "policy.h"
#include "termsafe.h"
#include "ui.h"

/*
 * getopt values of a command's own options without a letter: past the
 * letters and the global options (CLI_OPT_BASE).
 */
#define CLI_OPT_OWN 2000

static const struct option global_options[] = { CLI_GLOBAL_OPTIONS };

int
cli_global_option(struct session *s, struct cli_args *a, int c,
    const char *arg)
{
	enum role role;

	switch (c) {
	case CLI_OPT_BASE + 0:
		s->opts.config_file = arg;
		return 1;
	case CLI_OPT_BASE + 1:
		s->opts.airflow_home = arg;
		return 1;
	case CLI_OPT_BASE + 2:
		s->opts.db_url = arg;
		return 1;
	case CLI_OPT_BASE + 3:
		if (policy_role_parse(arg, &role) != 0) {
			cli_line(stderr, "ferncon: --as-role: unknown role '%s' "
			    "(Viewer, User, Op or Admin)", arg);
			return -1;
		}
		s->as_role = arg;
		return 1;
	case CLI_OPT_BASE + 4:
		a->no_color = 1;
		return 1;
	case CLI_OPT_BASE + 5:
		if (s->login != NULL)
			s->login_again = 1;	/* session_identity() refuses */
		s->login = arg;
		return 1;
	case CLI_OPT_BASE + 6:
		s->airflow_version_arg = arg;
		return 1;
	default:
		return 0;
	}
}

/* The getopt value of an option: its letter, or one per id for aliases. */
static int
opt_value(const struct cli_opt *o)
{
	return o->letter != 0 ? o->letter : CLI_OPT_OWN + o->id;
}

static const struct cli_opt *
opt_find(const struct cli_opt *opts, int c)
{
	const struct cli_opt *o;

	for (o = opts; o != NULL && o->name != NULL; o++)
		if (opt_value(o) == c)
			return o;
	return NULL;
}

/* Keep a secret value in locked memory and wipe it from argv. */
static int
take_secret(struct cli_args *a, int id, char *arg)
{
	size_t n = strlen(arg);

	sodium_free(a->locked[id]);
	a->opt[id] = NULL;
	if ((a->locked[id] = sodium_malloc(n + 1)) == NULL) {
		fprintf(stderr, "ferncon: out of memory\n");
		return EXIT_FAILED;
	}
	memcpy(a->locked[id], arg, n + 1);
	sodium_memzero(arg, n);		/* hide from ps from now on */
	a->opt[id] = a->locked[id];
	return 0;
}

int
cli_parse(const struct cli_cmd *cmd, struct session *s, int argc,
    char **argv, struct cli_args *a)
{
	struct option longs[CLI_MAX_OPTS + ARRAY_LEN(global_options) + 1];
	char shorts[2 + 2 * CLI_MAX_OPTS + 1];
	const struct cli_opt *o;
	size_t nl = 0, ns = 0, i;
	int c, rc;

	if (cmd->flags & CLI_CMD_OPTS_FIRST)
		shorts[ns++] = '+';
	for (o = cmd->opts; o != NULL && o->name != NULL &&
	    nl < CLI_MAX_OPTS; o++) {
		longs[nl].name = o->name;
		longs[nl].has_arg = (o->flags & CLI_OPT_ARG) ? required_argument :
		    no_argument;
		longs[nl].flag = NULL;
		longs[nl++].val = opt_value(o);
		if (o->letter != 0) {
			shorts[ns++] = (char)o->letter;
			if (o->flags & CLI_OPT_ARG)
				shorts[ns++] = ':';
		}
	}
	for (i = 0; i < ARRAY_LEN(global_options); i++)
		longs[nl++] = global_options[i];
	memset(&longs[nl], 0, sizeof longs[nl]);
	shorts[ns] = '\0';

	optind = 0;	/* 0: glibc re-initialises getopt (ordering mode included) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if ((o = opt_find(cmd->opts, c)) != NULL) {
			if (o->check != NULL && (rc = o->check(cmd, optarg)) != 0)
				return rc;
			if (o->flags & CLI_OPT_SECRET) {
				if ((rc = take_secret(a, o->id, optarg)) != 0)
					return rc;
			} else {
				a->opt[o->id] = optarg != NULL ? optarg : "";
			}
		} else if ((rc = cli_global_option(s, a, c, optarg)) < 0) {
			return EXIT_USAGE;
		} else if (rc == 0) {
			return cli_usage_error(cmd, "unknown option '%s'%s",
			    argv[optind - 1], cmd->unknown_hint ?
			    cmd->unknown_hint : "");
		}
	}
	a->argc = argc - optind;
	a->argv = argv + optind;
	if ((cmd->flags & CLI_CMD_NO_OPERANDS) && a->argc != 0)
		return cli_usage_error(cmd, "unexpected argument '%s'",
		    a->argv[0]);
	return 0;
}

void
cli_args_release(struct cli_args *a)
{
	size_t i;

	for (i = 0; i < CLI_MAX_OPTS; i++) {
		sodium_free(a->locked[i]);	/* wipes */
		a->locked[i] = NULL;
		a->opt[i] = NULL;
	}
}

int
cli_keyring(struct session *s, const char *keys_arg, struct err *e)
{
	const char *w;

	if (session_keyring(s, keys_arg, e) != 0)
		return -1;
	if ((w = session_warning(s)) != NULL)
		cli_line(stderr, "ferncon: warning: %s", w);
	return 0;
}

int
cli_open_rows(struct session *s, struct err *e)
{
	if (session_config(s, e) != 0 || session_policy(s, e) != 0 ||
	    cli_keyring(s, NULL, e) != 0)
		return -1;
	return session_load_rows(s, e);
}

int
cli_parse_format(const struct cli_cmd *cmd, const char *arg,
    enum cli_format *f)
{
	if (strcmp(arg, "table") == 0)
		*f = CLI_FMT_TABLE;
	else if (strcmp(arg, "json") == 0)
		*f = CLI_FMT_JSON;
	else if (strcmp(arg, "yaml") == 0)
		*f = CLI_FMT_YAML;
	else if (strcmp(arg, "plain") == 0)
		*f = CLI_FMT_PLAIN;
	else
		return cli_usage_error(cmd, "-o: unknown output format '%s' "
		    "(table, json, yaml or plain)", arg);
	return 0;
}

int
cli_check_format(const struct cli_cmd *cmd, const char *arg)
{
	enum cli_format f;

	return cli_parse_format(cmd, arg, &f);
}

int
cli_console(struct session *s, int no_color)
{
	struct err e;
	int rc;

	err_clear(&e);
	if ((rc = ui_run(s, no_color, &e)) < 0)
		return cli_error(&e);
	return rc > 0 ? 128 + rc : EXIT_OK;
}

/*
 * prefix, then fmt and ap, made terminal-safe as one text, and a newline,
 * on f.
 */
static void vline(FILE *f, const char *prefix, const char *fmt, va_list ap)
    ATTR_PRINTF(3, 0);

static void
vline(FILE *f, const char *prefix, const char *fmt, va_list ap)
{
	struct buf safe;
	char *raw = NULL;
	va_list cp;
	int n;

	buf_init(&safe, 0);
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n >= 0 && (raw = malloc((size_t)n + 1)) != NULL &&
	    vsnprintf(raw, (size_t)n + 1, fmt, ap) == n) {
		buf_adds(&safe, prefix);
		termsafe_add(&safe, raw, (size_t)n, 0);
		buf_addc(&safe, '\n');
	}
	if (raw != NULL && !safe.failed)
		fwrite(buf_str(&safe), 1, safe.len, f);
	else
		fprintf(f, "%sout of memory\n", prefix);
	free(raw);
	buf_release(&safe);
}

void
cli_line(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(f, "", fmt, ap);
	va_end(ap);
}

int
cli_error(const struct err *e)
{
	cli_line(stderr, "ferncon: %s", e->msg);
	return err_exit_code(e);
}

void
cli_print_usage(const struct cli_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: ferncon %s%s%s %s\n", cmd->noun, cmd->verb ? " " : "",
	    cmd->verb ? cmd->verb : "", cmd->usage);
}

int
cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(stderr, "ferncon: ", fmt, ap);
	va_end(ap);
	cli_print_usage(cmd, stderr);
	return EXIT_USAGE;
}

/* Hand out b's text (locked memory) as *out, or fail; b is released. */
static int
detach_locked(struct buf *b, int rc, char **out, size_t *len, struct err *e)
{
	*out = NULL;
	if (rc == 0 && (*out = buf_detach(b, len)) == NULL) {
		err_nomem(e);
		rc = -1;
	}
	buf_release(b);
	return rc;
}

int
cli_read_stdin(char **out, size_t *len, size_t max, struct err *e)
{
	struct buf b;

	buf_init(&b, 1);
	return detach_locked(&b, buf_read_fd(&b, STDIN_FILENO,
	    "standard input", max, ERR_INVALID, e), out, len, e);
}

int
cli_read_file(const char *path, const char *what, size_t max, char **out,
    size_t *len, struct err *e)
{
	struct buf b;

	buf_init(&b, 1);
	return detach_locked(&b, buf_read_file(&b, path, what, max, ERR_IO,
	    NULL, e), out, len, e);
}

int
cli_write(const void *p, size_t len, struct err *e)
{
	if (len > 0 && fwrite(p, 1, len, stdout) != len) {
		err_set(e, ERR_IO, "cannot write standard output: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * One line from fd into buf (at most cap - 1 bytes; the rest of a longer
 * line is read and dropped), without its newline. The length, or -1 at
 * end of input or on an error.
 */
static ssize_t
read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return n > 0 ? (ssize_t)n : -1;
		if (c == '\n')
			break;
		if (c != '\r' && n + 1 < cap)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return (ssize_t)n;
}

int
cli_airflow_login(struct session *s)
{
	struct termios old, quiet;
	struct err e;
	char *pw = NULL;
	ssize_t n;
	int fd, own = 1, needed, hidden = 0, rc = EXIT_FAILED;

	err_clear(&e);
	if (session_login_needed(s, &needed, &e) != 0)
		return cli_error(&e);
	if (!needed)
		return 0;
	/* The terminal, else standard input: never argv or the environment. */
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0) {
		fd = STDIN_FILENO;
		own = 0;
	}
	if ((pw = sodium_malloc(1024)) == NULL) {
		err_nomem(&e);
		rc = cli_error(&e);
		goto out;
	}
	if (isatty(fd) && tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		hidden = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	for (;;) {
		if (own || isatty(fd))
			dprintf(own ? fd : STDERR_FILENO, "Airflow password for "
			    "%s: ", s->airflow.user);
		n = read_line(fd, pw, 1024);
		if (own || isatty(fd))
			dprintf(own ? fd : STDERR_FILENO, "\n");
		if (n < 0) {
			err_set(&e, ERR_DENIED, "no Airflow password was given "
			    "for %s", s->airflow.user);
			rc = cli_error(&e);
			break;
		}
		if (session_airflow_login(s, pw, (size_t)n, &e) == 0) {
			rc = 0;
			break;
		}
		sodium_memzero(pw, 1024);
		rc = cli_error(&e);
		if (e.code != ERR_DENIED ||
		    s->login_failed >= SESSION_LOGIN_TRIES)
			break;
		err_clear(&e);
	}
out:
	if (hidden)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (own)
		close(fd);
	sodium_free(pw);
	return rc;
}
/* -- exports ------------------------------------------------------------- */

/* Ctrl-C or a kill while exporting: no temporary file is left behind. */
static void
export_on_signal(int sig)
{
	outfile_signal_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

int
cli_export(struct session *s, struct session_export *x,
    int (*run)(struct session *, struct session_export *, struct err *),
    const char *noun, const char *what)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old[ARRAY_LEN(sigs)];
	struct err e;
	size_t i;
	int rc;

	err_clear(&e);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = export_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &sa, &old[i]);
	rc = run(s, x, &e);
	for (i = 0; i < ARRAY_LEN(sigs); i++)
		sigaction(sigs[i], &old[i], NULL);
	if (x->n_stale > 0)
		fprintf(stderr, "ferncon: removed %zu temporary file%s that an "
		    "interrupted export left beside '%s'\n", x->n_stale,
		    x->n_stale == 1 ? "" : "s", x->path);
	if (rc != 0) {
		fflush(stdout);
		return cli_error(&e);
	}
	if (strcmp(x->path, "-") == 0) {
		fflush(stdout);
		fprintf(stderr, "\n%zu %s successfully exported.\n", x->n, noun);
	} else {
		cli_line(stdout, "%zu %s successfully exported to %s.", x->n,
		    noun, x->path);
	}
	if (x->n_skipped > 0) {
		fprintf(stderr, "ferncon: %zu %s%s could not be decrypted and "
		    "%s not exported\n", x->n_skipped, what,
		    x->n_skipped == 1 ? "" : "s", x->n_skipped == 1 ? "was" :
		    "were");
		return EXIT_FAILED;
	}
	return EXIT_OK;
}

/* -- list output --------------------------------------------------------- */

int
cli_print_json(const cJSON *v, int indent, struct err *e)
{
	struct pyjson_opts po = { 4, 0, 0 };
	struct buf b;
	const char *p;
	int rc;

	buf_init(&b, 1);
	if ((rc = pyjson_dumps(v, &po, &b, e)) == 0) {
		for (p = buf_str(&b); *p; p++) {
			if (p == buf_str(&b) || p[-1] == '\n')
				printf("%*s", indent, "");
			putchar(*p);
		}
	}
	buf_release(&b);
	return rc;
}

const char *
cli_state_name(enum conn_secret_state s)
{
	switch (s) {
	case CONN_SECRET_PLAIN:
		return "plain";
	case CONN_SECRET_ENCRYPTED:
		return "encrypted";
	case CONN_SECRET_UNDECRYPTABLE:
		return "undecryptable";
	default:
		return "empty";
	}
}
