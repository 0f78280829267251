/*
 * buf.c: the growable, wiped byte buffer of buf.h, and reading a whole
 * file into one.
 */
#include "config.h"

#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

static void
mem_free(int secret, char *p, size_t cap)
{
	if (p == NULL)
		return;
	if (secret) {
		sodium_free(p);
	} else {
		sodium_memzero(p, cap);
		free(p);
	}
}

static int
grow(struct buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 64;
	char *p;

	if (b->failed)
		return -1;
	if (b->len + need + 1 <= b->cap)
		return 0;
	while (cap < b->len + need + 1) {
		if (cap > ((size_t)-1) / 2) {
			b->failed = 1;
			return -1;
		}
		cap *= 2;
	}
	p = b->secret ? sodium_malloc(cap) : malloc(cap);
	if (p == NULL) {
		b->failed = 1;
		return -1;
	}
	if (b->p != NULL)
		memcpy(p, b->p, b->len + 1);
	else
		p[0] = '\0';
	mem_free(b->secret, b->p, b->cap);
	b->p = p;
	b->cap = cap;
	return 0;
}

void
buf_init(struct buf *b, int secret)
{
	memset(b, 0, sizeof *b);
	b->secret = secret;
}

void
buf_release(struct buf *b)
{
	int secret;

	if (b == NULL)
		return;
	secret = b->secret;
	mem_free(b->secret, b->p, b->cap);
	buf_init(b, secret);
}

void
buf_reset(struct buf *b)
{
	if (b->p != NULL) {
		sodium_memzero(b->p, b->len);
		b->p[0] = '\0';
	}
	b->len = 0;
}

void
buf_add(struct buf *b, const void *p, size_t len)
{
	if (grow(b, len) != 0)
		return;
	if (len > 0)
		memcpy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n) != 0) {
		b->failed = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *
buf_str(const struct buf *b)
{
	return b->p != NULL ? b->p : "";
}

int
buf_check(const struct buf *b, struct err *e)
{
	if (b->failed) {
		err_nomem(e);
		return -1;
	}
	return 0;
}

char *
buf_detach(struct buf *b, size_t *len)
{
	char *p;

	if (b->failed)
		return NULL;
	if (b->p == NULL && grow(b, 0) != 0)
		return NULL;
	p = b->p;
	if (len != NULL)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void *
buf_array_reserve(void *arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return arr;
	ncap = *cap ? *cap : 16;
	while (ncap < need)
		ncap *= 2;
	p = reallocarray(arr, ncap, size);
	if (p != NULL)
		*cap = ncap;
	return p;
}

void
buf_str_free(char *s)
{
	if (s == NULL)
		return;
	sodium_memzero(s, strlen(s) + 1);
	free(s);
}

/* Read fd to its end into b, at most max bytes; -1 with errno, or E2BIG. */
static int
read_to_end(struct buf *b, int fd, size_t max)
{
	char chunk[8192];
	size_t start = b->len;
	ssize_t n;
	int rc = -1;

	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto out;
		if (n == 0)
			break;
		if (max != 0 && b->len - start + (size_t)n > max) {
			errno = E2BIG;
			goto out;
		}
		buf_add(b, chunk, (size_t)n);
		if (b->failed) {
			errno = ENOMEM;
			goto out;
		}
	}
	rc = 0;
out:
	/* The text may be a secret (airflow.cfg holds keys). */
	sodium_memzero(chunk, sizeof chunk);
	return rc;
}

int
buf_read_fd(struct buf *b, int fd, const char *name, size_t max,
    enum err_code code, struct err *e)
{
	if (read_to_end(b, fd, max) == 0)
		return 0;
	if (errno == ENOMEM)
		err_nomem(e);
	else if (errno == E2BIG)
		err_set(e, code, "cannot read %s: larger than " BUF_LIMIT_FMT,
		    name, BUF_LIMIT_ARGS(max));
	else
		err_set(e, code, "cannot read %s: %s", name, strerror(errno));
	return -1;
}

/* Why a file of mode m is refused, or NULL for a regular file. */
static const char *
not_regular(mode_t m)
{
	if (S_ISREG(m))
		return NULL;
	if (S_ISDIR(m))
		return strerror(EISDIR);	/* "Is a directory", as before */
	if (S_ISFIFO(m))
		return "is a FIFO, not a regular file";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "is a device, not a regular file";
	return "not a regular file";
}

int
buf_read_file(struct buf *b, const char *path, const char *what, size_t max,
    enum err_code code, int *missing, struct err *e)
{
	const char *sp = what != NULL ? " " : "", *why;
	struct stat st;
	int fd, rc = -1;

	if (what == NULL)
		what = "";
	if (missing != NULL)
		*missing = 0;
	/* O_NONBLOCK: a FIFO opens at once, to be refused below */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT && missing != NULL) {
		*missing = 1;
		return 0;
	}
	if (fd < 0 || fstat(fd, &st) != 0) {
		err_set(e, code, "cannot read %s%s'%s': %s", what, sp, path,
		    strerror(errno));
		goto out;
	}
	if ((why = not_regular(st.st_mode)) != NULL) {
		err_set(e, code, "cannot read %s%s'%s': %s", what, sp, path, why);
		goto out;
	}
	if (max != 0 && (uintmax_t)st.st_size > max) {
		err_set(e, code, "cannot read %s%s'%s': larger than "
		    BUF_LIMIT_FMT, what, sp, path, BUF_LIMIT_ARGS(max));
		goto out;
	}
	if (read_to_end(b, fd, max) != 0) {
		if (errno == ENOMEM)
			err_nomem(e);
		else if (errno == E2BIG)
			err_set(e, code, "cannot read %s%s'%s': larger than "
			    BUF_LIMIT_FMT, what, sp, path, BUF_LIMIT_ARGS(max));
		else
			err_set(e, code, "cannot read %s%s'%s': %s", what, sp,
			    path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
