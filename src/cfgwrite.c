/*
 * cfgwrite.c: set [core] fernet_key in airflow.cfg atomically, or say what
 * to set instead (see cfgwrite.h).
 *
 * The file is scanned with the line rules of cfg.c's parser (Python's
 * ConfigParser as Airflow sets it up): lines end at "\n", "\r\n" or "\r";
 * blank lines and lines starting with `#` or `;` are skipped; a line
 * indented deeper than the option line before it continues that option's
 * value; `[name]` starts a section; otherwise the first `=` or `:` ends an
 * option's name. Only byte offsets are recorded; the new file is the old
 * bytes with one range replaced or one line inserted.
 */
#include "config.h"

#include "cfgwrite.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "cfg.h"
#include "keyring.h"
#include "outfile.h"
#include "utf8.h"

/* What the scan found; offsets into the text. */
struct scan {
	int	has_core;
	size_t	core_next;	/* just after the [core] header line (and its EOL) */
	int	core_eol_missing;	/* the header line is the file's last, without EOL */
	char	eol[3];		/* the line ending to use for a new line */
	int	has_key;
	size_t	key_line;	/* 1-based line of the option */
	size_t	val_start;	/* the range to replace: the value, continuation */
	size_t	val_end;	/* lines included */
	int	val_empty;	/* the value was empty: write " value" after the delimiter */
};

/* -- scanning ------------------------------------------------------------ */

static void
scan_text(const char *t, size_t n, struct scan *sc)
{
	size_t pos = 0, line = 0, start, eol, next, s, end, d, ne, v, indent = 0;
	int in_core = 0, cur_is_key = 0, cur = 0;
	const char *rb;

	memset(sc, 0, sizeof *sc);
	strcpy(sc->eol, "\n");
	while (pos < n) {
		start = pos;
		for (eol = pos; eol < n && t[eol] != '\n' && t[eol] != '\r'; eol++)
			;
		next = eol;
		if (next < n)
			next += (t[next] == '\r' && next + 1 < n &&
			    t[next + 1] == '\n') ? 2 : 1;
		pos = next;
		line++;
		for (s = start; s < eol && utf8_is_space(t[s]); s++)
			;
		for (end = eol; end > s && utf8_is_space(t[end - 1]); end--)
			;
		if (s == end || t[s] == '#' || t[s] == ';')
			continue;
		if (cur && s - start > indent) {
			/* A continuation line of the option before. */
			if (cur_is_key)
				sc->val_end = end;
			continue;
		}
		cur = cur_is_key = 0;
		indent = s - start;
		rb = NULL;
		if (t[s] == '[' && end - s >= 3)
			rb = memrchr(t + s + 2, ']', end - s - 2);
		if (rb != NULL) {
			in_core = (size_t)(rb - (t + s + 1)) == 4 &&
			    memcmp(t + s + 1, "core", 4) == 0;
			if (in_core && !sc->has_core) {
				sc->has_core = 1;
				sc->core_next = next;
				sc->core_eol_missing = next == eol;
				if (next > eol) {
					memcpy(sc->eol, t + eol, next - eol);
					sc->eol[next - eol] = '\0';
				}
			}
			continue;
		}
		for (d = s; d < end && t[d] != '=' && t[d] != ':'; d++)
			;
		if (d == end)
			continue;	/* malformed; cfg.c has refused such a file */
		for (ne = d; ne > s && utf8_is_space(t[ne - 1]); ne--)
			;
		for (v = d + 1; v < end && utf8_is_space(t[v]); v++)
			;
		cur = 1;
		if (in_core && !sc->has_key && ne - s == 10 &&
		    memcmp(t + s, "fernet_key", 10) == 0) {
			sc->has_key = 1;
			cur_is_key = 1;
			sc->key_line = line;
			sc->val_empty = v == end;
			sc->val_start = sc->val_empty ? d + 1 : v;
			sc->val_end = sc->val_empty ? eol : end;
		}
	}
}

/* -- the new text -------------------------------------------------------- */

static int
build(const char *t, size_t n, const struct scan *sc, const char *value,
    size_t len, struct buf *o, struct err *e)
{
	if (sc->has_key) {
		buf_add(o, t, sc->val_start);
		if (sc->val_empty)
			buf_addc(o, ' ');
		buf_add(o, value, len);
		buf_add(o, t + sc->val_end, n - sc->val_end);
	} else if (sc->has_core) {
		buf_add(o, t, sc->core_next);
		if (sc->core_eol_missing)
			buf_adds(o, sc->eol);
		buf_adds(o, "fernet_key = ");
		buf_add(o, value, len);
		buf_adds(o, sc->eol);
		buf_add(o, t + sc->core_next, n - sc->core_next);
	} else {
		buf_add(o, t, n);
		if (n > 0 && t[n - 1] != '\n' && t[n - 1] != '\r')
			buf_adds(o, sc->eol);
		if (n > 0)
			buf_adds(o, sc->eol);
		buf_adds(o, "[core]");
		buf_adds(o, sc->eol);
		buf_adds(o, "fernet_key = ");
		buf_add(o, value, len);
		buf_adds(o, sc->eol);
	}
	return buf_check(o, e);
}

/* -- files --------------------------------------------------------------- */

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* A value ferncon may write: a valid, non-empty key list on one line. */
static int
check_value(const char *value, size_t len, struct err *e)
{
	struct keyring *kr = NULL;
	struct err pe;
	size_t i;

	for (i = 0; i < len; i++)
		if (value[i] == '\n' || value[i] == '\r' || value[i] == '%' ||
		    value[i] == '$' || value[i] == '\0')
			goto bad;
	err_clear(&pe);
	if (keyring_parse(&kr, value, len, NULL, &pe) != 0 &&
	    pe.code == ERR_NOMEM)
		return err_nomem(e);	/* not a bad key */
	if (kr == NULL || keyring_count(kr) == 0)
		goto bad;
	keyring_free(kr);
	return 0;
bad:
	keyring_free(kr);
	err_set(e, ERR_CONFIG, "the new fernet_key is not a list of Fernet keys "
	    "(32 url-safe base64-encoded bytes each, comma-separated); nothing "
	    "was written");
	return -1;
}

int
cfgwrite_set_fernet_key(const char *path, const char *value, size_t len,
    struct err *e)
{
	struct stat before, after;
	struct scan sc;
	char *name = NULL;
	struct buf old, new;
	char real[PATH_MAX], copy[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX + 32];
	int fd = -1, dfd = -1, rc = -1, made = 0;
	size_t i;

	buf_init(&old, 1);
	buf_init(&new, 1);
	if (check_value(value, len, e) != 0)
		goto out;
	if (realpath(path, real) == NULL) {
		err_set(e, ERR_IO, "cannot rewrite '%s': %s", path, strerror(errno));
		goto out;
	}
	/* O_NONBLOCK: a FIFO opens at once, to be refused below */
	if ((fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0 ||
	    fstat(fd, &before) != 0) {
		err_set(e, ERR_IO, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(before.st_mode)) {
		err_set(e, ERR_CONFIG, "cannot rewrite '%s': not a regular file",
		    path);
		goto out;
	}
	if (before.st_nlink > 1) {
		err_set(e, ERR_CONFIG, "cannot rewrite '%s': it has %lu hard links, "
		    "which a new file would break; set fernet_key by hand", path,
		    (unsigned long)before.st_nlink);
		goto out;
	}
	if (asprintf(&name, "'%s'", path) < 0) {
		name = NULL;
		err_nomem(e);
		goto out;
	}
	if (buf_read_fd(&old, fd, name, CONFIG_MAX_FILE, ERR_CONFIG, e) != 0)
		goto out;
	close(fd);
	fd = -1;
	scan_text(buf_str(&old), old.len, &sc);
	if (sc.has_key) {
		for (i = sc.val_start; i < sc.val_end; i++)
			if (old.p[i] == '$' || old.p[i] == '%') {
				err_set(e, ERR_CONFIG, "cannot rewrite [core] "
				    "fernet_key at '%s' line %zu: its value refers to "
				    "other values ('$' or '%%'); set it by hand", path,
				    sc.key_line);
				goto out;
			}
	}
	if (build(buf_str(&old), old.len, &sc, value, len, &new, e) != 0)
		goto out;

	/* The new file, beside the old one, with its owner and mode. */
	snprintf(copy, sizeof copy, "%s", real);
	snprintf(dir, sizeof dir, "%s", dirname(copy));
	snprintf(tmp, sizeof tmp, "%s/.ferncon-cfg-XXXXXX", dir);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		err_set(e, ERR_IO, "cannot rewrite '%s': cannot create a file in "
		    "'%s': %s", path, dir, strerror(errno));
		goto out;
	}
	made = 1;
	/* Ours while it is locked: cfgwrite_remove_stale() leaves it alone;
	   a signal the front end catches removes it. */
	outfile_track(AT_FDCWD, tmp);
	(void)flock(fd, LOCK_EX);
	if (fchown(fd, before.st_uid, before.st_gid) != 0) {
		err_set(e, ERR_IO, "cannot rewrite '%s' keeping its owner (uid %lu, "
		    "gid %lu): %s; run ferncon as that user", path,
		    (unsigned long)before.st_uid, (unsigned long)before.st_gid,
		    strerror(errno));
		goto out;
	}
	if (fchmod(fd, before.st_mode & 07777) != 0 ||
	    write_all(fd, new.p, new.len) != 0 || fsync(fd) != 0) {
		err_set(e, ERR_IO, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (cfgwrite_test_hook != NULL)
		cfgwrite_test_hook();
	/* Someone else's edit since we read it must not be lost. */
	if (stat(real, &after) != 0 || after.st_ino != before.st_ino ||
	    after.st_dev != before.st_dev || after.st_size != before.st_size ||
	    after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
	    after.st_mtim.tv_nsec != before.st_mtim.tv_nsec) {
		err_set(e, ERR_IO, "'%s' changed while ferncon was rewriting it; "
		    "nothing was written: try again", path);
		goto out;
	}
	outfile_untrack();
	if (rename(tmp, real) != 0) {
		err_set(e, ERR_IO, "cannot replace '%s': %s", path, strerror(errno));
		goto out;
	}
	made = 0;
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(dfd);	/* the rename itself; best effort */
		close(dfd);
	}
	rc = 0;
out:
	outfile_untrack();
	if (made)
		unlink(tmp);
	if (fd >= 0)
		close(fd);	/* fsync()ed: nothing is left to report */
	buf_release(&old);
	buf_release(&new);
	free(name);
	return rc;
}

/* -- stale temporary files ---------------------------------------------- */

void (*cfgwrite_test_hook)(void);

int
cfgwrite_remove_stale(const char *path, size_t *removed, struct err *e)
{
	char real[PATH_MAX], copy[PATH_MAX], dir[PATH_MAX];
	struct stat cfg;
	int dfd, rc;

	*removed = 0;
	if (realpath(path, real) == NULL || stat(real, &cfg) != 0)
		return 0;	/* no airflow.cfg: no temporary file of it */
	snprintf(copy, sizeof copy, "%s", real);
	snprintf(dir, sizeof dir, "%s", dirname(copy));
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err_set(e, ERR_IO, "cannot read '%s': %s", dir, strerror(errno));
		return -1;
	}
	/* mkostemp()'s six letters or digits; owned by us, or by the owner
	   that the rewrite gives airflow.cfg's copy. */
	rc = outfile_remove_stale(dfd, ".ferncon-cfg-", 6, geteuid(),
	    cfg.st_uid, removed, e);
	close(dfd);
	return rc;
}

/* -- the plan ------------------------------------------------------------ */

int
cfgwrite_plan(struct config *cfg, struct cfgwrite_plan *out, struct err *e)
{
	struct config_value v;
	static const char restart[] = "in every Airflow component (scheduler, "
	    "API server or webserver, workers, triggerer, DAG processor) and "
	    "restart them: Airflow reads the key once per process";

	memset(out, 0, sizeof *out);
	if (config_fernet_key(cfg, &v, e) != 0)
		return -1;
	snprintf(out->path, sizeof out->path, "%s", config_path(cfg));
	snprintf(out->origin, sizeof out->origin, "%s", v.origin ? v.origin :
	    "unset");
	switch (v.value == NULL ? CONFIG_SRC_DEFAULT : v.source) {
	case CONFIG_SRC_ENV:
		out->where = CFGWRITE_ENV;
		snprintf(out->name, sizeof out->name, "AIRFLOW__CORE__FERNET_KEY");
		snprintf(out->advice, sizeof out->advice, "fernet_key comes from "
		    "the environment variable AIRFLOW__CORE__FERNET_KEY, which "
		    "Airflow reads before airflow.cfg: set it to the new key list "
		    "%s", restart);
		break;
	case CONFIG_SRC_ENV_CMD:
		out->where = CFGWRITE_ENV_CMD;
		snprintf(out->name, sizeof out->name,
		    "AIRFLOW__CORE__FERNET_KEY_CMD");
		snprintf(out->advice, sizeof out->advice, "fernet_key comes from "
		    "the command in AIRFLOW__CORE__FERNET_KEY_CMD: make it print "
		    "the new key list (update the secret it reads) %s", restart);
		break;
	case CONFIG_SRC_FILE_CMD:
		out->where = CFGWRITE_FILE_CMD;
		snprintf(out->name, sizeof out->name, "fernet_key_cmd");
		snprintf(out->advice, sizeof out->advice, "fernet_key comes from "
		    "the command of fernet_key_cmd (%s): make it print the new "
		    "key list (update the secret it reads) %s", out->origin,
		    restart);
		break;
	default:
		out->where = CFGWRITE_FILE;
		snprintf(out->name, sizeof out->name, "fernet_key");
		snprintf(out->advice, sizeof out->advice, "ferncon writes [core] "
		    "fernet_key in %s; give the same key list to every Airflow "
		    "component (copy the file or the option) and restart them: "
		    "Airflow reads the key once per process", out->path);
		break;
	}
	return 0;
}

int
cfgwrite_fernet_key(struct config *cfg, const char *value, size_t len,
    struct cfgwrite_plan *plan, struct err *e)
{
	if (cfgwrite_plan(cfg, plan, e) != 0)
		return -1;
	if (plan->where != CFGWRITE_FILE) {
		err_set(e, ERR_CONFIG, "airflow.cfg was not changed: %s",
		    plan->advice);
		return -1;
	}
	return cfgwrite_set_fernet_key(plan->path, value, len, e);
}
