/*
 * testutil.h: small helpers shared by the cmocka unit tests: where the
 * fixtures are, a private temporary directory, writing a file.
 */
#ifndef FERNCON_TESTUTIL_H
#define FERNCON_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

/* $top_srcdir/rel (top_srcdir from the environment, "." if unset); static buffer. */
const char *tu_srcpath(const char *rel);

/* A new empty directory under $TMPDIR, removed by tu_tmpdir_remove(). */
char *tu_tmpdir(void);
void tu_tmpdir_remove(char *dir);

/* Write text to dir/name with the given mode; returns the path (caller frees). */
char *tu_write(const char *dir, const char *name, const char *text, int mode);

/*
 * How many entries dir holds whose names start with prefix (NULL: all but
 * "." and ".."); fails the test when dir cannot be read.
 */
int tu_dir_count(const char *dir, const char *prefix);

/* Read a whole file; caller frees. NULL if it cannot be read. */
char *tu_read(const char *path, size_t *len);

/* Unset every environment variable whose name starts with prefix. */
void tu_unsetenv_prefix(const char *prefix);

/*
 * Call core_init() once or bail out of the test run; unset SUDO_USER,
 * SUDO_UID and SSH_CONNECTION, which would make a session restricted.
 */
void tu_init(void);

struct config;

/*
 * Unset every AIRFLOW* variable, so that only the file a test writes
 * decides the configuration.
 */
void tu_env_clear(void);

/*
 * Write text to dir/airflow.cfg and load it as --config, with dir as
 * AIRFLOW_HOME (the environment still counts: call tu_env_clear() first);
 * fails the test when it does not load. Caller frees with config_free().
 */
struct config *tu_config(const char *dir, const char *text);

#endif
