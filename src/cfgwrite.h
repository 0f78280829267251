/*
 * cfgwrite.h: put a new `[core] fernet_key` where Airflow will read it, for
 * the key wizard (doc/design.md section 7): generate a key, write `new,old`,
 * rotate, verify, then write `new` alone.
 *
 * Airflow reads the key from the first of: env AIRFLOW__CORE__FERNET_KEY,
 * env AIRFLOW__CORE__FERNET_KEY_CMD, airflow.cfg `fernet_key`, airflow.cfg
 * `fernet_key_cmd` (cfg.h). Only the third is a file ferncon should edit:
 * cfgwrite_plan() says where the key comes from now and, when it is not
 * airflow.cfg, exactly what the administrator must set instead (an
 * environment variable, or the output of a command) in every Airflow
 * component. When it is airflow.cfg (or unset), cfgwrite_set_fernet_key()
 * rewrites the file atomically:
 *
 *   - only the value of `fernet_key` in [core] changes (its continuation
 *     lines are dropped); every other byte, comment, blank line, option
 *     order and line ending is kept; a missing option is added right after
 *     the [core] header, a missing [core] section at the end of the file;
 *   - the new text goes to a temporary file in the same directory (the
 *     target of a symlink is what gets replaced, so the link stays), which
 *     takes the old file's owner, group and mode, is fsync()ed, renamed over
 *     the old file, and the directory is fsync()ed: a crash leaves either
 *     the old or the new file, never a mix;
 *   - the temporary file (".ferncon-cfg-XXXXXX", holding the new and the
 *     old keys) is removed on every error and, when the front end catches
 *     the signal, on a signal (outfile_signal_cleanup()); it is locked
 *     (flock) while being written, and one that a killed ferncon left
 *     behind is removed by cfgwrite_remove_stale();
 *   - it refuses, and changes nothing, when the file changed while it was
 *     being rewritten, has more than one hard link, or when the current
 *     value refers to other values (`$VAR`, `%(name)s`): those are edited by
 *     hand.
 *
 * The file text and the new value live in locked memory and are wiped. No
 * message holds a key.
 */
#ifndef FERNCON_CFGWRITE_H
#define FERNCON_CFGWRITE_H

#include <stddef.h>

#include "cfg.h"
#include "compiler.h"
#include "err.h"

/* Where a new fernet_key must go. */
enum cfgwrite_where {
	CFGWRITE_FILE,		/* airflow.cfg [core] fernet_key: ferncon writes it */
	CFGWRITE_ENV,		/* env AIRFLOW__CORE__FERNET_KEY: the admin sets it */
	CFGWRITE_ENV_CMD,	/* env AIRFLOW__CORE__FERNET_KEY_CMD: its command must print it */
	CFGWRITE_FILE_CMD,	/* airflow.cfg fernet_key_cmd: its command must print it */
};

struct cfgwrite_plan {
	enum cfgwrite_where	where;
	char			path[4096];	/* the airflow.cfg ferncon reads */
	char			origin[4200];	/* where the key comes from now ("unset" if nowhere) */
	char			name[64];	/* what to set: "AIRFLOW__CORE__FERNET_KEY",
						   "AIRFLOW__CORE__FERNET_KEY_CMD",
						   "fernet_key_cmd" or "fernet_key" */
	char			advice[9216];	/* one paragraph, without the key */
};

/*
 * Work out from cfg where a new fernet_key must go and what to tell the
 * administrator. 0, or -1 with e set (a failing _cmd, for instance).
 */
int cfgwrite_plan(struct config *cfg, struct cfgwrite_plan *out,
    struct err *e) ATTR_WUR;

/*
 * Rewrite the airflow.cfg at path so that [core] fernet_key is value (len
 * bytes: a non-empty key list that keyring_parse() accepts), atomically as
 * described above. 0, or -1 with e set (ERR_CONFIG for a bad value or a
 * file ferncon must not rewrite, ERR_IO for a file that cannot be read or
 * written) and the file unchanged.
 */
int cfgwrite_set_fernet_key(const char *path, const char *value, size_t len,
    struct err *e) ATTR_WUR;

/*
 * Remove the temporary files that an interrupted rewrite of the
 * airflow.cfg at path left beside it (killed with SIGKILL, or by a power
 * cut): the entries of its directory named ".ferncon-cfg-" and six letters
 * or digits that are regular files (not links), owned by the caller's uid
 * or airflow.cfg's owner, and not locked by a rewrite under way. The count
 * goes to *removed, for the caller to say so. 0 (also when there is no
 * airflow.cfg), or -1 with e set when the directory cannot be read.
 */
int cfgwrite_remove_stale(const char *path, size_t *removed, struct err *e)
    ATTR_WUR;

/*
 * Test hook (tests/tui_files.sh): called once the temporary file is
 * written and fsync()ed, before it is renamed; NULL in normal use.
 */
extern void (*cfgwrite_test_hook)(void);

/*
 * Both: plan (into *plan), then rewrite the file when the key lives there
 * (CFGWRITE_FILE). Otherwise nothing is written and -1 is returned with e
 * set to ERR_CONFIG, whose message says what to set (plan->advice, without
 * the key); the caller shows plan->name with the new value. Airflow caches
 * the key: every component must be restarted to read the new one.
 */
int cfgwrite_fernet_key(struct config *cfg, const char *value, size_t len,
    struct cfgwrite_plan *plan, struct err *e) ATTR_WUR;

#endif
