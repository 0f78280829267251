/*
 * err.c: recording failures in a `struct err` (see err.h). Messages are
 * formatted into a fixed buffer, truncated if needed, never allocated, so
 * that reporting cannot itself fail.
 */
#include "config.h"

#include "err.h"

#include <stdio.h>
#include <string.h>

void
err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->code = ERR_NONE;
	e->msg[0] = '\0';
	e->file = NULL;
	e->line = 0;
}

void
err_set_at(struct err *e, const char *file, int line, enum err_code code,
    const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	e->code = code;
	e->file = file;
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

int
err_nomem_at(struct err *e, const char *file, int line)
{
	err_set_at(e, file, line, ERR_NOMEM, "out of memory");
	return -1;
}

void
err_prefix(struct err *e, const char *fmt, ...)
{
	char pre[256], old[sizeof e->msg];
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof pre, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	/* A message too long for the buffer is cut; that is fine. */
	if (snprintf(e->msg, sizeof e->msg, "%s: %s", pre, old) >=
	    (int)sizeof e->msg)
		e->msg[sizeof e->msg - 1] = '\0';
}

int
err_exit_code(const struct err *e)
{
	switch (e->code) {
	case ERR_NONE:
		return 0;
	case ERR_USAGE:
	case ERR_CONFIG:
		return 2;
	case ERR_DB:
		return 3;
	default:
		return 1;
	}
}
