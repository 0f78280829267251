/*
 * cfg.c: the `config` module, Airflow's configuration as Airflow reads it
 * (see cfg.h for the rules).
 *
 * config_load() resolves AIRFLOW_HOME and AIRFLOW_CONFIG, reads the whole
 * file into one sodium_malloc buffer and parses it there, in place, the way
 * Python's ConfigParser does with Airflow's settings (strict, case-preserving
 * option names, blank lines allowed inside values): section names, option
 * names and joined multi-line values become NUL-terminated strings inside
 * that buffer, and the index only points into it. A value never grows when
 * its lines are joined, so the joined text always fits where it was read.
 *
 * config_get() walks Airflow's lookup order at every call (the environment
 * may change between calls); only `_cmd` commands are cached, so that each
 * runs once. Interpolation, $VAR expansion and command output go through
 * wiped scratch buffers (locked ones for sensitive options); results are
 * kept until config_free(), identical results shared, so that looking an
 * option up again and again does not grow the config.
 */
#include "config.h"

#include "cfg.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "command.h"
#include "strmap.h"
#include "utf8.h"

#define CFG_MAX_VALUE	((size_t)16 << 20)	/* an expanded value or _cmd output */
#define CFG_MAX_EXPAND	64		/* expand_env_var() rounds */
#define CFG_MAX_DEPTH	10		/* ConfigParser's MAX_INTERPOLATION_DEPTH */
/* One option's %(name)s interpolation (README, Limits; Python has none). */
#define CFG_MAX_INTERP	((size_t)64 << 10)	/* bytes of result */
#define CFG_MAX_REFS	10000			/* references resolved */

#define SECT_NONE	(-2)		/* before the first header */
#define SECT_DEFAULT	(-1)		/* [DEFAULT] */

/* A [section] header; name points into the file buffer. */
struct cfg_sect {
	const char	*name;
	size_t		 line;
	struct strmap	 opts;	/* option name -> index into opts */
};

/* One option of the file; name and value point into the file buffer. */
struct cfg_opt {
	int		 sect;	/* index into sects, or SECT_DEFAULT */
	const char	*name;
	const char	*value;	/* raw: before interpolation */
	size_t		 len;
	size_t		 line;
};

/* A command that ran, and its output (sodium_malloc). */
struct cfg_cmd {
	char		*cmd;
	char		*out;
	size_t		 len;
};

/* A result handed out by config_get(). */
struct cfg_val {
	char			*section;
	char			*key;
	char			*value;	/* sodium_malloc if secure, else malloc */
	size_t			 len;
	int			 secure;
	enum config_source	 source;
	char			*origin;
};

struct config {
	int		 airflow_major;	/* config_set_airflow_major() */
	char		*home;
	char		*path;
	char		*def_db_url;
	char		*def_action_log;
	char		*db_arg;	/* --db, sodium_malloc */
	char		*text;		/* the file, sodium_malloc, parsed in place */
	size_t		 textlen;
	int		 explicit_path;	/* named by --config: it must exist */
	int		 missing;	/* no file: environment and defaults only */
	struct cfg_sect	*sects;
	size_t		 nsects, capsects;
	struct strmap	 sect_index;	/* section name -> index into sects */
	struct strmap	 default_opts;	/* [DEFAULT]: name -> index into opts */
	struct cfg_opt	*opts;
	size_t		 nopts, capopts;
	struct cfg_cmd	*cmds;
	size_t		 ncmds, capcmds;
	struct cfg_val	*vals;
	size_t		 nvals, capvals;
};

/* What config_get() is asked (a deprecated name mapped to its new one). */
struct query {
	const char	*section;
	const char	*key;
	int		 secure;	/* keep results in locked memory */
};

/* Options that may come from _cmd/_secret: Airflow 2.10 and 3.2 together. */
static const char *const sensitive_options[][2] = {
	{ "core", "fernet_key" },
	{ "core", "dataset_manager_kwargs" },
	{ "core", "asset_manager_kwargs" },
	{ "core", "sql_alchemy_conn" },		/* deprecated alias */
	{ "database", "sql_alchemy_conn" },
	{ "database", "sql_alchemy_conn_async" },
	{ "database", "sql_alchemy_engine_args" },
	{ "logging", "remote_task_handler_kwargs" },
	{ "secrets", "backend_kwargs" },
	{ "webserver", "secret_key" },
	{ "api", "secret_key" },
	{ "smtp", "smtp_password" },
	{ "sentry", "sentry_dsn" },
	{ "workers", "secrets_backend_kwargs" },
	{ "api_auth", "jwt_secret" },
	{ "celery", "broker_url" },
	{ "celery", "result_backend" },
};

/*
 * Airflow 2.x deprecated_options that ferncon reads: new name, old name,
 * and the major version that removed the old name. Airflow 3.0 dropped
 * all three from its deprecated_options map (2.10, apache/airflow commit
 * c873bd5: airflow/configuration.py lines 328-396, the three at 368-369
 * and 375; 3.2, commit e0b55c2: shared/configuration/src/
 * airflow_shared/configuration/parser.py lines 159-198, without them):
 * on a 3.x DB the old names are not read.
 */
static const struct {
	const char	*section, *key, *old_section, *old_key;
	int		 removed_in;
} deprecated_options[] = {
	{ "database", "sql_alchemy_conn", "core", "sql_alchemy_conn", 3 },
	{ "core", "hide_sensitive_var_conn_fields",
	  "admin", "hide_sensitive_variable_fields", 3 },
	{ "core", "sensitive_var_conn_names", "admin", "sensitive_variable_fields",
	  3 },
};

/* Built-in defaults that do not depend on AIRFLOW_HOME. */
static const char *const default_values[][3] = {
	{ "webserver", "show_connection_password", "False" },
	{ "console", "default_role", "Viewer" },
	{ "console", "rotation_max_age_days", "90" },
	{ "core", "hide_sensitive_var_conn_fields", "True" },
	{ "core", "sensitive_var_conn_names", "" },
	{ "database", "sql_alchemy_schema", "" },
};

static int file_error(const struct config *cfg, struct err *e, size_t line,
    const char *fmt, ...) ATTR_PRINTF(4, 5);

/* -- small helpers ------------------------------------------------------- */

/* The characters of "\w" under re.ASCII (a $NAME in expandvars). */
static int
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static char
to_upper(char c)
{
	return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static char
to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* A copy in locked memory (secure) or on the heap. */
static char *
mem_dup(const char *s, size_t len, int secure)
{
	char *p = secure ? sodium_malloc(len + 1) : malloc(len + 1);

	if (p == NULL)
		return NULL;
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Wipe and free what mem_dup() returned. */
static void
mem_free(char *p, size_t len, int secure)
{
	if (p == NULL)
		return;
	if (secure) {
		sodium_free(p);
	} else {
		sodium_memzero(p, len + 1);
		free(p);
	}
}

/* os.path.join(a, b) for a relative b. */
static char *
path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	char *p;

	if (asprintf(&p, "%s%s%s", a, la > 0 && a[la - 1] != '/' ? "/" : "",
	    b) < 0)
		return NULL;
	return p;
}

/* "AIRFLOW__{SECTION}__{KEY}{suffix}", section '.' made '_', upper case. */
static char *
env_name(const char *section, const char *key, const char *suffix)
{
	char *p, *q;

	if (asprintf(&p, "AIRFLOW__%s__%s%s", section, key, suffix) < 0)
		return NULL;
	for (q = p; *q != '\0'; q++)
		*q = (*q == '.') ? '_' : to_upper(*q);
	return p;
}

/* "airflow.cfg '/p' line N: ..." */
static int
file_error(const struct config *cfg, struct err *e, size_t line,
    const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	err_set(e, ERR_CONFIG, "airflow.cfg '%s' line %zu: %s", cfg->path, line,
	    msg);
	return -1;
}

/* -- expand_env_var(): os.path.expandvars + expanduser until stable ------ */

/* os.environ[name] for a name that is not NUL-terminated; NULL if unset. */
static int
env_get(const char *name, size_t len, const char **val, struct err *e)
{
	char *tmp;

	*val = NULL;
	if (len == 0 || memchr(name, '=', len) != NULL)
		return 0;	/* not a key of os.environ */
	if ((tmp = strndup(name, len)) == NULL) {
		err_nomem(e);
		return -1;
	}
	*val = getenv(tmp);
	free(tmp);
	return 0;
}

/* posixpath.expandvars(): $NAME and ${NAME}; unknown ones stay as they are. */
static int
expandvars(const char *s, size_t n, struct buf *o, struct err *e)
{
	size_t i = 0, j, nlen;
	const char *d, *rp, *name, *val;

	while (i < n) {
		d = memchr(s + i, '$', n - i);
		if (d == NULL) {
			buf_add(o, s + i, n - i);
			break;
		}
		buf_add(o, s + i, (size_t)(d - s) - i);
		i = (size_t)(d - s);
		if (i + 1 < n && s[i + 1] == '{' &&
		    (rp = memchr(s + i + 2, '}', n - i - 2)) != NULL) {
			name = s + i + 2;
			nlen = (size_t)(rp - name);
			j = (size_t)(rp - s) + 1;
		} else if (i + 1 < n && is_word(s[i + 1])) {
			name = s + i + 1;
			for (j = i + 1; j < n && is_word(s[j]); j++)
				;
			nlen = j - i - 1;
		} else {
			buf_addc(o, '$');
			i++;
			continue;
		}
		if (env_get(name, nlen, &val, e) != 0)
			return -1;
		if (val != NULL)
			buf_adds(o, val);
		else
			buf_add(o, s + i, j - i);
		i = j;
	}
	return buf_check(o, e);
}

/* posixpath.expanduser(): a leading ~ or ~user. */
static int
expanduser(const char *s, size_t n, struct buf *o, struct err *e)
{
	const char *slash, *home = NULL;
	struct passwd *pw;
	size_t i, hl;
	char *user;

	if (n == 0 || s[0] != '~') {
		buf_add(o, s, n);
		return buf_check(o, e);
	}
	slash = memchr(s + 1, '/', n - 1);
	i = slash != NULL ? (size_t)(slash - s) : n;
	if (i == 1) {
		home = getenv("HOME");
		if (home == NULL && (pw = getpwuid(getuid())) != NULL)
			home = pw->pw_dir;
	} else {
		if ((user = strndup(s + 1, i - 1)) == NULL) {
			err_nomem(e);
			return -1;
		}
		pw = getpwnam(user);
		free(user);
		if (pw != NULL)
			home = pw->pw_dir;
	}
	if (home == NULL) {
		buf_add(o, s, n);
		return buf_check(o, e);
	}
	hl = strlen(home);
	while (hl > 0 && home[hl - 1] == '/')
		hl--;
	if (hl == 0 && i == n)
		buf_addc(o, '/');
	buf_add(o, home, hl);
	buf_add(o, s + i, n - i);
	return buf_check(o, e);
}

/*
 * Airflow's expand_env_var(): expandvars then expanduser until nothing
 * changes. Python would loop forever on a variable that contains itself
 * and more; here that is an error naming what (never the value).
 */
static int
expand_env(const char *in, size_t len, int secure, struct buf *out,
    const char *what, struct err *e)
{
	struct buf cur, vars, next, swap;
	int round, rc = -1;

	buf_init(&cur, secure);
	buf_init(&vars, secure);
	buf_init(&next, secure);
	buf_add(&cur, in, len);
	if (buf_check(&cur, e) != 0)
		goto out;
	for (round = 0;; round++) {
		if (round == CFG_MAX_EXPAND || cur.len > CFG_MAX_VALUE) {
			err_set(e, ERR_CONFIG, "cannot expand the $variables of "
			    "%s: they keep expanding", what);
			goto out;
		}
		buf_reset(&vars);
		buf_reset(&next);
		if (expandvars(buf_str(&cur), cur.len, &vars, e) != 0 ||
		    expanduser(buf_str(&vars), vars.len, &next, e) != 0)
			goto out;
		if (next.len == cur.len &&
		    memcmp(buf_str(&next), buf_str(&cur), cur.len) == 0)
			break;
		swap = cur;
		cur = next;
		next = swap;
	}
	buf_add(out, buf_str(&cur), cur.len);
	rc = buf_check(out, e);
out:
	buf_release(&cur);
	buf_release(&vars);
	buf_release(&next);
	return rc;
}

/* expand_env() into a new heap string (paths). */
static int
expand_path(const char *in, char **out, const char *what, struct err *e)
{
	struct buf b;
	int rc = -1;

	buf_init(&b, 0);
	if (expand_env(in, strlen(in), 0, &b, what, e) != 0)
		goto out;
	if ((*out = buf_detach(&b, NULL)) == NULL) {
		err_nomem(e);
		rc = -1;
	}
	else
		rc = 0;
out:
	buf_release(&b);
	return rc;
}

/*
 * The output of cmd, run once per config: *outp points into the cache
 * (locked memory, owned by cfg). what names the option for messages.
 */
static int
cmd_output(struct config *cfg, const char *cmd, const char *what,
    const char **outp, size_t *outlen, struct err *e)
{
	struct cfg_cmd *c;
	struct buf out;
	size_t i;
	int rc = -1;

	for (i = 0; i < cfg->ncmds; i++) {
		if (strcmp(cfg->cmds[i].cmd, cmd) == 0) {
			*outp = cfg->cmds[i].out;
			*outlen = cfg->cmds[i].len;
			return 0;
		}
	}
	buf_init(&out, 1);
	if (command_output(cmd, what, CFG_MAX_VALUE, &out, e) != 0)
		goto out;
	c = buf_array_reserve(cfg->cmds, &cfg->capcmds, cfg->ncmds + 1,
	    sizeof *c);
	if (c == NULL) {
		err_nomem(e);
		goto out;
	}
	cfg->cmds = c;
	c = &cfg->cmds[cfg->ncmds];
	c->cmd = strdup(cmd);
	c->out = mem_dup(buf_str(&out), out.len, 1);
	c->len = out.len;
	if (c->cmd == NULL || c->out == NULL) {
		buf_str_free(c->cmd);
		mem_free(c->out, c->len, 1);
		err_nomem(e);
		goto out;
	}
	cfg->ncmds++;
	*outp = c->out;
	*outlen = c->len;
	rc = 0;
out:
	buf_release(&out);
	return rc;
}

/* -- the file: ConfigParser._read(), in place ---------------------------- */

/*
 * Sections and options are found through hashed indexes, so that reading
 * a file of 100,000 sections stays linear (doc/design.md section 9).
 */
static int
sect_find(const struct config *cfg, const char *name)
{
	size_t i = strmap_get(&cfg->sect_index, name, strlen(name));

	return i == STRMAP_NONE ? SECT_NONE : (int)i;
}

static struct strmap *
sect_opts(const struct config *cfg, int sect)
{
	return sect == SECT_DEFAULT ?
	    (struct strmap *)&cfg->default_opts : &cfg->sects[sect].opts;
}

static const struct cfg_opt *
opt_find(const struct config *cfg, int sect, const char *name)
{
	size_t i = strmap_get(sect_opts(cfg, sect), name, strlen(name));

	return i == STRMAP_NONE ? NULL : &cfg->opts[i];
}

/*
 * ConfigParser.has_option(): the section must exist in the file; then its
 * own option, else the [DEFAULT] one. *sect gets the section's index.
 */
static const struct cfg_opt *
file_option(const struct config *cfg, const char *section, const char *name,
    int *sect)
{
	const struct cfg_opt *o;

	*sect = sect_find(cfg, section);
	if (*sect == SECT_NONE)
		return NULL;
	if ((o = opt_find(cfg, *sect, name)) != NULL)
		return o;
	return opt_find(cfg, SECT_DEFAULT, name);
}

static const char *
sect_name(const struct config *cfg, int sect)
{
	return sect == SECT_DEFAULT ? "DEFAULT" : cfg->sects[sect].name;
}

static int
sect_add(struct config *cfg, const char *name, size_t line, struct err *e)
{
	struct cfg_sect *s;

	s = buf_array_reserve(cfg->sects, &cfg->capsects, cfg->nsects + 1,
	    sizeof *s);
	if (s == NULL) {
		err_nomem(e);
		return -1;
	}
	cfg->sects = s;
	cfg->sects[cfg->nsects].name = name;
	cfg->sects[cfg->nsects].line = line;
	strmap_init(&cfg->sects[cfg->nsects].opts);
	if (strmap_put(&cfg->sect_index, name, strlen(name), cfg->nsects) !=
	    0) {
		err_nomem(e);
		return -1;
	}
	cfg->nsects++;
	return 0;
}

static int
opt_add(struct config *cfg, int sect, const char *name, const char *value,
    size_t line, struct err *e)
{
	struct cfg_opt *o;

	o = buf_array_reserve(cfg->opts, &cfg->capopts, cfg->nopts + 1, sizeof *o);
	if (o == NULL) {
		err_nomem(e);
		return -1;
	}
	cfg->opts = o;
	if (strmap_put(sect_opts(cfg, sect), name, strlen(name), cfg->nopts) !=
	    0) {
		err_nomem(e);
		return -1;
	}
	o = &cfg->opts[cfg->nopts++];
	o->sect = sect;
	o->name = name;
	o->value = value;
	o->len = 0;
	o->line = line;
	return 0;
}

/* End the value of option i at w (all its lines joined). */
static void
opt_finish(struct config *cfg, size_t i, char *w)
{
	*w = '\0';
	cfg->opts[i].len = (size_t)(w - cfg->opts[i].value);
}

/*
 * One pass over the text. Lines end at "\n", "\r\n" or "\r" (Python's
 * universal newlines). Names are cut with a NUL where they end; a value
 * is compacted towards its start as continuation lines arrive (w is its
 * end), which never overtakes the line being read.
 */
static int
parse(struct config *cfg, struct err *e)
{
	char *t = cfg->text, *w = NULL, *rb;
	size_t n = cfg->textlen, pos = 0, line = 0, indent_level = 0;
	size_t start, eol, s, end, d, ne, v, k, pending = 0;
	long cur = -1;		/* the option whose value may continue */
	int sect = SECT_NONE, si;
	const struct cfg_opt *prev;

	while (pos < n) {
		start = pos;
		for (eol = pos; eol < n && t[eol] != '\n' && t[eol] != '\r';
		    eol++) {
			if (t[eol] == '\0')
				return file_error(cfg, e, line + 1,
				    "contains a NUL byte");
		}
		pos = eol;
		if (pos < n)
			pos += (t[pos] == '\r' && pos + 1 < n &&
			    t[pos + 1] == '\n') ? 2 : 1;
		line++;
		for (s = start; s < eol && utf8_is_str_space(t[s]); s++)
			;
		for (end = eol; end > s && utf8_is_str_space(t[end - 1]); end--)
			;
		if (s == end) {
			/* a blank line: kept inside a value if one follows */
			if (cur >= 0)
				pending++;
			continue;
		}
		if (t[s] == '#' || t[s] == ';')
			continue;
		if (cur >= 0 && s - start > indent_level) {
			/* a continuation line: "\n" per line joined */
			for (k = 0; k <= pending; k++)
				*w++ = '\n';
			memmove(w, t + s, end - s);
			w += end - s;
			pending = 0;
			continue;
		}
		if (cur >= 0)
			opt_finish(cfg, (size_t)cur, w);
		cur = -1;
		pending = 0;
		indent_level = s - start;

		/* "[name]": up to the last ']' (Python's \[(?P<header>.+)\]) */
		rb = NULL;
		if (t[s] == '[' && end - s >= 3)
			rb = memrchr(t + s + 2, ']', end - s - 2);
		if (rb != NULL) {
			*rb = '\0';
			if (strcmp(t + s + 1, "DEFAULT") == 0) {
				sect = SECT_DEFAULT;
				continue;
			}
			if ((si = sect_find(cfg, t + s + 1)) != SECT_NONE)
				return file_error(cfg, e, line, "duplicate "
				    "section [%s] (first at line %zu)", t + s + 1,
				    cfg->sects[si].line);
			if (sect_add(cfg, t + s + 1, line, e) != 0)
				return -1;
			sect = (int)cfg->nsects - 1;
			continue;
		}
		if (sect == SECT_NONE)
			return file_error(cfg, e, line,
			    "line before the first [section] header");

		/* "name = value" or "name: value": the first delimiter */
		for (d = s; d < end && t[d] != '=' && t[d] != ':'; d++)
			;
		if (d == end)
			return file_error(cfg, e, line,
			    "option line without '=' or ':'");
		for (ne = d; ne > s && utf8_is_str_space(t[ne - 1]); ne--)
			;
		if (ne == s)
			return file_error(cfg, e, line,
			    "option line without a name");
		for (v = d + 1; v < end && utf8_is_str_space(t[v]); v++)
			;
		t[ne] = '\0';
		if ((prev = opt_find(cfg, sect, t + s)) != NULL)
			return file_error(cfg, e, line, "duplicate option '%s' "
			    "in [%s] (first at line %zu)", t + s,
			    sect_name(cfg, sect), prev->line);
		if (opt_add(cfg, sect, t + s, t + v, line, e) != 0)
			return -1;
		cur = (long)cfg->nopts - 1;
		w = t + end;
	}
	if (cur >= 0)
		opt_finish(cfg, (size_t)cur, w);
	return 0;
}

/*
 * Read the whole file (a regular file or a pipe) into locked memory. A
 * missing airflow.cfg that nobody named is an empty one, as for Airflow,
 * which then runs on its environment and defaults (a container configured
 * by AIRFLOW__* variables alone).
 */
static int
read_file(struct config *cfg, struct err *e)
{
	struct buf b;
	int rc = -1;

	buf_init(&b, 1);
	if (buf_read_file(&b, cfg->path, "airflow.cfg", CONFIG_MAX_FILE, ERR_CONFIG,
	    cfg->explicit_path ? NULL : &cfg->missing, e) != 0)
		goto out;
	if (cfg->missing) {
		rc = 0;
		goto out;
	}
	if ((cfg->text = buf_detach(&b, &cfg->textlen)) == NULL) {
		err_nomem(e);
		goto out;
	}
	rc = 0;
out:
	buf_release(&b);
	return rc;
}

/* -- lookup -------------------------------------------------------------- */

/*
 * BasicInterpolation of a raw value of [section] (index sect) into acc:
 * "%%" is "%", "%(name)s" the raw value of name in the section or
 * [DEFAULT], itself interpolated. key and line are those of the option
 * asked for, for messages; the value and, for a sensitive option, the
 * names it refers to are never quoted.
 */
static int
interp(const struct config *cfg, int sect, const char *section,
    const char *key, size_t line, int secure, const char *rest,
    struct buf *acc, int depth, size_t *refs, struct err *e)
{
	const struct cfg_opt *o;
	const char *p, *rp;
	char *name;

	if (depth > CFG_MAX_DEPTH)
		return file_error(cfg, e, line, "[%s] %s: %%(name)s references "
		    "nest deeper than %d (a loop?)", section, key, CFG_MAX_DEPTH);
	while (*rest != '\0') {
		if ((p = strchr(rest, '%')) == NULL) {
			buf_adds(acc, rest);
			break;
		}
		buf_add(acc, rest, (size_t)(p - rest));
		rest = p;
		if (rest[1] == '%') {
			buf_addc(acc, '%');
			rest += 2;
			continue;
		}
		if (rest[1] != '(')
			return file_error(cfg, e, line, "[%s] %s: '%%' must be "
			    "followed by '%%' or '('", section, key);
		rp = strchr(rest + 2, ')');
		if (rp == NULL || rp == rest + 2 || rp[1] != 's')
			return file_error(cfg, e, line, "[%s] %s: bad "
			    "interpolation variable reference (write %%%% for "
			    "a literal '%%')", section, key);
		/* each reference costs work even when it adds nothing */
		if (++*refs > CFG_MAX_REFS)
			return file_error(cfg, e, line, "[%s] %s: more than %d "
			    "%%(name)s references to expand", section, key,
			    CFG_MAX_REFS);
		if ((name = strndup(rest + 2, (size_t)(rp - rest - 2))) ==
		    NULL) {
			err_nomem(e);
			return -1;
		}
		o = opt_find(cfg, sect, name);
		if (o == NULL)
			o = opt_find(cfg, SECT_DEFAULT, name);
		if (o == NULL) {
			if (secure)
				file_error(cfg, e, line, "[%s] %s: a %%(name)s "
				    "reference names no option", section, key);
			else
				file_error(cfg, e, line, "[%s] %s: '%%(%s)s' "
				    "names no option", section, key, name);
			free(name);
			return -1;
		}
		free(name);
		rest = rp + 2;
		if (strchr(o->value, '%') != NULL) {
			if (interp(cfg, sect, section, key, line, secure,
			    o->value, acc, depth + 1, refs, e) != 0)
				return -1;
		} else {
			buf_add(acc, o->value, o->len);
		}
		if (acc->len > CFG_MAX_INTERP)
			return file_error(cfg, e, line, "[%s] %s: %%(name)s "
			    "interpolation makes the value larger than %zu KiB",
			    section, key, CFG_MAX_INTERP >> 10);
	}
	return buf_check(acc, e);
}

/* interp() of one option's raw value, from the top. */
static int
interpolate(const struct config *cfg, int sect, const char *section,
    const char *key, size_t line, int secure, const char *raw,
    struct buf *acc, struct err *e)
{
	size_t refs = 0;

	return interp(cfg, sect, section, key, line, secure, raw, acc, 1,
	    &refs, e);
}

/*
 * Hand out a result: an identical earlier one is shared, else a copy is
 * kept (in locked memory when secure) until config_free().
 */
static int
result(struct config *cfg, const struct query *q, const char *value,
    size_t len, enum config_source src, const char *origin,
    struct config_value *out, struct err *e)
{
	int secure = q->secure || src == CONFIG_SRC_ENV_CMD ||
	    src == CONFIG_SRC_FILE_CMD;
	struct cfg_val *v;
	size_t i;

	for (i = 0; i < cfg->nvals; i++) {
		v = &cfg->vals[i];
		if (v->source == src && v->len == len && v->secure == secure &&
		    strcmp(v->section, q->section) == 0 &&
		    strcmp(v->key, q->key) == 0 &&
		    strcmp(v->origin, origin) == 0 &&
		    (len == 0 || sodium_memcmp(v->value, value, len) == 0))
			goto found;
	}
	v = buf_array_reserve(cfg->vals, &cfg->capvals, cfg->nvals + 1, sizeof *v);
	if (v == NULL) {
		err_nomem(e);
		return -1;
	}
	cfg->vals = v;
	v = &cfg->vals[cfg->nvals];
	v->section = strdup(q->section);
	v->key = strdup(q->key);
	v->origin = strdup(origin);
	v->value = mem_dup(value, len, secure);
	v->len = len;
	v->secure = secure;
	v->source = src;
	if (v->section == NULL || v->key == NULL || v->origin == NULL ||
	    v->value == NULL) {
		free(v->section);
		free(v->key);
		free(v->origin);
		mem_free(v->value, len, secure);
		err_nomem(e);
		return -1;
	}
	cfg->nvals++;
found:
	out->value = v->value;
	out->len = v->len;
	out->source = v->source;
	out->origin = v->origin;
	return 0;
}

/*
 * "/h/airflow.cfg:12", with "(name)" or "([section] name)" when the
 * option found is not [q->section] q->key itself.
 */
static char *
file_origin(const struct config *cfg, const struct query *q, int sect,
    const struct cfg_opt *o)
{
	const char *s = sect_name(cfg, o->sect);
	char *p;
	int r;

	if (o->sect != SECT_DEFAULT && sect == o->sect &&
	    strcmp(s, q->section) == 0 && strcmp(o->name, q->key) == 0)
		r = asprintf(&p, "%s:%zu", cfg->path, o->line);
	else if (o->sect != SECT_DEFAULT && strcmp(s, q->section) == 0)
		r = asprintf(&p, "%s:%zu (%s)", cfg->path, o->line, o->name);
	else
		r = asprintf(&p, "%s:%zu ([%s] %s)", cfg->path, o->line, s,
		    o->name);
	return r < 0 ? NULL : p;
}

/* Steps 1-3 for one name. 1 found, 0 not there, -1 error. */
static int
from_env(struct config *cfg, const struct query *q, const char *section,
    const char *key, struct config_value *out, struct err *e)
{
	char *name = NULL, *name_cmd = NULL, *name_secret = NULL;
	char *origin = NULL;
	const char *s, *cmdout;
	size_t cmdlen;
	struct buf v;
	int rc = -1;

	buf_init(&v, q->secure);
	name = env_name(section, key, "");
	name_cmd = env_name(section, key, "_CMD");
	name_secret = env_name(section, key, "_SECRET");
	if (name == NULL || name_cmd == NULL || name_secret == NULL) {
		err_nomem(e);
		goto out;
	}
	if ((s = getenv(name)) != NULL) {
		if (asprintf(&origin, "env %s", name) < 0) {
			origin = NULL;
			err_nomem(e);
			goto out;
		}
		if (expand_env(s, strlen(s), q->secure, &v, origin, e) != 0 ||
		    result(cfg, q, buf_str(&v), v.len, CONFIG_SRC_ENV, origin,
		    out, e) != 0)
			goto out;
		rc = 1;
		goto out;
	}
	if (!config_is_sensitive(section, key)) {
		rc = 0;
		goto out;
	}
	if ((s = getenv(name_cmd)) != NULL) {
		if (asprintf(&origin, "env %s", name_cmd) < 0) {
			origin = NULL;
			err_nomem(e);
			goto out;
		}
		if (cmd_output(cfg, s, name_cmd, &cmdout, &cmdlen, e) != 0 ||
		    result(cfg, q, cmdout, cmdlen, CONFIG_SRC_ENV_CMD, origin,
		    out, e) != 0)
			goto out;
		rc = 1;
		goto out;
	}
	if (getenv(name_secret) != NULL) {
		err_set(e, ERR_CONFIG, "%s is set, but ferncon does not support "
		    "secrets backends: set %s or %s instead", name_secret, name,
		    name_cmd);
		goto out;
	}
	rc = 0;
out:
	free(name);
	free(name_cmd);
	free(name_secret);
	free(origin);
	buf_release(&v);
	return rc;
}

/* Step 4 for one name. */
static int
from_file(struct config *cfg, const struct query *q, const char *section,
    const char *key, struct config_value *out, struct err *e)
{
	const struct cfg_opt *o;
	struct buf raw, v;
	char *origin = NULL, *what = NULL;
	int sect, rc = -1;

	buf_init(&raw, q->secure);
	buf_init(&v, q->secure);
	if ((o = file_option(cfg, section, key, &sect)) == NULL)
		return 0;
	if ((origin = file_origin(cfg, q, sect, o)) == NULL ||
	    asprintf(&what, "[%s] %s", section, key) < 0) {
		what = NULL;
		err_nomem(e);
		goto out;
	}
	if (interpolate(cfg, sect, section, key, o->line, q->secure, o->value,
	    &raw, e) != 0 ||
	    expand_env(buf_str(&raw), raw.len, q->secure, &v, what, e) != 0 ||
	    result(cfg, q, buf_str(&v), v.len, CONFIG_SRC_FILE, origin, out,
	    e) != 0)
		goto out;
	rc = 1;
out:
	free(origin);
	free(what);
	buf_release(&raw);
	buf_release(&v);
	return rc;
}

/*
 * Steps 5 and 6 for one name: key_cmd (an empty output counts as unset,
 * as Airflow's `if option:`), then key_secret (unsupported).
 */
static int
from_file_cmd(struct config *cfg, const struct query *q, const char *section,
    const char *key, int secret, struct config_value *out, struct err *e)
{
	const struct cfg_opt *o;
	struct buf cmd;
	char *name = NULL, *origin = NULL, *what = NULL;
	const char *cmdout;
	size_t cmdlen;
	int sect, rc = -1;

	if (!config_is_sensitive(section, key))
		return 0;
	buf_init(&cmd, 1);
	if (asprintf(&name, "%s%s", key, secret ? "_secret" : "_cmd") < 0) {
		name = NULL;
		err_nomem(e);
		goto out;
	}
	if ((o = file_option(cfg, section, name, &sect)) == NULL) {
		rc = 0;
		goto out;
	}
	if (secret) {
		file_error(cfg, e, o->line, "[%s] %s is set, but ferncon does not "
		    "support secrets backends: set %s or %s_cmd instead",
		    section, name, key, key);
		goto out;
	}
	if ((origin = file_origin(cfg, q, sect, o)) == NULL ||
	    asprintf(&what, "[%s] %s", section, name) < 0) {
		what = NULL;
		err_nomem(e);
		goto out;
	}
	if (interpolate(cfg, sect, section, name, o->line, 1, o->value, &cmd,
	    e) != 0 ||
	    cmd_output(cfg, buf_str(&cmd), what, &cmdout, &cmdlen, e) != 0)
		goto out;
	if (cmdlen == 0) {
		rc = 0;
		goto out;
	}
	if (result(cfg, q, cmdout, cmdlen, CONFIG_SRC_FILE_CMD, origin, out,
	    e) != 0)
		goto out;
	rc = 1;
out:
	free(name);
	free(origin);
	free(what);
	buf_release(&cmd);
	return rc;
}

/* Step 7. */
static int
from_default(struct config *cfg, const struct query *q,
    struct config_value *out, struct err *e)
{
	const char *def = NULL;
	size_t i;

	if (strcmp(q->section, "database") == 0 &&
	    strcmp(q->key, "sql_alchemy_conn") == 0)
		def = cfg->def_db_url;
	else if (strcmp(q->section, "console") == 0 &&
	    strcmp(q->key, "action_log") == 0)
		def = cfg->def_action_log;
	for (i = 0; def == NULL && i < ARRAY_LEN(default_values); i++) {
		if (strcmp(q->section, default_values[i][0]) == 0 &&
		    strcmp(q->key, default_values[i][1]) == 0)
			def = default_values[i][2];
	}
	if (def == NULL) {
		out->value = NULL;
		out->len = 0;
		out->source = CONFIG_SRC_DEFAULT;
		out->origin = "unset";
		return 0;
	}
	return result(cfg, q, def, strlen(def), CONFIG_SRC_DEFAULT, "default",
	    out, e);
}

/* -- public functions ---------------------------------------------------- */

int
config_load(struct config **out, const struct config_opts *opts,
    struct err *e)
{
	static const struct config_opts no_opts = { NULL, NULL, NULL };
	struct config *cfg;
	const char *home, *conf, *what;

	*out = NULL;
	if (opts == NULL)
		opts = &no_opts;
	if ((cfg = calloc(1, sizeof *cfg)) == NULL) {
		err_nomem(e);
		return -1;
	}

	if (opts->airflow_home != NULL) {
		home = opts->airflow_home;
		what = "--airflow-home";
	} else if ((home = getenv("AIRFLOW_HOME")) != NULL) {
		what = "AIRFLOW_HOME";
	} else {
		home = "~/airflow";
		what = "the default AIRFLOW_HOME";
	}
	if (expand_path(home, &cfg->home, what, e) != 0)
		goto fail;

	if (opts->config_file != NULL) {
		conf = opts->config_file;
		what = "--config";
		cfg->explicit_path = 1;
	} else {
		conf = getenv("AIRFLOW_CONFIG");
		what = "AIRFLOW_CONFIG";
	}
	if (conf != NULL) {
		if (expand_path(conf, &cfg->path, what, e) != 0)
			goto fail;
	} else if ((cfg->path = path_join(cfg->home, "airflow.cfg")) == NULL) {
		err_nomem(e);
		goto fail;
	}

	/* Airflow's template: sqlite:///{AIRFLOW_HOME}/airflow.db */
	if (asprintf(&cfg->def_db_url, "sqlite:///%s/airflow.db",
	    cfg->home) < 0) {
		cfg->def_db_url = NULL;
		err_nomem(e);
		goto fail;
	}
	if ((cfg->def_action_log = path_join(cfg->home,
	    "ferncon-actions.log")) == NULL) {
		err_nomem(e);
		goto fail;
	}
	if (opts->db_url != NULL &&
	    (cfg->db_arg = mem_dup(opts->db_url, strlen(opts->db_url), 1)) ==
	    NULL) {
		err_nomem(e);
		goto fail;
	}
	if (read_file(cfg, e) != 0 || parse(cfg, e) != 0)
		goto fail;
	*out = cfg;
	return 0;
fail:
	config_free(cfg);
	return -1;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->nvals; i++) {
		buf_str_free(cfg->vals[i].section);
		buf_str_free(cfg->vals[i].key);
		buf_str_free(cfg->vals[i].origin);
		mem_free(cfg->vals[i].value, cfg->vals[i].len,
		    cfg->vals[i].secure);
	}
	free(cfg->vals);
	for (i = 0; i < cfg->ncmds; i++) {
		buf_str_free(cfg->cmds[i].cmd);
		mem_free(cfg->cmds[i].out, cfg->cmds[i].len, 1);
	}
	free(cfg->cmds);
	free(cfg->opts);
	for (i = 0; i < cfg->nsects; i++)
		strmap_release(&cfg->sects[i].opts);
	free(cfg->sects);
	strmap_release(&cfg->sect_index);
	strmap_release(&cfg->default_opts);
	if (cfg->text != NULL)
		sodium_free(cfg->text);
	if (cfg->db_arg != NULL)
		sodium_free(cfg->db_arg);
	buf_str_free(cfg->def_action_log);
	buf_str_free(cfg->def_db_url);
	buf_str_free(cfg->path);
	buf_str_free(cfg->home);
	free(cfg);
}

const char *
config_airflow_home(const struct config *cfg)
{
	return cfg->home;
}

int
config_file_found(const struct config *cfg)
{
	return !cfg->missing;
}

const char *
config_path(const struct config *cfg)
{
	return cfg->path;
}

int
config_get(struct config *cfg, const char *section, const char *key,
    struct config_value *out, struct err *e)
{
	const char *names[2][2] = { { section, key }, { NULL, NULL } };
	struct query q;
	size_t i, nn = 1;
	int r;

	for (i = 0; i < ARRAY_LEN(deprecated_options); i++) {
		const char *d[4] = { deprecated_options[i].section,
		    deprecated_options[i].key, deprecated_options[i].old_section,
		    deprecated_options[i].old_key };

		if ((strcmp(section, d[0]) == 0 && strcmp(key, d[1]) == 0) ||
		    (strcmp(section, d[2]) == 0 && strcmp(key, d[3]) == 0)) {
			names[0][0] = d[0];
			names[0][1] = d[1];
			names[1][0] = d[2];
			names[1][1] = d[3];
			/* the alias only while the detected Airflow has it */
			nn = cfg->airflow_major >= deprecated_options[i].removed_in ?
			    1 : 2;
			break;
		}
	}
	q.section = names[0][0];
	q.key = names[0][1];
	q.secure = config_is_sensitive(q.section, q.key) ||
	    (nn == 2 && config_is_sensitive(names[1][0], names[1][1]));

	for (i = 0; i < nn; i++) {
		if ((r = from_env(cfg, &q, names[i][0], names[i][1], out, e)) != 0)
			return r < 0 ? -1 : 0;
	}
	for (i = 0; i < nn; i++) {
		if ((r = from_file(cfg, &q, names[i][0], names[i][1], out, e)) !=
		    0)
			return r < 0 ? -1 : 0;
	}
	for (i = 0; i < nn; i++) {
		if ((r = from_file_cmd(cfg, &q, names[i][0], names[i][1], 0, out,
		    e)) != 0)
			return r < 0 ? -1 : 0;
	}
	for (i = 0; i < nn; i++) {
		if ((r = from_file_cmd(cfg, &q, names[i][0], names[i][1], 1, out,
		    e)) != 0)
			return r < 0 ? -1 : 0;
	}
	return from_default(cfg, &q, out, e);
}

int
config_get_bool(struct config *cfg, const char *section, const char *key,
    int def, int *out, struct err *e)
{
	struct config_value v;
	struct buf b;
	const char *p, *end, *val;
	int secret = config_is_sensitive(section, key), rc = -1;

	if (config_get(cfg, section, key, &v, e) != 0)
		return -1;
	if (v.value == NULL) {
		*out = def;
		return 0;
	}
	/* str(val).lower().strip(), then the part before a '#', stripped */
	p = v.value;
	if ((end = memchr(p, '#', v.len)) == NULL)
		end = p + v.len;
	while (p < end && utf8_is_str_space(*p))
		p++;
	while (end > p && utf8_is_str_space(end[-1]))
		end--;
	buf_init(&b, secret);
	for (; p < end; p++)
		buf_addc(&b, to_lower(*p));
	if (buf_check(&b, e) != 0)
		goto out;
	val = buf_str(&b);
	if (strcmp(val, "t") == 0 || strcmp(val, "true") == 0 ||
	    strcmp(val, "1") == 0) {
		*out = 1;
		rc = 0;
	} else if (strcmp(val, "f") == 0 || strcmp(val, "false") == 0 ||
	    strcmp(val, "0") == 0) {
		*out = 0;
		rc = 0;
	} else if (secret) {
		err_set(e, ERR_CONFIG, "Failed to convert value to bool. Please "
		    "check \"%s\" key in \"%s\" section.", key, section);
	} else {
		err_set(e, ERR_CONFIG, "Failed to convert value to bool. Please "
		    "check \"%s\" key in \"%s\" section. Current value: \"%s\".",
		    key, section, val);
	}
out:
	buf_release(&b);
	return rc;
}

int
config_get_int(struct config *cfg, const char *section, const char *key,
    long def, long *out, struct err *e)
{
	struct config_value v;
	struct buf b;
	const char *s, *end;
	char *stop;
	long n;
	int secret = config_is_sensitive(section, key), ok = 0, rc = -1;

	if (config_get(cfg, section, key, &v, e) != 0)
		return -1;
	if (v.value == NULL) {
		*out = def;
		return 0;
	}
	/* int(val): whitespace around, a sign, digits with single '_' between */
	buf_init(&b, secret);
	s = v.value;
	end = v.value + v.len;
	while (s < end && utf8_is_str_space(*s))
		s++;
	while (end > s && utf8_is_str_space(end[-1]))
		end--;
	if (s < end && (*s == '+' || *s == '-'))
		buf_addc(&b, *s++);
	for (; s < end; s++) {
		if (*s >= '0' && *s <= '9') {
			buf_addc(&b, *s);
			ok = 1;
		} else if (*s == '_' && ok && s + 1 < end && s[1] >= '0' &&
		    s[1] <= '9') {
			continue;
		} else {
			ok = 0;
			break;
		}
	}
	if (buf_check(&b, e) != 0)
		goto out;
	if (ok) {
		errno = 0;
		n = strtol(buf_str(&b), &stop, 10);
		if (errno == 0 && *stop == '\0') {
			*out = n;
			rc = 0;
			goto out;
		}
	}
	if (secret)
		err_set(e, ERR_CONFIG, "Failed to convert value to int. Please "
		    "check \"%s\" key in \"%s\" section.", key, section);
	else
		err_set(e, ERR_CONFIG, "Failed to convert value to int%s. Please "
		    "check \"%s\" key in \"%s\" section. Current value: \"%s\".",
		    ok ? " (out of range)" : "", key, section, v.value);
out:
	buf_release(&b);
	return rc;
}

int
config_fernet_key(struct config *cfg, struct config_value *out,
    struct err *e)
{
	return config_get(cfg, "core", "fernet_key", out, e);
}

int
config_db_url(struct config *cfg, struct config_value *out, struct err *e)
{
	static const struct query q = { "database", "sql_alchemy_conn", 1 };

	if (cfg->db_arg != NULL)
		return result(cfg, &q, cfg->db_arg, strlen(cfg->db_arg),
		    CONFIG_SRC_ARG, "--db", out, e);
	return config_get(cfg, "database", "sql_alchemy_conn", out, e);
}

void
config_set_airflow_major(struct config *cfg, int major)
{
	cfg->airflow_major = major;
}

int
config_is_sensitive(const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(sensitive_options); i++) {
		if (strcmp(section, sensitive_options[i][0]) == 0 &&
		    strcmp(key, sensitive_options[i][1]) == 0)
			return 1;
	}
	return 0;
}

const char *
config_source_name(enum config_source src)
{
	switch (src) {
	case CONFIG_SRC_DEFAULT:
		return "default";
	case CONFIG_SRC_ENV:
		return "env";
	case CONFIG_SRC_ENV_CMD:
		return "env _cmd";
	case CONFIG_SRC_FILE:
		return "airflow.cfg";
	case CONFIG_SRC_FILE_CMD:
		return "airflow.cfg _cmd";
	case CONFIG_SRC_ARG:
		return "command line";
	}
	return "unknown";
}
