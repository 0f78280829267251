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

static int
find_user(char *user, size_t len, struct err *e)
{
	const char *sudo = getenv("SUDO_USER");
	struct passwd *pw;

	if (sudo != NULL && *sudo != '\0') {
		snprintf(user, len, "%s", sudo);
		return 0;
	}
	if ((pw = getpwuid(getuid())) == NULL) {
		err_set(e, ERR_CONFIG, "cannot find the login name of uid %u",
		    (unsigned)getuid());
		return -1;
	}
	snprintf(user, len, "%s", pw->pw_name);
	return 0;
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

/* Look user up in "alice:Admin, bob:Op"; 1 found, 0 not, -1 malformed. */
static int
map_lookup(const char *map, const char *user, enum role *role, struct err *e)
{
	char *copy = strdup(map), *save = NULL, *item;
	int found = 0, rc = 0;

	if (copy == NULL) {
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
		if (!found && strcmp(name, user) == 0) {
			*role = r;
			found = 1;
		}
	}
	free(copy);
	return rc < 0 ? -1 : found;
}

int
policy_load(struct policy *p, struct config *cfg, const char *as_role,
    struct err *e)
{
	struct config_value roles, def, log;
	enum role r = ROLE_VIEWER;
	int found;

	memset(p, 0, sizeof *p);
	if (find_user(p->user, sizeof p->user, e) != 0 ||
	    config_get(cfg, "console", "roles", &roles, e) != 0 ||
	    config_get_bool(cfg, "webserver", "show_connection_password", 0,
	    &p->show_password, e) != 0 ||
	    config_get(cfg, "console", "action_log", &log, e) != 0)
		return -1;
	snprintf(p->log_path, sizeof p->log_path, "%s", log.value ? log.value : "");
	if (roles.value == NULL || *trim((char *)roles.value) == '\0') {
		p->own_role = ROLE_ADMIN;
	} else {
		p->from_map = 1;
		if ((found = map_lookup(roles.value, p->user, &r, e)) < 0)
			return -1;
		if (found) {
			p->own_role = r;
		} else {
			if (config_get(cfg, "console", "default_role", &def, e) != 0)
				return -1;
			if (policy_role_parse(def.value ? def.value : "Viewer",
			    &p->own_role) != 0) {
				err_set(e, ERR_CONFIG, "[console] default_role: unknown "
				    "role '%s' (Viewer, User, Op or Admin)", def.value);
				return -1;
			}
		}
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
