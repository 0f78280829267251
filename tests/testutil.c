/*
 * testutil.c: helpers for the unit tests (see testutil.h).
 */
#include "config.h"

#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cfg.h"
#include "core.h"

const char *
tu_srcpath(const char *rel)
{
	static char buf[4096];
	const char *top = getenv("top_srcdir");

	snprintf(buf, sizeof buf, "%s/%s", top ? top : ".", rel);
	return buf;
}

char *
tu_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (asprintf(&dir, "%s/ferncon-test-XXXXXX", base ? base : "/tmp") < 0)
		abort();
	if (mkdtemp(dir) == NULL)
		abort();
	return dir;
}

void
tu_tmpdir_remove(char *dir)
{
	char *cmd;

	if (dir == NULL)
		return;
	if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0) {
		if (system(cmd) != 0)
			fprintf(stderr, "# cannot remove %s\n", dir);
		free(cmd);
	}
	free(dir);
}

char *
tu_write(const char *dir, const char *name, const char *text, int mode)
{
	char *path;
	int fd;
	size_t len = strlen(text);

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		abort();
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		abort();
	close(fd);
	if (chmod(path, (mode_t)mode) != 0)
		abort();
	return path;
}

int
tu_dir_count(const char *dir, const char *prefix)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	assert_non_null(dp);
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (prefix == NULL || strncmp(d->d_name, prefix,
		    strlen(prefix)) == 0)
			n++;
	}
	closedir(dp);
	return n;
}

char *
tu_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
			if (len != NULL)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

void
tu_unsetenv_prefix(const char *prefix)
{
	char **names = NULL, **p;
	size_t n = 0, i, plen = strlen(prefix);

	/* Collected first: unsetenv() edits environ. */
	for (p = environ; *p != NULL; p++) {
		if (strncmp(*p, prefix, plen) != 0)
			continue;
		if ((names = realloc(names, (n + 1) * sizeof *names)) == NULL ||
		    (names[n] = strndup(*p, strcspn(*p, "="))) == NULL)
			abort();
		n++;
	}
	for (i = 0; i < n; i++) {
		if (unsetenv(names[i]) != 0)
			abort();
		free(names[i]);
	}
	free(names);
}

void
tu_init(void)
{
	struct err e;

	if (core_init(&e) != 0) {
		fprintf(stderr, "Bail out! %s\n", e.msg);
		exit(99);
	}
	/*
	 * Under `sudo make check` sudo's variables would put every session in
	 * restricted mode (doc/design.md section 4, "Trust model"); a test
	 * that wants them sets them.
	 */
	unsetenv("SUDO_USER");
	unsetenv("SUDO_UID");
	unsetenv("SSH_CONNECTION");
}

void
tu_env_clear(void)
{
	char **p, name[256];

	/* unsetenv() edits environ, so look again from the start each time. */
	for (p = environ; *p != NULL;) {
		if (strncmp(*p, "AIRFLOW", 7) == 0) {
			snprintf(name, sizeof name, "%.*s", (int)strcspn(*p, "="), *p);
			if (unsetenv(name) != 0)
				fail_msg("cannot unset %s", name);
			p = environ;
		} else {
			p++;
		}
	}
}

struct config *
tu_config(const char *dir, const char *text)
{
	struct config_opts o = { NULL, NULL, NULL };
	struct config *cfg = NULL;
	struct err e;
	char *path;

	path = tu_write(dir, "airflow.cfg", text, 0600);
	o.config_file = path;
	o.airflow_home = dir;
	err_clear(&e);
	if (config_load(&cfg, &o, &e) != 0)
		fail_msg("config_load: %s", e.msg);
	free(path);
	return cfg;
}
