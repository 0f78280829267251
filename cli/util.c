/*
 * util.c: what the commands share: global options, the key ring with its
 * warning, the console with its exit code, reading stdin into locked
 * memory, and printing errors in one style.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "ui.h"

int cli_no_color;

int
cli_global_option(struct session *s, int c, const char *arg)
{
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
		s->as_role = arg;
		return 1;
	case CLI_OPT_BASE + 4:
		cli_no_color = 1;
		return 1;
	default:
		return 0;
	}
}

int
cli_keyring(struct session *s, const char *keys_arg, struct err *e)
{
	const char *w;

	if (session_keyring(s, keys_arg, e) != 0)
		return -1;
	if ((w = session_warning(s)) != NULL)
		fprintf(stderr, "ferncon: warning: %s\n", w);
	return 0;
}

int
cli_console(struct session *s)
{
	struct err e;
	int rc;

	err_clear(&e);
	if ((rc = ui_run(s, cli_no_color, &e)) < 0)
		return cli_error(&e);
	return rc > 0 ? 128 + rc : EXIT_OK;
}

int
cli_error(const struct err *e)
{
	fprintf(stderr, "ferncon: %s\n", e->msg);
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

	fputs("ferncon: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_print_usage(cmd, stderr);
	return EXIT_USAGE;
}

int
cli_read_stdin(char **out, size_t *len, struct err *e)
{
	char *buf = NULL, *bigger;
	size_t cap = 4096, n = 0;
	ssize_t r;

	*out = NULL;
	if ((buf = sodium_malloc(cap)) == NULL)
		goto nomem;
	for (;;) {
		if (n + 1 == cap) {
			if (cap > (size_t)1 << 30) {
				err_set(e, ERR_INVALID, "standard input is too large");
				goto fail;
			}
			if ((bigger = sodium_malloc(cap * 2)) == NULL)
				goto nomem;
			memcpy(bigger, buf, n);
			sodium_free(buf);
			buf = bigger;
			cap *= 2;
		}
		r = read(STDIN_FILENO, buf + n, cap - 1 - n);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, ERR_IO, "cannot read standard input: %s",
			    strerror(errno));
			goto fail;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
fail:
	sodium_free(buf);
	return -1;
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
