/*
 * outfile.c: a new output file that appears whole or not at all (see
 * outfile.h): a temporary file created exclusively beside the target,
 * fsynced, then published by a rename that never replaces, or with
 * overwrite by a rename over a regular file of our own. Every path is
 * taken relative to the target's directory, opened once, so that a
 * directory swapped for another between the checks and the rename does
 * not redirect the write.
 */
#include "config.h"

#include "outfile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#define TMP_PREFIX ".ferncon-out-"
#define TMP_RANDOM 12

struct outfile {
	char		*path;		/* the target, as given (messages) */
	char		*base;		/* its last component */
	int		 dirfd;		/* its directory */
	int		 overwrite;
	char		 tmp[sizeof TMP_PREFIX + TMP_RANDOM];
	FILE		*f;		/* on the temporary file */
	char		*fbuf;		/* its buffer, locked, wiped on release */
	size_t		 stale;		/* stale temporary files removed */
};

#define FBUF_SIZE 65536

/*
 * The temporary file to remove on a signal (an outfile's, or one that
 * outfile_track() names): set once the file exists, cleared before it is
 * renamed or removed.
 */
static volatile sig_atomic_t sig_armed;
static int sig_dirfd = AT_FDCWD;
static char sig_tmp[PATH_MAX + 64];

void
outfile_signal_cleanup(void)
{
	if (sig_armed) {
		sig_armed = 0;
		(void)unlinkat(sig_dirfd, sig_tmp, 0);
	}
}

void
outfile_track(int dirfd, const char *name)
{
	sig_armed = 0;
	if (strlen(name) >= sizeof sig_tmp)
		return;
	sig_dirfd = dirfd;
	memcpy(sig_tmp, name, strlen(name) + 1);
	sig_armed = 1;
}

void
outfile_untrack(void)
{
	sig_armed = 0;
}

static void
arm(const struct outfile *o)
{
	outfile_track(o->dirfd, o->tmp);
}

static void
disarm(void)
{
	outfile_untrack();
}

/* prefix, then exactly nrand letters or digits (a temporary name). */
static int
temp_name(const char *name, const char *prefix, size_t nrand)
{
	size_t i, n = strlen(prefix);

	if (strncmp(name, prefix, n) != 0)
		return 0;
	for (i = 0; i < nrand; i++)
		if (!isalnum((unsigned char)name[n + i]))
			return 0;
	return name[n + nrand] == '\0';
}

int
outfile_remove_stale(int dirfd, const char *prefix, size_t nrand, uid_t uid,
    uid_t uid2, size_t *removed, struct err *e)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	*removed = 0;
	if ((fd = dup(dirfd)) < 0 || (d = fdopendir(fd)) == NULL) {
		err_set(e, ERR_IO, "cannot read a directory: %s",
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if (!temp_name(de->d_name, prefix, nrand))
			continue;
		fd = openat(dirfd, de->d_name, O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* Ours, a regular file, and no writer holds it locked. */
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_uid == uid || st.st_uid == uid2) &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    unlinkat(dirfd, de->d_name, 0) == 0)
			(*removed)++;
		close(fd);
	}
	closedir(d);
	return 0;
}

/*
 * Whether the target may be written: 0 when it does not exist (*exists
 * 0) or may be replaced (*exists 1), else -1 with e set to one line.
 */
static int
check_target(const struct outfile *o, int *exists, struct err *e)
{
	struct stat st;
	const char *why;

	*exists = 0;
	if (fstatat(o->dirfd, o->base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			return 0;
		err_set(e, ERR_IO, "cannot write '%s': %s", o->path,
		    strerror(errno));
		return -1;
	}
	*exists = 1;
	if (S_ISLNK(st.st_mode))
		why = "it is a symbolic link";
	else if (!o->overwrite)
		why = "it exists (give --overwrite to replace it)";
	else if (!S_ISREG(st.st_mode))
		why = "it is not a regular file";
	else if (st.st_uid != geteuid())
		why = "it belongs to another user";
	else
		return 0;
	err_set(e, ERR_IO, "cannot write '%s': %s", o->path, why);
	return -1;
}

/* Create the temporary file, exclusively, under a random name. */
static int
create_tmp(struct outfile *o, struct err *e)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t i;
	int fd, tries;

	for (tries = 0; tries < 100; tries++) {
		memcpy(o->tmp, TMP_PREFIX, sizeof TMP_PREFIX - 1);
		for (i = 0; i < TMP_RANDOM; i++)
			o->tmp[sizeof TMP_PREFIX - 1 + i] =
			    alnum[randombytes_uniform(sizeof alnum - 1)];
		o->tmp[sizeof o->tmp - 1] = '\0';
		fd = openat(o->dirfd, o->tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			/* Locked while ours: no outfile_remove_stale() takes it. */
			(void)flock(fd, LOCK_EX);
			break;
		}
		if (errno != EEXIST) {
			err_set(e, ERR_IO, "cannot write '%s': %s", o->path,
			    strerror(errno));
			return -1;
		}
	}
	if (fd < 0) {
		err_set(e, ERR_IO, "cannot write '%s': no free temporary name",
		    o->path);
		return -1;
	}
	arm(o);
	/* The text is plaintext secrets: stdio buffers it in locked memory. */
	if ((o->fbuf = sodium_malloc(FBUF_SIZE)) == NULL ||
	    (o->f = fdopen(fd, "w")) == NULL ||
	    setvbuf(o->f, o->fbuf, _IOFBF, FBUF_SIZE) != 0) {
		err_set(e, ERR_IO, "cannot write '%s': %s", o->path,
		    strerror(errno));
		if (o->f == NULL)
			close(fd);
		disarm();
		(void)unlinkat(o->dirfd, o->tmp, 0);
		return -1;
	}
	return 0;
}

static void
outfile_free(struct outfile *o)
{
	if (o->f != NULL)
		fclose(o->f);
	sodium_free(o->fbuf);	/* wipes */
	if (o->dirfd >= 0)
		close(o->dirfd);
	free(o->path);
	free(o->base);
	free(o);
}

int
outfile_open(struct outfile **out, const char *path, int overwrite,
    struct err *e)
{
	struct outfile *o;
	struct err ignored;
	const char *slash;
	char *dir = NULL;
	int exists;

	*out = NULL;
	if ((o = calloc(1, sizeof *o)) == NULL)
		return err_nomem(e);
	o->dirfd = -1;
	o->overwrite = overwrite;
	slash = strrchr(path, '/');
	if ((o->path = strdup(path)) == NULL ||
	    (o->base = strdup(slash != NULL ? slash + 1 : path)) == NULL ||
	    (dir = slash == NULL ? strdup(".") : slash == path ? strdup("/") :
	    strndup(path, (size_t)(slash - path))) == NULL) {
		outfile_free(o);
		return err_nomem(e);
	}
	if (*o->base == '\0' || strcmp(o->base, ".") == 0 ||
	    strcmp(o->base, "..") == 0) {
		err_set(e, ERR_IO, "cannot write '%s': not a file name", path);
		goto fail;
	}
	if ((o->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err_set(e, ERR_IO, "cannot write '%s': %s", path,
		    strerror(errno));
		goto fail;
	}
	if (check_target(o, &exists, e) != 0)
		goto fail;
	/* What a killed export left here (plaintext): best effort. */
	if (outfile_remove_stale(o->dirfd, TMP_PREFIX, TMP_RANDOM, geteuid(),
	    geteuid(), &o->stale, &ignored) != 0)
		o->stale = 0;
	if (create_tmp(o, e) != 0)
		goto fail;
	free(dir);
	*out = o;
	return 0;
fail:
	free(dir);
	outfile_free(o);
	return -1;
}

FILE *
outfile_stream(struct outfile *o)
{
	return o->f;
}

size_t
outfile_stale_removed(const struct outfile *o)
{
	return o->stale;
}

/* Put the temporary file in the target's place; 0 or -1 with e set. */
static int
publish(struct outfile *o, struct err *e)
{
	int exists;

	if (check_target(o, &exists, e) != 0)
		return -1;
	if (exists) {
		/* overwrite, of a regular file of ours (checked just now) */
		if (renameat(o->dirfd, o->tmp, o->dirfd, o->base) != 0)
			goto fail;
		return 0;
	}
	if (renameat2(o->dirfd, o->tmp, o->dirfd, o->base,
	    RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		goto fail;
	/* A file system without RENAME_NOREPLACE: link() never replaces. */
	if (linkat(o->dirfd, o->tmp, o->dirfd, o->base, 0) != 0)
		goto fail;
	(void)unlinkat(o->dirfd, o->tmp, 0);
	return 0;
fail:
	if (errno == EEXIST)
		err_set(e, ERR_IO, "cannot write '%s': it exists (give "
		    "--overwrite to replace it)", o->path);
	else
		err_set(e, ERR_IO, "cannot write '%s': %s", o->path,
		    strerror(errno));
	return -1;
}

int
outfile_commit(struct outfile *o, struct err *e)
{
	FILE *f = o->f;
	int rc = -1;

	o->f = NULL;
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
		err_set(e, ERR_IO, "cannot write '%s': %s", o->path,
		    strerror(errno ? errno : EIO));
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0) {
		err_set(e, ERR_IO, "cannot write '%s': %s", o->path,
		    strerror(errno));
		goto out;
	}
	if (publish(o, e) != 0)
		goto out;
	disarm();
	(void)fsync(o->dirfd);
	rc = 0;
out:
	if (rc != 0) {
		disarm();
		(void)unlinkat(o->dirfd, o->tmp, 0);
	}
	outfile_free(o);
	return rc;
}

void
outfile_abort(struct outfile *o)
{
	if (o == NULL)
		return;
	if (o->f != NULL) {
		fclose(o->f);
		o->f = NULL;
	}
	disarm();
	(void)unlinkat(o->dirfd, o->tmp, 0);
	outfile_free(o);
}
