/*
 * cfg.h: the `config` module: Airflow's configuration as Airflow reads it,
 * plus ferncon's own options that live in the same file and environment.
 * (The file is cfg.h, not config.h, so that it cannot be confused with the
 * autoconf header that every .c file includes first; the functions keep
 * the module name: config_load(), config_get() ...)
 *
 * Paths: AIRFLOW_HOME (default ~/airflow), AIRFLOW_CONFIG (default
 * $AIRFLOW_HOME/airflow.cfg), both expanded like Airflow's expand_env_var()
 * (os.path.expandvars then expanduser, repeated until stable).
 * --airflow-home replaces AIRFLOW_HOME and --config replaces AIRFLOW_CONFIG
 * (expanded the same way); AIRFLOW_CONFIG still wins over a config path
 * derived from --airflow-home, as it wins over one derived from AIRFLOW_HOME.
 *
 * Lookup of one option, in Airflow's order (apache/airflow commit c873bd5,
 * airflow/configuration.py: AirflowConfigParser.get() at line 943; the
 * environment at 1001, the file at 1013, commands at 1026, secrets at
 * 1038, the default at 1049):
 *   1. env AIRFLOW__SECTION__KEY            (expanded: $VAR, ${VAR}, ~)
 *   2. env AIRFLOW__SECTION__KEY_CMD        (sensitive options only)
 *   3. env AIRFLOW__SECTION__KEY_SECRET     (sensitive only; unsupported: error)
 *   4. airflow.cfg [section] key            (%% interpolation, then expanded)
 *   5. airflow.cfg [section] key_cmd        (sensitive only; %% interpolation)
 *   6. airflow.cfg [section] key_secret     (sensitive only; unsupported: error)
 *   7. the default
 * SECTION is the section upper-cased with '.' made '_', KEY the key
 * upper-cased. A deprecated name (2.x `[core] sql_alchemy_conn` for
 * `[database] sql_alchemy_conn`; `[admin] hide_sensitive_variable_fields`
 * and `[admin] sensitive_variable_fields` for the [core] options) is tried
 * right after the new name at each step, where, as in Airflow, steps 1-3
 * form one step: all three variables of the new name come before those of
 * the old name. Asking for a deprecated name looks up the new one.
 * `_cmd` commands are split like shlex.split() and run without a shell
 * (stdin /dev/null, stderr inherited); their stdout is the value, not
 * stripped, as in Airflow; each distinct command runs once per config. A
 * non-zero exit is an error whose message never includes the output. As in
 * Airflow, an empty output of a file `key_cmd` counts as unset (the lookup
 * goes on), while an empty output of an env `_CMD` is the value.
 *
 * The file is read as Python's ConfigParser reads it with Airflow's
 * settings: `[section]` headers (case-sensitive), `key = value` or
 * `key: value` (the first '=' or ':' ends the name), full-line comments
 * starting with `#` or `;` (no inline comments), indented continuation
 * lines joined with "\n" (blank lines between them are kept, trailing ones
 * dropped), a `[DEFAULT]` section that every section present in the file
 * falls back to, and BasicInterpolation (`%%` is `%`, `%(name)s` refers to
 * another option of the section or of [DEFAULT]). Option names are
 * case-preserving, as Airflow's parser makes them: since Airflow looks
 * options up by their lower-case name, an option written `FERNET_KEY` in
 * the file is not `fernet_key`, for Airflow nor for ferncon. A duplicate
 * section or option is an error (strict mode). A missing, unreadable or
 * malformed file is an error that names the file (and the line).
 *
 * Values of sensitive options and of `_cmd` output live in sodium_malloc
 * memory, as does the file text; every value is wiped when the config is
 * freed. No error message contains a value of a sensitive option.
 */
#ifndef FERNCON_CFG_H
#define FERNCON_CFG_H

#include <stddef.h>

#include "compiler.h"
#include "err.h"

struct config;

/*
 * The largest airflow.cfg read or rewritten (README, Limits); Airflow's own
 * default file is under 100 KiB.
 */
#define CONFIG_MAX_FILE	((size_t)1 << 20)

/* Overrides from the command line; any field may be NULL. */
struct config_opts {
	const char	*config_file;	/* --config FILE */
	const char	*airflow_home;	/* --airflow-home DIR */
	const char	*db_url;	/* --db URL */
};

/* Where a value came from. */
enum config_source {
	CONFIG_SRC_DEFAULT,	/* built-in default */
	CONFIG_SRC_ENV,		/* AIRFLOW__SECTION__KEY */
	CONFIG_SRC_ENV_CMD,	/* AIRFLOW__SECTION__KEY_CMD */
	CONFIG_SRC_FILE,	/* airflow.cfg key */
	CONFIG_SRC_FILE_CMD,	/* airflow.cfg key_cmd */
	CONFIG_SRC_ARG,		/* a command-line flag (--db) */
};

/*
 * One looked-up value. The strings are owned by the config and stay valid
 * until config_free(); looking the same option up again may return the
 * same pointers.
 */
struct config_value {
	const char		*value;	/* NUL-terminated; NULL if unset with no default */
	size_t			 len;
	enum config_source	 source;
	/*
	 * Human-readable origin without the value: "env AIRFLOW__CORE__FERNET_KEY",
	 * "env AIRFLOW__CORE__FERNET_KEY_CMD", "/h/airflow.cfg:12",
	 * "/h/airflow.cfg:13 (fernet_key_cmd)", "default", "--db", and
	 * "unset" (value NULL). A file value found under another name says
	 * which: "/h/airflow.cfg:4 ([DEFAULT] fernet_key)",
	 * "/h/airflow.cfg:9 ([core] sql_alchemy_conn)".
	 */
	const char		*origin;
};

/* -- lifecycle ----------------------------------------------------------- */

/*
 * Resolve AIRFLOW_HOME and AIRFLOW_CONFIG and read the file. opts may be
 * NULL. A file that does not exist is an empty one, as for Airflow (the
 * environment and the defaults then give every value; see
 * config_file_found()), unless --config named it. Returns 0 with *out set
 * (caller frees with config_free()), or -1 with e set to ERR_CONFIG:
 * "cannot read airflow.cfg '/p': No such file or directory" (--config),
 * "... Permission denied", "airflow.cfg '/p' line 7: ..." and so on.
 */
int config_load(struct config **out, const struct config_opts *opts,
    struct err *e) ATTR_WUR;

/* Wipe and free. NULL does nothing. */
void config_free(struct config *cfg);

/* -- paths --------------------------------------------------------------- */

/* The resolved AIRFLOW_HOME and configuration file path. */
const char *config_airflow_home(const struct config *cfg);
const char *config_path(const struct config *cfg);

/* 0 when the configuration file did not exist (read as empty). */
int config_file_found(const struct config *cfg);

/* -- lookup -------------------------------------------------------------- */

/*
 * Look up [section] key in Airflow's order (above). Section and key are
 * given in lower case. Returns 0 with *out filled (out->value NULL when the
 * option is unset and has no default), or -1 with e set (a `_cmd` that
 * failed, an unsupported `_secret`, a bad interpolation).
 *
 * Built-in defaults: [webserver] show_connection_password "False",
 * [console] default_role "Viewer", [console] rotation_max_age_days "90",
 * [console] action_log "<AIRFLOW_HOME>/ferncon-actions.log",
 * [core] hide_sensitive_var_conn_fields "True",
 * [core] sensitive_var_conn_names "", [database] sql_alchemy_schema "",
 * [database] sql_alchemy_conn "sqlite:///<AIRFLOW_HOME>/airflow.db" (four
 * slashes for an absolute home, as Airflow). Everything else, [console]
 * roles and [core] fernet_key included, has none.
 */
int config_get(struct config *cfg, const char *section, const char *key,
    struct config_value *out, struct err *e) ATTR_WUR;

/*
 * Airflow's getboolean(): t/true/1 and f/false/0 in any case, text after a
 * `#` ignored. An unset option gives def. Anything else is ERR_CONFIG with
 * Airflow's message ("Failed to convert value to bool. Please check ...").
 */
int config_get_bool(struct config *cfg, const char *section, const char *key,
    int def, int *out, struct err *e) ATTR_WUR;

/*
 * Airflow's getint() (Python's int(): surrounding whitespace, a sign and
 * `_` between digits allowed); unset gives def; bad text or a number out
 * of range of long is ERR_CONFIG ("Failed to convert value to int. ...").
 * The messages of both quote the value, except for a sensitive option.
 */
int config_get_int(struct config *cfg, const char *section, const char *key,
    long def, long *out, struct err *e) ATTR_WUR;

/* [core] fernet_key (never has a default: unset is reported as value NULL). */
int config_fernet_key(struct config *cfg, struct config_value *out,
    struct err *e) ATTR_WUR;

/*
 * The Airflow major version the DB says (0: unknown, the default): the
 * deprecated names that this version removed (Airflow 3.0: [core]
 * sql_alchemy_conn, [admin] hide_sensitive_variable_fields and
 * sensitive_variable_fields) are no longer read, as Airflow 3 does not read
 * them. Values already handed out stay as they were.
 */
void config_set_airflow_major(struct config *cfg, int major);


/*
 * The metadata DB URL: --db (source CONFIG_SRC_ARG, origin "--db"), else
 * [database] sql_alchemy_conn (2.x also [core] sql_alchemy_conn), else
 * sqlite:///$AIRFLOW_HOME/airflow.db (source CONFIG_SRC_DEFAULT).
 */
int config_db_url(struct config *cfg, struct config_value *out,
    struct err *e) ATTR_WUR;

/* 1 if [section] key is sensitive in Airflow (may use _cmd/_secret). */
int config_is_sensitive(const char *section, const char *key);

/* A short name for a source ("env", "env _cmd", "airflow.cfg", ...). */
const char *config_source_name(enum config_source src);

#endif
