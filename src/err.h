/*
 * err.h: how the core reports failure.
 *
 * Every core function that can fail returns 0 on success and -1 on error and
 * takes a `struct err *` as its last argument. On failure the callee fills it
 * with a complete, user-presentable sentence (lower case, no trailing full
 * stop, git style) and a category; on success it is left untouched, so a
 * caller may chain calls and check once. Only the CLI and the console decide
 * how to show it. A message never contains a key, a password or a decrypted
 * value.
 */
#ifndef FERNCON_ERR_H
#define FERNCON_ERR_H

#include <stdarg.h>

#include "compiler.h"

/* What kind of failure; the CLI maps it to an exit code. */
enum err_code {
	ERR_NONE = 0,
	ERR_INVALID,	/* a token, value or row that is not what it must be (exit 1) */
	ERR_NOTFOUND,	/* the thing asked for does not exist (exit 1) */
	ERR_USAGE,	/* bad command-line usage (exit 2) */
	ERR_CONFIG,	/* bad configuration: airflow.cfg, a key, an option (exit 2) */
	ERR_DB,		/* the metadata database failed (exit 3) */
	ERR_IO,		/* a file or process could not be read or written (exit 1) */
	ERR_NOMEM,	/* out of memory (exit 1) */
	ERR_DENIED,	/* the role does not allow it (exit 1) */
	ERR_INTERRUPTED,	/* stopped by store_interrupt() from another thread (exit 1) */
};

struct err {
	enum err_code	 code;
	char		 msg[512];
	const char	*file;	/* where err_set() last recorded a failure */
	int		 line;
};

/* Reset to "no error". */
void err_clear(struct err *e);

/*
 * Record a failure: code, message from fmt. Does nothing when e is NULL.
 * If e already holds an error it is overwritten (the newest, most specific
 * cause wins); use err_prefix() to add context instead.
 */
#define err_set(e, code, ...) err_set_at((e), __FILE__, __LINE__, (code), __VA_ARGS__)
void err_set_at(struct err *e, const char *file, int line, enum err_code code,
    const char *fmt, ...) ATTR_PRINTF(5, 6);

/*
 * Record running out of memory: ERR_NOMEM with the message "out of memory",
 * tagged with the caller's file and line as err_set() does. Returns -1, so
 * that a failing function can end with `return err_nomem(e);` (git's
 * `return error(...)`); it may also be called as a statement. Like err_set()
 * it allocates nothing, so it works when the heap is exhausted.
 */
#define err_nomem(e) err_nomem_at((e), __FILE__, __LINE__)
int err_nomem_at(struct err *e, const char *file, int line);

/* Put "prefix: " in front of the message already recorded in e. */
void err_prefix(struct err *e, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* The process exit code for an error category (doc/design.md section 5). */
int err_exit_code(const struct err *e);

#endif
