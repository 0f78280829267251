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
 * Look user up in "alice:Admin, bob:Op"; 1 found, 0 not, -1 malformed (a
 * login listed twice too: which role was meant cannot be told).
 */
static int
map_lookup(const char *map, const char *user, enum role *role, struct err *e)
{
	char *copy = strdup(map), *save = NULL, *item, **seen = NULL;
	size_t nseen = 0;
	int found = 0, rc = 0;

	if (copy == NULL ||
	    (seen = calloc(strlen(map) / 2 + 1, sizeof *seen)) == NULL) {
		free(copy);
		err_nomem(e);
		return -1;
	}
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		char *colon, *name, *rname;
		enum role r;

		item = trim(item);
		if (*item == '\0')
			continue;
		if ((colon = strchr(item, ':')) == NULL) {
			err_set(e, ERR_CONFIG, "[console] roles: '%s' is not "
			    "user:Role", item);
			rc = -1;
			break;
		}
		*colon = '\0';
		name = trim(item);
		rname = trim(colon + 1);
		if (policy_role_parse(rname, &r) != 0) {
			err_set(e, ERR_CONFIG, "[console] roles: unknown role '%s' "
			    "for '%s' (Viewer, User, Op or Admin)", rname, name);
			rc = -1;
			break;
		}
		if (seen_before(seen, nseen, name)) {
			err_set(e, ERR_CONFIG, "[console] roles: '%s' is listed more "
			    "than once", name);
			rc = -1;
			break;
		}
		seen[nseen++] = name;
		if (strcmp(name, user) == 0) {
			*role = r;
			found = 1;
		}
	}
	free(seen);
	free(copy);
	return rc < 0 ? -1 : found;
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
	struct config_value roles, log;
	enum role r = ROLE_VIEWER;
	int found;

	memset(p, 0, sizeof *p);
	if (id != NULL)
		p->id = *id;
	else if (policy_identify(NULL, &p->id, e) != 0)
		return -1;
	snprintf(p->user, sizeof p->user, "%s", p->id.login);
	if (config_get(cfg, "console", "roles", &roles, e) != 0 ||
	    config_get_bool(cfg, "webserver", "show_connection_password", 0,
	    &p->show_password, e) != 0 ||
	    config_get(cfg, "console", "action_log", &log, e) != 0)
		return -1;
	snprintf(p->log_path, sizeof p->log_path, "%s", log.value ? log.value : "");
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
		if (policy_role_parse(as_role, &r) != 0) {
			err_set(e, ERR_USAGE, "--as-role: unknown role '%s' (Viewer, "
			    "User, Op or Admin)", as_role);
			return -1;
		}
		if (r > p->own_role) {
			err_set(e, ERR_USAGE, "--as-role may only lower a role: %s is "
			    "%s, not %s", p->user, role_names[p->own_role],
			    role_names[r]);
			return -1;
		}
		p->lowered = r < p->own_role;
		p->role = r;
	}
	return 0;
}

const char *
policy_role_reason(const struct policy *p)
{
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

int
policy_allows(const struct policy *p, enum policy_action a, const char **why)
{
	const char *reason = NULL;

	switch (a) {
	case POLICY_LIST:
	case POLICY_AUDIT:
		return 1;
	case POLICY_REVEAL:
	case POLICY_EXPORT:
		if (p->role == ROLE_ADMIN)
			return 1;
		if (p->role == ROLE_OP && p->show_password)
			return 1;
		reason = p->role == ROLE_OP ? "Op may do this only when [webserver] "
		    "show_connection_password is True" : "only Op (with "
		    "show_connection_password) and Admin may";
		break;
	case POLICY_EDIT:
		if (p->role >= ROLE_OP)
			return 1;
		reason = "only Op and Admin may change connections";
		break;
	case POLICY_ADMIN:
		if (p->role == ROLE_ADMIN)
			return 1;
		reason = "only Admin may manage encryption and keys";
		break;
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
	err_set(e, ERR_DENIED, "role %s (%s) may not %s: %s", role_names[p->role],
	    p->user, what, why);
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
	    cJSON_AddStringToObject(o, "role", role_names[p->role]) == NULL ||
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
