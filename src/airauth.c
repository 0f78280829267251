/*
 * airauth.c: roles from Airflow itself (see airauth.h): the person's
 * Airflow user from FAB's tables (through store_fab_*()) or from
 * SimpleAuthManager's configuration, and the check of their Airflow
 * password in werkzeug's formats or against SimpleAuthManager's passwords
 * file. Derivations are OpenSSL's (PKCS5_PBKDF2_HMAC, EVP_PBE_scrypt),
 * comparisons CRYPTO_memcmp; passwords and hashes stay in locked memory or
 * are wiped.
 */
#include "config.h"

#include "airauth.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "buf.h"

#define ALL_RIGHTS ((1u << POLICY_RIGHT_MAX) - 1)

/* -- which auth manager --------------------------------------------------- */

static int
manager(struct config *cfg, struct store *s, enum policy_from *out,
    struct err *e)
{
	struct config_value v;

	if (config_get(cfg, "core", "auth_manager", &v, e) != 0)
		return -1;
	if (v.value == NULL || *v.value == '\0') {
		*out = store_airflow_version(s)->major >= 3 ? POLICY_FROM_SIMPLE :
		    POLICY_FROM_FAB;
		return 0;
	}
	if (strstr(v.value, "SimpleAuthManager") != NULL)
		*out = POLICY_FROM_SIMPLE;
	else if (strstr(v.value, "FabAuthManager") != NULL)
		*out = POLICY_FROM_FAB;
	else {
		err_set(e, ERR_CONFIG, "[console] role_source = airflow: [core] "
		    "auth_manager = %s is neither FAB's nor SimpleAuthManager, "
		    "the two whose users ferncon reads", v.value);
		return -1;
	}
	return 0;
}

/* -- FAB ------------------------------------------------------------------ */

static void
add_role(struct policy_airflow *af, const char *name)
{
	size_t n = strlen(af->roles);

	snprintf(af->roles + n, sizeof af->roles - n, "%s%s", n ? ", " : "",
	    name);
}

static int
fab_user_row(void *arg, const char *const *cols, int n, struct err *e)
{
	struct policy_airflow *af = arg;

	(void)e;
	af->found = 1;
	af->active = n > 1 && cols[1] != NULL && strcmp(cols[1], "1") == 0;
	return 0;
}

static int
fab_role_row(void *arg, const char *const *cols, int n, struct err *e)
{
	struct policy_airflow *af = arg;

	(void)e;
	if (n < 1 || cols[0] == NULL)
		return 0;
	add_role(af, cols[0]);
	/* FAB's AUTH_ROLE_ADMIN, "Admin" in Airflow's webserver_config. */
	if (strcmp(cols[0], "Admin") == 0)
		af->admin = 1;
	return 0;
}

static int
fab_perm_row(void *arg, const char *const *cols, int n, struct err *e)
{
	static const char *const perms[] = {
		"can_read", "can_create", "can_edit", "can_delete",
	};
	struct policy_airflow *af = arg;
	unsigned base;
	size_t i;

	(void)e;
	if (n < 2 || cols[0] == NULL || cols[1] == NULL)
		return 0;
	if (strcmp(cols[1], "Connections") == 0)
		base = POLICY_CONN_READ;
	else if (strcmp(cols[1], "Variables") == 0)
		base = POLICY_VAR_READ;
	else
		return 0;
	for (i = 0; i < sizeof perms / sizeof perms[0]; i++)
		if (strcmp(cols[0], perms[i]) == 0)
			af->rights |= 1u << (base + i);
	return 0;
}

static int
load_fab(struct store *s, const char *name, struct policy_airflow *af,
    struct err *e)
{
	if (!store_fab_present(s)) {
		err_set(e, ERR_CONFIG, "[console] role_source = airflow, but "
		    "database '%s' has no FAB tables (ab_user, ab_role, "
		    "ab_user_role, ab_permission, ab_view_menu, "
		    "ab_permission_view, ab_permission_view_role): set [core] "
		    "auth_manager to the one Airflow uses, or role_source = map",
		    store_name(s));
		return -1;
	}
	if (store_fab_user(s, name, fab_user_row, af, e) != 0)
		return -1;
	if (!af->found)
		return 0;
	if (store_fab_roles(s, name, fab_role_row, af, e) != 0 ||
	    store_fab_perms(s, name, fab_perm_row, af, e) != 0)
		return -1;
	return 0;
}

/* -- SimpleAuthManager ---------------------------------------------------- */

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/*
 * Airflow's get_users(): getlist() splits on commas; each item splits on
 * ':' into user, role (and, with multi-team, teams). The role is one of
 * SimpleAuthManagerRole by its upper-cased name.
 */
static int
load_simple(struct config *cfg, const char *name, struct policy_airflow *af,
    struct err *e)
{
	static const char *const roles[] = { "VIEWER", "USER", "OP", "ADMIN" };
	struct config_value v;
	char *copy, *save = NULL, *item;
	int all = 0, rc = 0;

	if (config_get_bool(cfg, "core", "simple_auth_manager_all_admins", 0,
	    &all, e) != 0 ||
	    config_get(cfg, "core", "simple_auth_manager_users", &v, e) != 0)
		return -1;
	if (all) {
		af->found = af->active = af->admin = 1;
		af->rights = ALL_RIGHTS;
		snprintf(af->roles, sizeof af->roles, "admin "
		    "(simple_auth_manager_all_admins)");
		return 0;
	}
	if ((copy = strdup(v.value != NULL ? v.value : "admin:admin")) == NULL) {
		err_nomem(e);
		return -1;
	}
	for (item = strtok_r(copy, ",", &save); item != NULL;
	    item = strtok_r(NULL, ",", &save)) {
		char *user, *role, *teams, *extra;
		size_t r, nroles = sizeof roles / sizeof roles[0];

		item = trim(item);
		if (*item == '\0')
			continue;
		user = item;
		role = strchr(user, ':');
		teams = role ? strchr(role + 1, ':') : NULL;
		extra = teams ? strchr(teams + 1, ':') : NULL;
		if (role == NULL || extra != NULL) {
			err_set(e, ERR_CONFIG, "[core] simple_auth_manager_users: "
			    "'%s' is not user:role", item);
			rc = -1;
			break;
		}
		*role++ = '\0';
		if (teams != NULL)
			*teams = '\0';
		for (r = 0; r < nroles; r++)
			if (strcasecmp(role, roles[r]) == 0)
				break;
		if (r == nroles) {
			err_set(e, ERR_CONFIG, "[core] simple_auth_manager_users: "
			    "unknown role '%s' for '%s' (viewer, user, op or "
			    "admin)", role, user);
			rc = -1;
			break;
		}
		if (af->found || strcmp(user, name) != 0)
			continue;
		af->found = af->active = 1;
		snprintf(af->roles, sizeof af->roles, "%s", role);
		/* is_authorized_connection/_variable: OP, no GET exception. */
		af->rights = r >= 2 ? ALL_RIGHTS : 0;
		af->admin = r == 3;
	}
	free(copy);
	return rc;
}

int
airauth_load(struct config *cfg, struct store *s, const char *name,
    struct policy_airflow *af, struct err *e)
{
	memset(af, 0, sizeof *af);
	snprintf(af->user, sizeof af->user, "%s", name);
	if (manager(cfg, s, &af->from, e) != 0)
		return -1;
	if (af->from == POLICY_FROM_FAB)
		return load_fab(s, name, af, e);
	return load_simple(cfg, name, af, e);
}

/* -- passwords ------------------------------------------------------------ */

int
airauth_login_required(struct config *cfg, int *on, struct err *e)
{
	struct config_value v;

	*on = 0;
	if (config_get(cfg, "console", "airflow_login", &v, e) != 0)
		return -1;
	if (v.value == NULL || *v.value == '\0' || strcasecmp(v.value,
	    "off") == 0 || strcasecmp(v.value, "none") == 0)
		return 0;
	if (strcasecmp(v.value, "password") != 0) {
		err_set(e, ERR_CONFIG, "[console] airflow_login: '%s' is neither "
		    "password nor off", v.value);
		return -1;
	}
	*on = 1;
	return 0;
}

/* A decimal in [1, max]; -1 when not one. */
static long
number(const char *s, size_t len, long max)
{
	char tmp[24], *end;
	long v;

	if (len == 0 || len >= sizeof tmp || s[0] < '0' || s[0] > '9')
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	errno = 0;
	v = strtol(tmp, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > max)
		return -1;
	return v;
}

static int
bad_hash(const char *why, struct err *e)
{
	err_set(e, ERR_CONFIG, "the Airflow user's password hash is not one "
	    "werkzeug makes (%s)", why);
	return -1;
}

int
airauth_werkzeug_check(const char *hash, const char *password, size_t len,
    int *ok, struct err *e)
{
	const char *d1, *d2, *method, *salt, *hex, *args;
	unsigned char want[128], got[128];
	size_t mlen, saltlen, wantlen = 0, dklen;
	int rc = -1;

	*ok = 0;
	if ((d1 = strchr(hash, '$')) == NULL ||
	    (d2 = strchr(d1 + 1, '$')) == NULL)
		return bad_hash("method$salt$hash", e);
	method = hash;
	mlen = (size_t)(d1 - hash);
	salt = d1 + 1;
	saltlen = (size_t)(d2 - salt);
	hex = d2 + 1;
	if (saltlen == 0)
		return bad_hash("no salt", e);
	if (sodium_hex2bin(want, sizeof want, hex, strlen(hex), NULL, &wantlen,
	    NULL) != 0 || wantlen == 0)
		return bad_hash("the hash is not hex", e);
	if (mlen > 7 && strncmp(method, "pbkdf2:", 7) == 0) {
		char mdname[32];
		const EVP_MD *md;
		const char *colon;
		size_t nlen;
		long iter = 260000;	/* werkzeug 2.2 DEFAULT_PBKDF2_ITERATIONS */

		args = method + 7;
		colon = memchr(args, ':', mlen - 7);
		nlen = colon ? (size_t)(colon - args) : mlen - 7;
		if (nlen == 0 || nlen >= sizeof mdname)
			return bad_hash("pbkdf2 digest", e);
		memcpy(mdname, args, nlen);
		mdname[nlen] = '\0';
		if (colon != NULL && (iter = number(colon + 1, (size_t)(method +
		    mlen - colon - 1), INT_MAX)) < 0)
			return bad_hash("pbkdf2 iterations", e);
		if ((md = EVP_get_digestbyname(mdname)) == NULL)
			return bad_hash("unknown pbkdf2 digest", e);
		dklen = (size_t)EVP_MD_size(md);
		if (dklen != wantlen || dklen > sizeof got)
			return bad_hash("hash length", e);
		if (PKCS5_PBKDF2_HMAC(password, (int)len, (const unsigned char *)
		    salt, (int)saltlen, (int)iter, md, (int)dklen, got) != 1) {
			err_set(e, ERR_NOMEM, "PBKDF2 failed");
			goto out;
		}
	} else if ((mlen == 6 || (mlen > 7 && method[6] == ':')) &&
	    strncmp(method, "scrypt", 6) == 0) {
		long n = 32768, r = 8, p = 1;
		const char *a, *b;

		if (mlen > 6) {
			a = memchr(method + 7, ':', mlen - 7);
			b = a ? memchr(a + 1, ':', (size_t)(method + mlen - a - 1)) :
			    NULL;
			if (a == NULL || b == NULL ||
			    (n = number(method + 7, (size_t)(a - method - 7),
			    1L << 30)) < 0 ||
			    (r = number(a + 1, (size_t)(b - a - 1), 1024)) < 0 ||
			    (p = number(b + 1, (size_t)(method + mlen - b - 1),
			    1024)) < 0)
				return bad_hash("scrypt:n:r:p", e);
		}
		dklen = 64;
		if (wantlen != dklen)
			return bad_hash("hash length", e);
		/* werkzeug's maxmem, 132 * n * r * p; refused above 1 GiB. */
		if ((double)n * r * p * 132 > (double)(1UL << 30))
			return bad_hash("scrypt cost above 1 GiB", e);
		if (EVP_PBE_scrypt(password, len, (const unsigned char *)salt,
		    saltlen, (uint64_t)n, (uint64_t)r, (uint64_t)p,
		    (uint64_t)(132UL * (unsigned long)n * (unsigned long)r *
		    (unsigned long)p), got, dklen) != 1) {
			err_set(e, ERR_CONFIG, "scrypt with n=%ld r=%ld p=%ld "
			    "failed", n, r, p);
			goto out;
		}
	} else
		return bad_hash("neither pbkdf2 nor scrypt", e);
	*ok = CRYPTO_memcmp(got, want, dklen) == 0;
	rc = 0;
out:
	sodium_memzero(got, sizeof got);
	sodium_memzero(want, sizeof want);
	return rc;
}

static int
copy_hash(void *arg, const char *const *cols, int n, struct err *e)
{
	struct buf *b = arg;

	if (n >= 1 && cols[0] != NULL)
		buf_adds(b, cols[0]);
	return buf_check(b, e);
}

/* SimpleAuthManager's get_generated_password_file(). */
static int
simple_password(struct config *cfg, const struct policy_airflow *af,
    const char *password, size_t len, int *ok, struct err *e)
{
	struct config_value v;
	struct buf text;
	char *path = NULL;
	cJSON *root = NULL, *item;
	int rc = -1;
	size_t plen;

	buf_init(&text, 1);
	if (config_get(cfg, "core", "simple_auth_manager_passwords_file", &v,
	    e) != 0)
		goto out;
	if (v.value != NULL && *v.value != '\0')
		path = strdup(v.value);
	else if (asprintf(&path, "%s/simple_auth_manager_passwords.json"
	    ".generated", config_airflow_home(cfg)) < 0)
		path = NULL;
	if (path == NULL) {
		err_nomem(e);
		goto out;
	}
	if (buf_read_file(&text, path, "SimpleAuthManager's passwords file",
	    1 << 20, ERR_CONFIG, NULL, e) != 0)
		goto out;
	if ((root = cJSON_Parse(buf_str(&text))) == NULL ||
	    !cJSON_IsObject(root)) {
		err_set(e, ERR_CONFIG, "SimpleAuthManager's passwords file '%s' "
		    "is not a JSON object", path);
		goto out;
	}
	item = cJSON_GetObjectItemCaseSensitive(root, af->user);
	if (!cJSON_IsString(item)) {
		err_set(e, ERR_CONFIG, "SimpleAuthManager's passwords file '%s' "
		    "has no password for %s (the API server writes it when it "
		    "starts)", path, af->user);
		goto out;
	}
	plen = strlen(item->valuestring);
	*ok = plen == len && CRYPTO_memcmp(item->valuestring, password,
	    len) == 0;
	rc = 0;
out:
	cJSON_Delete(root);
	free(path);
	buf_release(&text);
	return rc;
}

int
airauth_check_password(struct config *cfg, struct store *s,
    const struct policy_airflow *af, const char *password, size_t len,
    int *ok, struct err *e)
{
	struct buf hash;
	int rc = -1;

	*ok = 0;
	if (!af->found) {
		err_set(e, ERR_DENIED, "there is no Airflow user %s", af->user);
		return -1;
	}
	if (af->from == POLICY_FROM_SIMPLE)
		return simple_password(cfg, af, password, len, ok, e);
	buf_init(&hash, 1);
	if (store_fab_password(s, af->user, copy_hash, &hash, e) != 0)
		goto out;
	if (*buf_str(&hash) == '\0') {
		err_set(e, ERR_CONFIG, "Airflow user %s has no password in "
		    "ab_user (an LDAP, OAuth or remote user): password login "
		    "cannot serve them; ask for role_source = map or for "
		    "airflow_login = off", af->user);
		goto out;
	}
	rc = airauth_werkzeug_check(buf_str(&hash), password, len, ok, e);
out:
	buf_release(&hash);
	return rc;
}
