/*
 * command.h: the command of a `_cmd` option (airflow.cfg or the environment),
 * run as Airflow runs it: split as Python's shlex.split() does, started
 * without a shell, its standard output captured. No output is ever put
 * into a message.
 */
#ifndef FERNCON_COMMAND_H
#define FERNCON_COMMAND_H

#include <stddef.h>

#include "compiler.h"
#include "err.h"

struct buf;

/*
 * Split cmd as shlex.split() in POSIX mode without comments (words at
 * blanks; '...' literal; "..." where a backslash escapes only '"' and
 * '\\'; outside quotes a backslash escapes any character), run the
 * program (PATH search, no shell) with stdin from /dev/null and stderr
 * inherited, and append all it writes to stdout to out (at most max
 * bytes; a secret buffer keeps it in locked memory). what names the
 * option in messages ("cannot execute 'prog' for <what>: ..."). 0 when
 * the program exits with status 0; else -1 with e set: ERR_CONFIG for a
 * command that cannot be split or run, fails, is killed or writes more
 * than max bytes, ERR_IO for a pipe that fails, ERR_NOMEM.
 */
int command_output(const char *cmd, const char *what, size_t max,
    struct buf *out, struct err *e) ATTR_WUR;

#endif
