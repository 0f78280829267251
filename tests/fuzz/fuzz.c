/*
 * fuzz.c: the helpers of fuzz.h (HACKING.md section 4.2). The private directory is made once per
 * process and removed at exit; its files are rewritten for every input.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "core.h"
#include "err.h"
#include "fuzz.h"

static char dir[64];
static char path[128];

static void
cleanup(void)
{
	if (path[0] != '\0')
		unlink(path);
	if (dir[0] != '\0')
		rmdir(dir);
}

void
fuzz_init(void)
{
	struct err e;
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

	err_clear(&e);
	if (core_init(&e) != 0) {
		fprintf(stderr, "fuzz: core_init: %s\n", e.msg);
		abort();
	}
	snprintf(dir, sizeof dir, "%s/ferncon-fuzz.XXXXXX", base);
	if (mkdtemp(dir) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(cleanup);
}

const char *
fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	int fd;

	if (path[0] != '\0')
		unlink(path);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0 ||
	    (size > 0 && write(fd, data, size) != (ssize_t)size) ||
	    close(fd) != 0) {
		perror("fuzz: writing the input file");
		abort();
	}
	return path;
}

struct audit *
fuzz_audit_new(void)
{
	struct audit_opts o;
	struct audit *a = NULL;
	struct err e;

	memset(&o, 0, sizeof o);
	o.no_hash = 1;
	o.min_severity = AUDIT_SEV_INFO;
	o.now = 1800000000;
	err_clear(&e);
	if (audit_new(&a, &o, &e) != 0)
		fuzz_fail(__FILE__, __LINE__, e.msg);
	return a;
}

char *
fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "fuzz: invariant broken at %s:%d: %s\n", file, line, what);
	abort();
}
