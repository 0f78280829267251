/*
 * command.c: running the command of a `_cmd` option as Airflow does
 * (command.h): shlex.split() of the text in POSIX mode, then the program
 * itself through posix_spawnp(), no shell, with the signal state
 * Python's subprocess gives a child, and all of its standard output
 * collected into a wiped buffer. The configuration (cfg.c) caches the
 * output so that each command runs once.
 */
#include "config.h"

#include "command.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"

/* A NULL-terminated argument vector; every string is wiped when freed. */
struct argv {
	char	**v;
	size_t	  n, cap;
};

static void
argv_free(struct argv *av)
{
	size_t i;

	for (i = 0; i < av->n; i++)
		buf_str_free(av->v[i]);
	free(av->v);
	av->v = NULL;
	av->n = av->cap = 0;
}

static int
argv_push(struct argv *av, struct buf *tok, struct err *e)
{
	char **v, *s;

	if ((v = buf_array_reserve(av->v, &av->cap, av->n + 2, sizeof *v)) == NULL) {
		err_nomem(e);
		return -1;
	}
	av->v = v;
	if ((s = buf_detach(tok, NULL)) == NULL) {
		err_nomem(e);
		return -1;
	}
	av->v[av->n++] = s;
	av->v[av->n] = NULL;
	return 0;
}

/*
 * shlex.split(s) in POSIX mode without comments: words split at
 * " \t\r\n"; '...' literal; "..." where a backslash escapes only '"' and
 * '\' (otherwise it stays); outside quotes a backslash escapes any
 * character; quotes inside a word join it; '' is an empty word.
 */
static int
shlex_split(const char *s, struct argv *av, const char *what, struct err *e)
{
	enum { SP, WORD, SQUOTE, DQUOTE, ESC } st = SP;
	int esc_from = WORD, quoted = 0, rc = -1;
	struct buf tok;
	const char *p;
	char c;

	buf_init(&tok, 0);
	for (p = s;; p++) {
		c = *p;
		switch (st) {
		case SP:
		case WORD:
			if (c == '\0' || c == ' ' || c == '\t' || c == '\r' ||
			    c == '\n') {
				if (st == WORD && (tok.len > 0 || quoted)) {
					if (argv_push(av, &tok, e) != 0)
						goto out;
					buf_init(&tok, 0);
				}
				quoted = 0;
				st = SP;
				if (c == '\0')
					goto done;
			} else if (c == '\\') {
				esc_from = WORD;
				st = ESC;
			} else if (c == '\'') {
				quoted = 1;
				st = SQUOTE;
			} else if (c == '"') {
				quoted = 1;
				st = DQUOTE;
			} else {
				buf_addc(&tok, c);
				st = WORD;
			}
			break;
		case SQUOTE:
			if (c == '\0')
				goto unclosed;
			if (c == '\'')
				st = WORD;
			else
				buf_addc(&tok, c);
			break;
		case DQUOTE:
			if (c == '\0')
				goto unclosed;
			if (c == '"') {
				st = WORD;
			} else if (c == '\\') {
				esc_from = DQUOTE;
				st = ESC;
			} else {
				buf_addc(&tok, c);
			}
			break;
		case ESC:
			if (c == '\0') {
				err_set(e, ERR_CONFIG, "cannot execute %s: it ends "
				    "with a lone backslash", what);
				goto out;
			}
			if (esc_from == DQUOTE && c != '"' && c != '\\')
				buf_addc(&tok, '\\');
			buf_addc(&tok, c);
			st = esc_from == DQUOTE ? DQUOTE : WORD;
			break;
		}
	}
unclosed:
	err_set(e, ERR_CONFIG, "cannot execute %s: a quotation is not closed",
	    what);
	goto out;
done:
	if (buf_check(&tok, e) != 0)
		goto out;
	if (av->n == 0) {
		err_set(e, ERR_CONFIG, "cannot execute %s: the command is empty",
		    what);
		goto out;
	}
	rc = 0;
out:
	buf_release(&tok);
	return rc;
}

/* Move a pipe end above 0-2: dup2() onto stdout must clear its CLOEXEC. */
static int
fd_above_stdio(int *fd)
{
	int nfd;

	if (*fd > STDERR_FILENO)
		return 0;
	if ((nfd = fcntl(*fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1)) < 0)
		return -1;
	close(*fd);
	*fd = nfd;
	return 0;
}

/* Wait for a child, through EINTR. */
static int
reap(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/*
 * Run argv (PATH search, no shell) with stdin from /dev/null and stderr
 * inherited, and collect all of its stdout in out, at most max bytes.
 * Messages name the program and what, never the output.
 */
static int
cmd_spawn(char *const argv[], const char *what, size_t max, struct buf *out,
    struct err *e)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	int fds[2] = { -1, -1 }, have_fa = 0, have_attr = 0, rc = -1, serr = 0,
	    status;
	pid_t pid = -1;
	char chunk[4096];
	ssize_t n;

	if (pipe2(fds, O_CLOEXEC) != 0 || fd_above_stdio(&fds[0]) != 0 ||
	    fd_above_stdio(&fds[1]) != 0) {
		err_set(e, ERR_IO, "cannot execute '%s' for %s: %s", argv[0],
		    what, strerror(errno));
		goto out;
	}
	if ((serr = posix_spawn_file_actions_init(&fa)) != 0)
		goto spawn_failed;
	have_fa = 1;
	if ((serr = posix_spawnattr_init(&attr)) != 0)
		goto spawn_failed;
	have_attr = 1;
	/* As Python's subprocess: no blocked signals, SIGPIPE back to default. */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGXFSZ);
	if ((serr = posix_spawnattr_setsigmask(&attr, &none)) != 0 ||
	    (serr = posix_spawnattr_setsigdefault(&attr, &dfl)) != 0 ||
	    (serr = posix_spawnattr_setflags(&attr,
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) != 0 ||
	    (serr = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO,
	    "/dev/null", O_RDONLY, 0)) != 0 ||
	    (serr = posix_spawn_file_actions_adddup2(&fa, fds[1],
	    STDOUT_FILENO)) != 0)
		goto spawn_failed;
	if ((serr = posix_spawnp(&pid, argv[0], &fa, &attr, argv,
	    environ)) != 0) {
		pid = -1;
		goto spawn_failed;
	}
	close(fds[1]);
	fds[1] = -1;
	for (;;) {
		n = read(fds[0], chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(e, ERR_IO, "cannot execute '%s' for %s: reading "
			    "its output: %s", argv[0], what, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		if (out->len + (size_t)n > max) {
			err_set(e, ERR_CONFIG, "cannot execute '%s' for %s: its "
			    "output is larger than %zu MiB", argv[0], what,
			    max >> 20);
			goto out;
		}
		buf_add(out, chunk, (size_t)n);
		if (buf_check(out, e) != 0)
			goto out;
	}
	close(fds[0]);
	fds[0] = -1;
	if (reap(pid, &status) != 0) {
		err_set(e, ERR_IO, "cannot execute '%s' for %s: %s", argv[0],
		    what, strerror(errno));
		pid = -1;
		goto out;
	}
	pid = -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		rc = 0;
	else if (WIFEXITED(status))
		err_set(e, ERR_CONFIG, "cannot execute '%s' for %s: exit status "
		    "%d", argv[0], what, WEXITSTATUS(status));
	else
		err_set(e, ERR_CONFIG, "cannot execute '%s' for %s: killed by "
		    "signal %d", argv[0], what, WTERMSIG(status));
	goto out;
spawn_failed:
	err_set(e, ERR_CONFIG, "cannot execute '%s' for %s: %s", argv[0], what,
	    strerror(serr));
out:
	sodium_memzero(chunk, sizeof chunk);
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (pid > 0)
		(void)reap(pid, &status);	/* it gets SIGPIPE if still writing */
	if (have_fa)
		posix_spawn_file_actions_destroy(&fa);
	if (have_attr)
		posix_spawnattr_destroy(&attr);
	return rc;
}

int
command_output(const char *cmd, const char *what, size_t max, struct buf *out,
    struct err *e)
{
	struct argv av = { NULL, 0, 0 };
	int rc;

	rc = shlex_split(cmd, &av, what, e) != 0 ||
	    cmd_spawn(av.v, what, max, out, e) != 0 ? -1 : 0;
	argv_free(&av);
	return rc;
}
