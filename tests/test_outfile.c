/*
 * test_outfile.c: new output files (src/outfile.c). A new path gets a
 * regular file of mode 0600 once committed, and nothing before: the text
 * sits in a temporary file beside it. An existing path, a symbolic link
 * (dangling or not), a directory and a path whose directory is missing are
 * refused before anything is created; --overwrite replaces a regular file
 * with a new one (another inode, mode 0600) and still refuses a link. An
 * abort, and the signal clean-up, leave nothing behind; a path named with
 * outfile_track() is removed by the clean-up too. The temporary file a
 * SIGKILL left is removed by the next open in its directory, unless a
 * writer holds it.
 */
#include "config.h"

#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "outfile.h"

struct fx {
	char	*dir;
	char	 path[4200];
	struct err e;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	tu_init();
	f->dir = tu_tmpdir();
	snprintf(f->path, sizeof f->path, "%s/out.json", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	tu_tmpdir_remove(f->dir);
	free(f);
	return 0;
}

/* How many entries dir has besides . and .. */
static int
entries(const char *dir)
{
	return tu_dir_count(dir, NULL);
}

/* Write text to path through an outfile; the outfile_commit() result. */
static int
write_new(struct fx *f, const char *path, int overwrite, const char *text)
{
	struct outfile *o = NULL;

	err_clear(&f->e);
	if (outfile_open(&o, path, overwrite, &f->e) != 0)
		return -1;
	assert_int_equal(fputs(text, outfile_stream(o)) >= 0, 1);
	return outfile_commit(o, &f->e);
}

static void
test_new_file(void **state)
{
	struct fx *f = *state;
	struct outfile *o = NULL;
	struct stat st;
	char *text;

	assert_int_equal(outfile_open(&o, f->path, 0, &f->e), 0);
	assert_int_equal(fputs("{\"a\": 1}", outfile_stream(o)) >= 0, 1);
	/* Nothing under the name yet: only the temporary file. */
	assert_int_equal(access(f->path, F_OK), -1);
	assert_int_equal(entries(f->dir), 1);
	assert_int_equal(outfile_commit(o, &f->e), 0);
	assert_int_equal(lstat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	text = tu_read(f->path, NULL);
	assert_string_equal(text, "{\"a\": 1}");
	free(text);
	assert_int_equal(entries(f->dir), 1);	/* the file alone */
}

static void
test_existing_refused(void **state)
{
	struct fx *f = *state;
	char msg[4400], *text, *path = tu_write(f->dir, "out.json", "theirs",
	    0666);

	assert_int_equal(write_new(f, path, 0, "mine"), -1);
	assert_int_equal(f->e.code, ERR_IO);
	snprintf(msg, sizeof msg, "cannot write '%s': it exists (give "
	    "--overwrite to replace it)", path);
	assert_string_equal(f->e.msg, msg);
	text = tu_read(path, NULL);
	assert_string_equal(text, "theirs");
	free(text);
	assert_int_equal(entries(f->dir), 1);
	free(path);
}

static void
test_overwrite(void **state)
{
	struct fx *f = *state;
	struct stat before, after;
	char old[4300], *text, *path = tu_write(f->dir, "out.json", "old",
	    0644);

	/* A second name keeps the old inode alive: its number is not reused. */
	assert_int_equal(stat(path, &before), 0);
	snprintf(old, sizeof old, "%s/old", f->dir);
	assert_int_equal(link(path, old), 0);
	assert_int_equal(write_new(f, path, 1, "new"), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_true(after.st_ino != before.st_ino);
	assert_int_equal(after.st_mode & 07777, 0600);
	text = tu_read(path, NULL);
	assert_string_equal(text, "new");
	free(text);
	assert_int_equal(entries(f->dir), 2);	/* out.json and old */
	free(path);
}

static void
test_links_and_dirs_refused(void **state)
{
	struct fx *f = *state;
	char link_path[4300], target[4300], missing[4300];
	char *text, *t = tu_write(f->dir, "target", "kept", 0644);

	snprintf(link_path, sizeof link_path, "%s/link.json", f->dir);
	assert_int_equal(symlink(t, link_path), 0);
	assert_int_equal(write_new(f, link_path, 1, "x"), -1);
	assert_non_null(strstr(f->e.msg, "it is a symbolic link"));
	text = tu_read(t, NULL);
	assert_string_equal(text, "kept");
	free(text);

	snprintf(target, sizeof target, "%s/nowhere", f->dir);
	snprintf(link_path, sizeof link_path, "%s/dangling.json", f->dir);
	assert_int_equal(symlink(target, link_path), 0);
	assert_int_equal(write_new(f, link_path, 0, "x"), -1);
	assert_int_equal(access(target, F_OK), -1);

	assert_int_equal(write_new(f, f->dir, 1, "x"), -1);
	assert_non_null(strstr(f->e.msg, "it is not a regular file"));

	snprintf(missing, sizeof missing, "%s/no/such.json", f->dir);
	assert_int_equal(write_new(f, missing, 0, "x"), -1);
	assert_non_null(strstr(f->e.msg, "No such file or directory"));
	assert_int_equal(entries(f->dir), 3);	/* target and the two links */
	free(t);
}

static void
test_abort_and_signal_cleanup(void **state)
{
	struct fx *f = *state;
	struct outfile *o = NULL;
	char *tracked;

	assert_int_equal(outfile_open(&o, f->path, 0, &f->e), 0);
	fputs("secret", outfile_stream(o));
	outfile_abort(o);
	assert_int_equal(entries(f->dir), 0);

	/* A signal handler's clean-up removes the temporary file at once. */
	assert_int_equal(outfile_open(&o, f->path, 0, &f->e), 0);
	assert_int_equal(entries(f->dir), 1);
	outfile_signal_cleanup();
	assert_int_equal(entries(f->dir), 0);
	outfile_abort(o);	/* what the process would not reach: harmless */
	assert_int_equal(entries(f->dir), 0);

	/* A file named by another writer, and only until it is untracked. */
	tracked = tu_write(f->dir, ".ferncon-cfg-AbC123", "keys", 0600);
	outfile_track(AT_FDCWD, tracked);
	outfile_untrack();
	outfile_signal_cleanup();
	assert_int_equal(access(tracked, F_OK), 0);
	outfile_track(AT_FDCWD, tracked);
	outfile_signal_cleanup();
	assert_int_equal(access(tracked, F_OK), -1);
	free(tracked);
}

/*
 * What a SIGKILL left (a temporary file, plaintext) goes with the next
 * outfile_open() in that directory; one a writer holds locked, a link and
 * another name stay.
 */
static void
test_stale_removed(void **state)
{
	struct fx *f = *state;
	struct outfile *o = NULL, *busy = NULL;
	char other[4300], *stale, *link_target;
	char ln[4300];

	stale = tu_write(f->dir, ".ferncon-out-Ab3dEf6hIj9l", "password", 0600);
	link_target = tu_write(f->dir, "target", "kept", 0600);
	snprintf(ln, sizeof ln, "%s/.ferncon-out-LINKLINKLINK", f->dir);
	assert_int_equal(symlink(link_target, ln), 0);
	free(tu_write(f->dir, ".ferncon-out-short", "x", 0600));
	/* A writer under way in the same directory. */
	snprintf(other, sizeof other, "%s/other.json", f->dir);
	assert_int_equal(outfile_open(&busy, other, 0, &f->e), 0);
	assert_int_equal(outfile_stale_removed(busy), 1);
	assert_int_equal(access(stale, F_OK), -1);
	assert_int_equal(tu_dir_count(f->dir, ".ferncon-out-"), 3);

	assert_int_equal(outfile_open(&o, f->path, 0, &f->e), 0);
	assert_int_equal(outfile_stale_removed(o), 0);	/* busy's is locked */
	assert_int_equal(tu_dir_count(f->dir, ".ferncon-out-"), 4);
	outfile_abort(o);
	assert_int_equal(outfile_commit(busy, &f->e), 0);
	assert_int_equal(tu_dir_count(f->dir, ".ferncon-out-"), 2);
	free(stale);
	free(link_target);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_existing_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_overwrite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_and_dirs_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_and_signal_cleanup,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_removed, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
