/*
 * buf.h: a growable byte buffer, always NUL-terminated, for building text
 * (URIs, JSON, export files). A secret buffer lives in sodium_malloc memory
 * and every buffer is wiped when it grows or is released, so a buffer that
 * held a password leaves nothing behind.
 */
#ifndef FERNCON_BUF_H
#define FERNCON_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "compiler.h"
#include "err.h"

struct buf {
	char	*p;	/* NUL-terminated once anything was added; NULL before */
	size_t	 len;	/* bytes, without the NUL */
	size_t	 cap;
	int	 secret;	/* allocate with sodium_malloc */
	int	 failed;	/* an append ran out of memory */
};

/* Initialise an empty buffer; secret selects locked memory. */
void buf_init(struct buf *b, int secret);

/* Wipe and free; the buffer is empty and usable again. NULL does nothing. */
void buf_release(struct buf *b);

/* Forget the contents (wiped) but keep the memory. */
void buf_reset(struct buf *b);

/*
 * Append bytes, a string, one character, or printf-formatted text. On out
 * of memory the buffer is marked failed and later appends do nothing;
 * check once with buf_check().
 */
void buf_add(struct buf *b, const void *p, size_t len);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);

/* The text ("" when empty, never NULL). */
const char *buf_str(const struct buf *b);

/* 0, or -1 with e set if an append ran out of memory. */
int buf_check(const struct buf *b, struct err *e) ATTR_WUR;

/*
 * Take the text out (caller frees with free(), or sodium_free() for a
 * secret buffer); the buffer is left empty. Never NULL unless failed.
 */
char *buf_detach(struct buf *b, size_t *len);

/* -- small helpers ------------------------------------------------------- */

/*
 * Make room for need elements of size bytes in a growable array of *cap
 * elements: returns the array (moved, perhaps, with *cap grown), or NULL
 * when out of memory (arr is then unchanged and still owned by the
 * caller).
 */
void *buf_array_reserve(void *arr, size_t *cap, size_t need, size_t size);

/* Wipe and free a NUL-terminated heap (malloc) string. NULL does nothing. */
void buf_str_free(char *s);

/* -- files --------------------------------------------------------------- */

/*
 * Append the whole file at path to b; a secret buffer keeps the text in
 * locked memory. Only a regular file is read: a directory, a FIFO, a
 * device (/dev/zero) or a socket is refused at once, and opening never
 * waits (O_NONBLOCK), so that a FIFO with no writer does not hang. A file
 * of more than max bytes (0: no limit) is refused before it is read, and
 * reading stops there if it grows meanwhile. what names the file in
 * messages, "cannot read <what> '<path>': <reason>" (NULL: "cannot read
 * '<path>': <reason>"). 0, or -1 with e set: code for every refusal,
 * ERR_NOMEM when memory runs out. When missing is not NULL, a file that
 * does not exist is no error: *missing is set to 1 (else 0) and b is left
 * as it was.
 */
int buf_read_file(struct buf *b, const char *path, const char *what,
    size_t max, enum err_code code, int *missing, struct err *e) ATTR_WUR;

/*
 * Append what can be read from fd until its end (a pipe, a terminal, a
 * file) to b, refusing more than max bytes (0: no limit): reading stops at
 * the first byte past it, so /dev/zero costs max bytes and no more. name
 * names it in messages ("cannot read <name>: <reason>"). 0, or -1 with e
 * set (code, or ERR_NOMEM). fd stays open.
 */
int buf_read_fd(struct buf *b, int fd, const char *name, size_t max,
    enum err_code code, struct err *e) ATTR_WUR;

/* "N MiB", or "N KiB" below one MiB, for a limit in messages. */
#define BUF_LIMIT_FMT		"%zu %s"
#define BUF_LIMIT_ARGS(n)	((n) >= ((size_t)1 << 20) ? (n) >> 20 : (n) >> 10), \
	((n) >= ((size_t)1 << 20) ? "MiB" : "KiB")

#endif
