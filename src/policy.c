/*
 * policy.c: user, role and action log (see policy.h for the table of what
 * each role may do). The role map is parsed here once; the console and the
 * CLI only ask policy_allows()/policy_check(), they never decide.
 */
#include "config.h"

#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

static const char *const role_names[] = { "Viewer", "User", "Op", "Admin" };

const char *
policy_role_name(enum role r)
{
	return role_names[r];
}

int
policy_role_parse(const char *s, enum role *out)
{
	size_t i;

	for (i = 0; i < sizeof role_names / sizeof role_names[0]; i++) {
		if (strcasecmp(s, role_names[i]) == 0) {
			*out = (enum role)i;
			return 0;
		}
	}
	return -1;
}

static const char *const source_names[] = { "uid", "sudo", "ssh --login" };

const char *
policy_source_name(enum policy_source s)
{
	return source_names[s];
}

/* A login as --login may name it: 1-255 of [A-Za-z0-9._@-]. */
static int
login_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 255 || s[0] == '-')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._@-") == n;
}

/* SUDO_UID as a uid; -1 when not a plain decimal number. */
static long
parse_uid(const char *s)
{
	char *end;
	long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		return -1;
	return v;
}

int
policy_decide(const struct policy_facts *f, struct policy_identity *id,
    struct err *e)
{
	long sudo_uid = parse_uid(f->sudo_uid);
	int sudo_set = f->sudo_user != NULL && *f->sudo_user != '\0';
	int sudo_ok = sudo_set && sudo_uid >= 0 && (uid_t)sudo_uid != f->uid &&
	    f->sudo_user_uid == sudo_uid;
	int trusted = f->uid == 0 || f->owner == POLICY_OWNS;

	memset(id, 0, sizeof *id);
	id->uid = f->uid;
	snprintf(id->account, sizeof id->account, "%s", f->account);
	snprintf(id->login, sizeof id->login, "%s", f->account);
	id->source = POLICY_ID_UID;
	if (sudo_set && !sudo_ok)
		snprintf(id->note, sizeof id->note, "SUDO_USER=%s ignored: SUDO_UID "
		    "does not name that login's uid, or names this account's",
		    f->sudo_user);
	if (sudo_ok && !trusted && f->owner == POLICY_OWNS_MISSING) {
		err_set(e, ERR_CONFIG, "ferncon runs as %s for %s (sudo), but %s "
		    "does not exist: acting for another person, ferncon reads "
		    "only the account's own configuration (a symlink to "
		    "AIRFLOW_HOME will do)", f->account, f->sudo_user, f->config);
		return -1;
	}
	if (sudo_ok && !trusted) {
		snprintf(id->note, sizeof id->note, "SUDO_USER=%s ignored: %s does "
		    "not own %s, so sudo did not set it", f->sudo_user, f->account,
		    f->config);
		sudo_ok = 0;
	}
	if (f->login_arg != NULL) {
		if (!login_valid(f->login_arg)) {
			err_set(e, ERR_USAGE, "--login: '%s' is not a login (1-255 "
			    "of A-Z a-z 0-9 . _ @ -)", f->login_arg);
			return -1;
		}
		if (sudo_ok || f->ssh_connection == NULL ||
		    *f->ssh_connection == '\0' || !trusted) {
			if (f->ssh_connection != NULL && *f->ssh_connection != '\0' &&
			    !sudo_ok && f->owner == POLICY_OWNS_MISSING) {
				err_set(e, ERR_CONFIG, "--login: ferncon runs as %s, "
				    "but %s does not exist: acting for another "
				    "person, ferncon reads only the account's own "
				    "configuration", f->account, f->config);
				return -1;
			}
			err_set(e, ERR_USAGE, "--login is refused: it names the "
			    "person only in an SSH forced command (authorized_keys "
			    "command=) on the account that owns the Airflow "
			    "configuration%s", sudo_ok ? "; under sudo the person "
			    "is SUDO_USER" : "");
			return -1;
		}
		snprintf(id->login, sizeof id->login, "%s", f->login_arg);
		id->source = POLICY_ID_SSH;
		id->restricted = 1;
		return 0;
	}
	if (sudo_ok) {
		snprintf(id->login, sizeof id->login, "%s", f->sudo_user);
		id->source = POLICY_ID_SUDO;
		id->restricted = 1;
	}
	return 0;
}

int
policy_identify(const char *login_arg, struct policy_identity *id,
    struct err *e)
{
	struct policy_facts f;
	struct passwd *pw;
	struct stat st;
	char account[256], *config = NULL;
	int rc = -1;

	memset(&f, 0, sizeof f);
	f.uid = getuid();
	if ((pw = getpwuid(f.uid)) == NULL) {
		err_set(e, ERR_CONFIG, "cannot find the login name of uid %u",
		    (unsigned)f.uid);
		return -1;
	}
	snprintf(account, sizeof account, "%s", pw->pw_name);
	f.account = account;
	if (asprintf(&config, "%s%sairflow/airflow.cfg", pw->pw_dir,
	    pw->pw_dir[0] != '\0' && pw->pw_dir[strlen(pw->pw_dir) - 1] == '/' ?
	    "" : "/") < 0) {
		config = NULL;
		err_nomem(e);
		return -1;
	}
	f.config = config;
	if (stat(config, &st) != 0)
		f.owner = POLICY_OWNS_MISSING;
	else
		f.owner = st.st_uid == f.uid ? POLICY_OWNS : POLICY_OWNS_NOT;
	f.sudo_user = getenv("SUDO_USER");
	f.sudo_uid = getenv("SUDO_UID");
	f.sudo_user_uid = -1;
	if (f.sudo_user != NULL && *f.sudo_user != '\0' &&
	    (pw = getpwnam(f.sudo_user)) != NULL)
		f.sudo_user_uid = (long)pw->pw_uid;
	f.ssh_connection = getenv("SSH_CONNECTION");
	f.login_arg = login_arg;
	rc = policy_decide(&f, id, e);
	free(config);
	return rc;
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' ||
	    end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* Whether name is one of the n names in seen. */
static int
seen_before(char *const *seen, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(seen[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Look name up in a "key:value, ..." list of [console] option (form says
 * what an item must be, for messages): 1 found (*out the value), 0 not,
 * -1 malformed, a key listed twice or a value check (may be NULL) refuses.
 */
static int
pairs_lookup(const char *option, const char *form, const char *list,
    const char *name, char *out, size_t len,
    int (*check)(const char *key, const char *value, struct err *e),
    struct err *e)
{
	char *copy = strdup(list), *save = NULL, *item, **seen = NULL;
	size_t nseen = 0;
	int found = 0, rc = 0;

	if (copy == NULL ||
	    (seen = calloc(strlen(list) / 2 + 1, sizeof *seen)) == NULL) {
		free(copy);
		err_nomem(e);
		return -1;
	}
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		char *colon, *key, *val;

		item = trim(item);
		if (*item == '\0')
			continue;
		if ((colon = strchr(item, ':')) == NULL) {
			err_set(e, ERR_CONFIG, "[console] %s: '%s' is not %s",
			    option, item, form);
			rc = -1;
			break;
		}
		*colon = '\0';
		key = trim(item);
		val = trim(colon + 1);
		if (*key == '\0' || *val == '\0') {
			err_set(e, ERR_CONFIG, "[console] %s: an empty name in "
			    "'%s:%s'", option, key, val);
			rc = -1;
			break;
		}
		if (check != NULL && check(key, val, e) != 0) {
			rc = -1;
			break;
		}
		if (seen_before(seen, nseen, key)) {
			err_set(e, ERR_CONFIG, "[console] %s: '%s' is listed more "
			    "than once", option, key);
			rc = -1;
			break;
		}
		seen[nseen++] = key;
		if (strcmp(key, name) == 0) {
			snprintf(out, len, "%s", val);
			found = 1;
		}
	}
	free(seen);
	free(copy);
	return rc < 0 ? -1 : found;
}

/* A map role name, as the values of [console] roles must be. */
static int
check_role(const char *name, const char *value, struct err *e)
{
	enum role r;

	if (policy_role_parse(value, &r) == 0)
		return 0;
	err_set(e, ERR_CONFIG, "[console] roles: unknown role '%s' for '%s' "
	    "(Viewer, User, Op or Admin)", value, name);
	return -1;
}

/*
 * Look user up in "alice:Admin, bob:Op"; 1 found, 0 not, -1 malformed (a
 * login listed twice too: which role was meant cannot be told).
 */
static int
map_lookup(const char *map, const char *user, enum role *role, struct err *e)
{
	char value[256];
	int found;

	if ((found = pairs_lookup("roles", "user:Role", map, user, value,
	    sizeof value, check_role, e)) == 1)
		(void)policy_role_parse(value, role);
	return found;
}

/* [console] default_role (Viewer unless set). */
static int
default_role(struct config *cfg, enum role *out, struct err *e)
{
	struct config_value def;

	if (config_get(cfg, "console", "default_role", &def, e) != 0)
		return -1;
	if (policy_role_parse(def.value ? def.value : "Viewer", out) != 0) {
		err_set(e, ERR_CONFIG, "[console] default_role: unknown role '%s' "
		    "(Viewer, User, Op or Admin)", def.value);
		return -1;
	}
	return 0;
}

/* The rights of a map role (the table of policy.h). */
static unsigned
role_rights(enum role r)
{
	unsigned read = 1u << POLICY_CONN_READ | 1u << POLICY_VAR_READ;

	return r >= ROLE_OP ? (1u << POLICY_RIGHT_MAX) - 1 : read;
}

static const char *const from_names[] = { "map", "FAB", "SimpleAuthManager" };

const char *
policy_from_name(enum policy_from f)
{
	return from_names[f];
}

static const char *const right_names[] = {
	"can_read on Connections", "can_create on Connections",
	"can_edit on Connections", "can_delete on Connections",
	"can_read on Variables", "can_create on Variables",
	"can_edit on Variables", "can_delete on Variables",
};

const char *
policy_right_name(enum policy_right r)
{
	return right_names[r];
}

const char *
policy_role_label(const struct policy *p)
{
	if (p->from == POLICY_FROM_MAP || !p->airflow.found ||
	    !p->airflow.active)
		return role_names[p->role];
	return p->airflow.roles[0] != '\0' ? p->airflow.roles : "no role";
}

int
policy_role_source(struct config *cfg, int *airflow, struct err *e)
{
	struct config_value v;
	const char *s;

	*airflow = 0;
	if (config_get(cfg, "console", "role_source", &v, e) != 0)
		return -1;
	s = v.value != NULL ? v.value : "map";
	if (strcasecmp(s, "airflow") == 0)
		*airflow = 1;
	else if (strcasecmp(s, "map") != 0) {
		err_set(e, ERR_CONFIG, "[console] role_source: '%s' is neither "
		    "map nor airflow", s);
		return -1;
	}
	return 0;
}

int
policy_airflow_user(struct config *cfg, const char *login, char *out,
    size_t len, struct err *e)
{
	struct config_value v;
	int found = 0;

	if (config_get(cfg, "console", "airflow_users", &v, e) != 0)
		return -1;
	if (v.value != NULL && (found = pairs_lookup("airflow_users",
	    "login:airflow_user", v.value, login, out, len, NULL, e)) < 0)
		return -1;
	if (!found)
		snprintf(out, len, "%s", login);
	return 0;
}

/* What every source shares: who, the reveal switch, the log. */
static int
load_common(struct policy *p, struct config *cfg,
    const struct policy_identity *id, struct err *e)
{
	struct config_value log;

	memset(p, 0, sizeof *p);
	if (id != NULL)
		p->id = *id;
	else if (policy_identify(NULL, &p->id, e) != 0)
		return -1;
	snprintf(p->user, sizeof p->user, "%s", p->id.login);
	if (config_get_bool(cfg, "webserver", "show_connection_password", 0,
	    &p->show_password, e) != 0 ||
	    config_get(cfg, "console", "action_log", &log, e) != 0)
		return -1;
	snprintf(p->log_path, sizeof p->log_path, "%s", log.value ? log.value : "");
	return 0;
}

/* --as-role R as a role: 0, or -1 with e set (ERR_USAGE). */
static int
as_role_parse(const char *as_role, enum role *r, struct err *e)
{
	if (policy_role_parse(as_role, r) == 0)
		return 0;
	err_set(e, ERR_USAGE, "--as-role: unknown role '%s' (Viewer, User, Op or "
	    "Admin)", as_role);
	return -1;
}

int
policy_load(struct policy *p, struct config *cfg, const char *as_role,
    struct err *e)
{
	return policy_load_as(p, cfg, NULL, as_role, e);
}

int
policy_load_as(struct policy *p, struct config *cfg,
    const struct policy_identity *id, const char *as_role, struct err *e)
{
	struct config_value roles;
	enum role r = ROLE_VIEWER;
	int found;

	if (load_common(p, cfg, id, e) != 0 ||
	    config_get(cfg, "console", "roles", &roles, e) != 0)
		return -1;
	if (roles.value == NULL || *trim((char *)roles.value) == '\0') {
		/* Acting for another person, no map is no licence. */
		if (!p->id.restricted)
			p->own_role = ROLE_ADMIN;
		else if (default_role(cfg, &p->own_role, e) != 0)
			return -1;
	} else {
		p->from_map = 1;
		if ((found = map_lookup(roles.value, p->user, &r, e)) < 0)
			return -1;
		if (found) {
			p->own_role = r;
			p->in_map = 1;
		} else if (default_role(cfg, &p->own_role, e) != 0)
			return -1;
	}
	p->role = p->own_role;
	if (as_role != NULL) {
		if (as_role_parse(as_role, &r, e) != 0)
			return -1;
		if (r > p->own_role) {
			err_set(e, ERR_USAGE, "--as-role may only lower a role: %s is "
			    "%s, not %s", p->user, role_names[p->own_role],
			    role_names[r]);
			return -1;
		}
		p->lowered = r < p->own_role;
		p->role = r;
	}
	p->rights = role_rights(p->role);
	p->admin = p->role == ROLE_ADMIN;
	return 0;
}

/* The highest map role whose rights and Admin af's rights hold. */
static enum role
nearest_role(unsigned rights, int admin)
{
	if (admin && (rights & role_rights(ROLE_ADMIN)) == role_rights(ROLE_ADMIN))
		return ROLE_ADMIN;
	if ((rights & role_rights(ROLE_OP)) == role_rights(ROLE_OP))
		return ROLE_OP;
	return ROLE_VIEWER;
}

int
policy_load_airflow(struct policy *p, struct config *cfg,
    const struct policy_identity *id, const struct policy_airflow *af,
    const char *as_role, struct err *e)
{
	enum role r;

	if (load_common(p, cfg, id, e) != 0)
		return -1;
	p->from = af->from;
	p->airflow = *af;
	if (af->found && af->active) {
		p->in_map = 1;
		p->rights = af->rights;
		p->admin = af->admin;
		p->own_role = nearest_role(p->rights, p->admin);
	} else {
		/* Inactive or unknown: the default role, never more. */
		if (default_role(cfg, &p->own_role, e) != 0)
			return -1;
		p->rights = role_rights(p->own_role);
		p->admin = p->own_role == ROLE_ADMIN;
	}
	p->from_map = 1;
	p->role = p->own_role;
	if (as_role != NULL) {
		if (as_role_parse(as_role, &r, e) != 0)
			return -1;
		/* Only what that role also has: never a right more. */
		p->lowered = (p->rights & ~role_rights(r)) != 0 ||
		    (p->admin && r != ROLE_ADMIN);
		p->rights &= role_rights(r);
		p->admin = p->admin && r == ROLE_ADMIN;
		if (r < p->role)
			p->role = r;
	}
	return 0;
}

const char *
policy_role_reason(const struct policy *p)
{
	if (p->from != POLICY_FROM_MAP) {
		if (!p->airflow.found)
			return "no such Airflow user: [console] default_role";
		if (!p->airflow.active)
			return "the Airflow user is inactive: [console] "
			    "default_role";
		return p->from == POLICY_FROM_FAB ? "from the permissions of "
		    "the Airflow user's FAB roles" : "from [core] "
		    "simple_auth_manager_users";
	}
	if (p->in_map)
		return "from [console] roles";
	if (p->from_map)
		return "not in [console] roles: [console] default_role";
	if (p->id.restricted)
		return "no [console] roles, and ferncon acts for another person: "
		    "[console] default_role, not Admin";
	return "no [console] roles: the local user is Admin, as with "
	    "Airflow's own CLI";
}

/* 1 if p holds right r, else 0 with *reason set for an Airflow source. */
static int
has(const struct policy *p, enum policy_right r, const char **reason)
{
	if (p->rights & 1u << r)
		return 1;
	if (p->from != POLICY_FROM_MAP) {
		static __thread char why[320];

		snprintf(why, sizeof why, "no %s in the roles of Airflow user "
		    "%s", right_names[r], p->airflow.user);
		*reason = why;
	}
	return 0;
}

/*
 * A variable action as the connection action it mirrors; *off is then the
 * distance from the Connections rights to the Variables ones (else 0).
 */
static enum policy_action
resource_action(enum policy_action a, int *off, const char **noun)
{
	static const enum policy_action conn[] = {
		[POLICY_LIST_VARS] = POLICY_LIST,
		[POLICY_REVEAL_VARS] = POLICY_REVEAL,
		[POLICY_EDIT_VARS] = POLICY_EDIT,
		[POLICY_EXPORT_VARS] = POLICY_EXPORT,
		[POLICY_CREATE_VARS] = POLICY_CREATE,
		[POLICY_DELETE_VARS] = POLICY_DELETE,
	};

	if (a >= POLICY_LIST_VARS && a <= POLICY_DELETE_VARS) {
		*off = POLICY_VAR_READ - POLICY_CONN_READ;
		*noun = "variables";
		return conn[a];
	}
	*off = 0;
	*noun = "connections";
	return a;
}

int
policy_allows(const struct policy *p, enum policy_action a, const char **why)
{
	const char *reason = NULL, *noun;
	int map = p->from == POLICY_FROM_MAP, off;
	static __thread char said[160];

	a = resource_action(a, &off, &noun);
	switch (a) {
	case POLICY_LIST:
	case POLICY_AUDIT:
		if (has(p, (enum policy_right)(POLICY_CONN_READ + off), &reason))
			return 1;
		break;
	case POLICY_REVEAL:
	case POLICY_EXPORT:
		if (has(p, (enum policy_right)(POLICY_CONN_EDIT + off), &reason) &&
		    (p->admin || p->show_password))
			return 1;
		if (map)
			reason = p->role == ROLE_OP ? "Op may do this only when "
			    "[webserver] show_connection_password is True" :
			    "only Op (with show_connection_password) and Admin "
			    "may";
		else if (reason == NULL) {
			snprintf(said, sizeof said, "can_edit on %s reveals only "
			    "for the role named Admin or when [webserver] "
			    "show_connection_password is True", off ? "Variables" :
			    "Connections");
			reason = said;
		}
		break;
	case POLICY_EDIT:
		if (has(p, (enum policy_right)(POLICY_CONN_EDIT + off), &reason))
			return 1;
		break;
	case POLICY_CREATE:
		if (has(p, (enum policy_right)(POLICY_CONN_CREATE + off), &reason))
			return 1;
		break;
	case POLICY_DELETE:
		if (has(p, (enum policy_right)(POLICY_CONN_DELETE + off), &reason))
			return 1;
		break;
	case POLICY_ADMIN:
		if (p->admin)
			return 1;
		reason = map ? "only Admin may manage encryption and keys" :
		    "only the Airflow role named Admin may manage encryption "
		    "and keys";
		break;
	default:	/* the variable actions, mapped above */
		break;
	}
	if (map && a != POLICY_ADMIN && a != POLICY_REVEAL &&
	    a != POLICY_EXPORT) {
		snprintf(said, sizeof said, a == POLICY_LIST || a == POLICY_AUDIT ?
		    "the role may not read %s" : "only Op and Admin may change %s",
		    noun);
		reason = said;
	}
	if (why != NULL)
		*why = reason;
	return 0;
}

int
policy_check(const struct policy *p, enum policy_action a, const char *what,
    struct err *e)
{
	const char *why = NULL;

	if (policy_allows(p, a, &why))
		return 0;
	err_set(e, ERR_DENIED, "role %s (%s) may not %s: %s",
	    policy_role_label(p), p->user, what, why);
	return -1;
}

int
policy_log(const struct policy *p, const char *action, const char *conn_id,
    const char *detail, struct err *e)
{
	cJSON *o = NULL;
	char *line = NULL, when[32];
	struct tm tm;
	time_t now = time(NULL);
	int fd = -1, rc = -1;
	size_t len;

	if (p->log_path[0] == '\0')
		return 0;
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "time", when) == NULL ||
	    cJSON_AddStringToObject(o, "user", p->user) == NULL ||
	    cJSON_AddStringToObject(o, "role", policy_role_label(p)) == NULL ||
	    cJSON_AddStringToObject(o, "action", action) == NULL ||
	    (conn_id != NULL && cJSON_AddStringToObject(o, "conn_id",
	    conn_id) == NULL) ||
	    (detail != NULL && cJSON_AddStringToObject(o, "detail",
	    detail) == NULL) ||
	    (line = cJSON_PrintUnformatted(o)) == NULL) {
		err_nomem(e);
		goto out;
	}
	fd = open(p->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fd < 0) {
		err_set(e, ERR_IO, "cannot write the action log '%s': %s",
		    p->log_path, strerror(errno));
		goto out;
	}
	len = strlen(line);
	line[len] = '\n';	/* replaces the NUL; written with its length */
	if (write(fd, line, len + 1) != (ssize_t)(len + 1)) {
		err_set(e, ERR_IO, "cannot write the action log '%s': %s",
		    p->log_path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	cJSON_free(line);
	cJSON_Delete(o);
	return rc;
}
