/*
 * demo.c: write a demo AIRFLOW_HOME (see demo.h). The DB is created from
 * data/schema-3.2.sql with SQLite, then filled through the store and
 * conn_seal(), the same path every other ferncon write takes, with a
 * different ring per storage class (the old and lost rings stamp their
 * tokens in the past, as if written then). The "lost" key is generated,
 * used and wiped: nothing can open those rows again.
 */
#include "config.h"

#include "demo.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>
#include <sqlite3.h>

#include "buf.h"
#include "conn.h"
#include "keyring.h"
#include "store.h"

#define MARKER ".ferncon-demo"

enum ring { RING_PRIMARY, RING_OLD, RING_PLAIN, RING_LOST, RING_MAX };

static int
file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

const char *
demo_datadir(void)
{
	const char *env = getenv("FERNCON_DATADIR");

	if (env != NULL && *env != '\0')
		return env;
	if (file_exists(DATADIR "/schema-3.2.sql"))
		return DATADIR;
	return SRCDATADIR;
}

void
demo_hints(char *prog, size_t progsz, char *man, size_t mansz)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	if (n > 0)
		self[n] = '\0';
	if (n <= 0 || strcmp(self, BINDIR "/ferncon") == 0) {
		snprintf(prog, progsz, "ferncon");
		snprintf(man, mansz, "man ferncon");
		return;
	}
	snprintf(prog, progsz, "%s", self);
	if (realpath(SRCMANPAGE, self) != NULL && file_exists(self))
		snprintf(man, mansz, "man %s", self);
	else
		snprintf(man, mansz, "man ferncon");
}

#define DEMO_MAX_FILE	((size_t)1 << 20)	/* data/ files are a few KiB */

/* The whole file as a new string (caller frees), or NULL with e set. */
static char *
read_file(const char *path, struct err *e)
{
	struct buf b;
	char *text = NULL;

	buf_init(&b, 0);
	if (buf_read_file(&b, path, NULL, DEMO_MAX_FILE, ERR_IO, NULL, e) == 0 &&
	    (text = buf_detach(&b, NULL)) == NULL)
		err_nomem(e);
	buf_release(&b);
	return text;
}

static cJSON *
read_json(const char *dir, const char *name, struct err *e)
{
	char path[4096];
	char *text;
	cJSON *j;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((text = read_file(path, e)) == NULL)
		return NULL;
	j = cJSON_Parse(text);
	free(text);
	if (j == NULL || !cJSON_IsArray(j)) {
		cJSON_Delete(j);
		err_set(e, ERR_IO, "'%s' is not a JSON array", path);
		return NULL;
	}
	return j;
}

/*
 * A new file of ours at path, created exclusively (an earlier one of the
 * demo, in a directory only we can write, is removed first). The fd, or
 * -1 with e set.
 */
static int
create_new(const char *path, struct err *e)
{
	int fd;

	if (unlink(path) != 0 && errno != ENOENT) {
		err_set(e, ERR_IO, "cannot replace '%s': %s", path,
		    strerror(errno));
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		err_set(e, ERR_IO, "cannot create '%s': %s", path,
		    strerror(errno));
	return fd;
}

/*
 * An existing directory nobody else could have put files in: ours, not a
 * link, writable by nobody else. 0, or -1 with e set to one line.
 */
static int
check_dir(const char *dir, struct err *e)
{
	struct stat st;
	const char *why = NULL;

	if (lstat(dir, &st) != 0) {
		err_set(e, ERR_IO, "cannot open '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode))
		why = "is a symbolic link";
	else if (!S_ISDIR(st.st_mode))
		why = "is not a directory";
	else if (st.st_uid != geteuid())
		why = "belongs to another user";
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		why = "is writable by other users";
	if (why == NULL)
		return 0;
	err_set(e, ERR_USAGE, "'%s' %s: ferncon did not make it; name a new "
	    "directory", dir, why);
	return -1;
}

/* Refuse a directory with other people's files in it. */
static int
prepare_dir(const char *dir, struct err *e)
{
	char marker[4096];
	DIR *d;
	struct dirent *de;
	int empty = 1, fd;

	if (mkdir(dir, 0700) == 0)
		goto mark;
	if (errno != EEXIST) {
		err_set(e, ERR_IO, "cannot create '%s': %s", dir, strerror(errno));
		return -1;
	}
	if (check_dir(dir, e) != 0)
		return -1;
	if ((size_t)snprintf(marker, sizeof marker, "%s/" MARKER, dir) >=
	    sizeof marker) {
		err_set(e, ERR_USAGE, "'%s': the name is too long", dir);
		return -1;
	}
	if (file_exists(marker))
		return 0;
	if ((d = opendir(dir)) == NULL) {
		err_set(e, ERR_IO, "cannot open '%s': %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	if (!empty) {
		err_set(e, ERR_USAGE, "'%s' is not empty and is not a ferncon demo: "
		    "name a new directory", dir);
		return -1;
	}
mark:
	if ((size_t)snprintf(marker, sizeof marker, "%s/" MARKER, dir) >=
	    sizeof marker) {
		err_set(e, ERR_USAGE, "'%s': the name is too long", dir);
		return -1;
	}
	if ((fd = create_new(marker, e)) < 0)
		return -1;
	close(fd);
	return 0;
}

static int
write_cfg(const char *path, const char *newk, const char *oldk,
    const char *dbpath, struct err *e)
{
	struct buf b;
	int fd, rc = -1;

	buf_init(&b, 1);
	buf_addf(&b,
	    "# airflow.cfg of a ferncon demo (made by `ferncon demo`).\n"
	    "# The keys below are for demo data only.\n"
	    "\n"
	    "[core]\n"
	    "# The key ring: the first key encrypts, every key decrypts. The\n"
	    "# second is the old key, still needed by the rows not yet rotated.\n"
	    "fernet_key = %s,%s\n"
	    "\n"
	    "[database]\n"
	    "sql_alchemy_conn = sqlite:///%s\n"
	    "\n"
	    "[webserver]\n"
	    "# Not an Airflow option: lets the Op role reveal passwords in ferncon.\n"
	    "show_connection_password = False\n"
	    "\n"
	    "[console]\n"
	    "# Roles by Unix login; with none set, the local user is Admin.\n"
	    "# roles = alice:Admin, bob:Op, carol:Viewer\n"
	    "default_role = Viewer\n"
	    "rotation_max_age_days = 90\n", newk, oldk, dbpath);
	if (buf_check(&b, e) != 0)
		goto out;
	if ((fd = create_new(path, e)) < 0)
		goto out;
	if (write(fd, buf_str(&b), b.len) != (ssize_t)b.len) {
		err_set(e, ERR_IO, "cannot write '%s': %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) != 0) {
		err_set(e, ERR_IO, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	buf_release(&b);
	return rc;
}

static int
create_db(const char *path, const char *schema_path, struct err *e)
{
	sqlite3 *db = NULL;
	char *sql, *msg = NULL;
	int fd, rc;

	if ((sql = read_file(schema_path, e)) == NULL)
		return -1;
	/* An empty file of ours first: SQLite then only opens it. */
	if ((fd = create_new(path, e)) < 0) {
		free(sql);
		return -1;
	}
	close(fd);
	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		err_set(e, ERR_DB, "cannot create '%s': %s", path,
		    msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	sqlite3_close(db);
	free(sql);
	return rc == SQLITE_OK ? 0 : -1;
}

static enum ring
storage_of(const cJSON *item)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(item, "storage");
	const char *v = cJSON_IsString(s) ? s->valuestring : "primary";

	if (strcmp(v, "old") == 0)
		return RING_OLD;
	if (strcmp(v, "plain") == 0)
		return RING_PLAIN;
	if (strcmp(v, "lost") == 0)
		return RING_LOST;
	return RING_PRIMARY;
}

static const char *
str_of(const cJSON *item, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(item, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* n values stored under ring. */
static void
count_values(struct demo_result *r, enum ring ring, size_t n)
{
	r->plain += ring == RING_PLAIN ? n : 0;
	r->old += ring == RING_OLD ? n : 0;
	r->lost += ring == RING_LOST ? n : 0;
}

static int
add_connections(struct store *s, cJSON *list, struct keyring **rings,
    struct demo_result *r, struct err *e)
{
	static const char *const names[] = { "conn_id", "conn_type",
	    "description", "host", "schema", "login", "password", "extra" };
	const cJSON *item, *port;
	struct conn *c = conn_new();
	size_t i, vals;
	int rc = -1;

	if (c == NULL) {
		err_nomem(e);
		return -1;
	}
	cJSON_ArrayForEach(item, list) {
		char **slots[] = { &c->conn_id, &c->conn_type, &c->description,
		    &c->host, &c->schema, &c->login, &c->password, &c->extra };
		enum ring ring = storage_of(item);

		conn_reset(c);
		for (i = 0; i < ARRAY_LEN(names); i++)
			if (conn_set_str(c, slots[i], str_of(item, names[i]), e) != 0)
				goto out;
		port = cJSON_GetObjectItemCaseSensitive(item, "port");
		if (cJSON_IsNumber(port)) {
			c->has_port = 1;
			c->port = (long)port->valuedouble;
		}
		/* Values as key status counts them: an empty one is not stored. */
		vals = (size_t)(c->password_len > 0) +
		    (size_t)(c->extra != NULL && *c->extra != '\0');
		if (conn_seal(c, NULL, rings[ring], e) != 0 ||
		    store_conn_insert(s, c, e) != 0)
			goto out;
		r->connections++;
		count_values(r, ring, vals);
	}
	rc = 0;
out:
	conn_free(c);
	return rc;
}

static int
add_variables(struct store *s, cJSON *list, struct keyring **rings,
    struct demo_result *r, struct err *e)
{
	const cJSON *item;
	char *tok = NULL;
	int rc = -1;

	cJSON_ArrayForEach(item, list) {
		const char *key = str_of(item, "key"), *val = str_of(item, "val");
		struct keyring *kr = rings[storage_of(item)];
		size_t len, cap, toklen = 0;

		if (key == NULL || val == NULL)
			continue;
		len = strlen(val);
		if (!keyring_enabled(kr)) {
			if (store_var_insert(s, key, val, len, 0,
			    str_of(item, "description"), e) != 0)
				goto out;
		} else {
			cap = fernet_token_len(len) + 1;
			free(tok);
			if ((tok = malloc(cap)) == NULL) {
				err_nomem(e);
				goto out;
			}
			if (keyring_encrypt(kr, val, len, tok, cap, &toklen, e) != 0 ||
			    store_var_insert(s, key, tok, toklen, 1,
			    str_of(item, "description"), e) != 0)
				goto out;
		}
		r->variables++;
		count_values(r, storage_of(item), keyring_enabled(kr) || len > 0);
	}
	rc = 0;
out:
	free(tok);
	return rc;
}

int
demo_create(const char *dir, struct demo_result *out, struct err *e)
{
	char keys[RING_MAX][FERNET_KEY_B64LEN + 1];
	char cfg[4096], db[4096], schema[4096], url[4200];
	struct keyring *rings[RING_MAX] = { NULL, NULL, NULL, NULL };
	struct store *s = NULL;
	cJSON *conns = NULL, *vars = NULL;
	const char *data = demo_datadir();
	char *absdir = NULL;
	int i, rc = -1;

	memset(out, 0, sizeof *out);
	if (dir == NULL) {
		const char *tmp = getenv("TMPDIR");

		snprintf(out->dir, sizeof out->dir, "%s/ferncon-demo-XXXXXX",
		    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
		if (mkdtemp(out->dir) == NULL) {
			err_set(e, ERR_IO, "cannot create '%s': %s", out->dir,
			    strerror(errno));
			return -1;
		}
		dir = out->dir;
	}
	if (prepare_dir(dir, e) != 0)
		return -1;
	if ((absdir = realpath(dir, NULL)) == NULL) {
		err_set(e, ERR_IO, "cannot resolve '%s': %s", dir, strerror(errno));
		return -1;
	}
	snprintf(out->dir, sizeof out->dir, "%s", absdir);
	snprintf(cfg, sizeof cfg, "%s/airflow.cfg", absdir);
	snprintf(db, sizeof db, "%s/airflow.db", absdir);
	snprintf(schema, sizeof schema, "%s/schema-3.2.sql", data);
	snprintf(url, sizeof url, "sqlite:///%s", db);

	if ((conns = read_json(data, "demo-connections.json", e)) == NULL ||
	    (vars = read_json(data, "demo-variables.json", e)) == NULL)
		goto out;
	for (i = 0; i < RING_MAX; i++) {
		if (i == RING_PLAIN)
			keys[i][0] = '\0';
		else
			keyring_generate(keys[i]);
		if (keyring_parse(&rings[i], keys[i], strlen(keys[i]), NULL, e) != 0)
			goto out;
	}
	/* Values under the old key were written 400 days ago; the lost key
	 * is from 2021. Key status and the audit show these ages. */
	keyring_set_time(rings[RING_OLD], (uint64_t)time(NULL) - 400 * 86400);
	keyring_set_time(rings[RING_LOST], 1615766400);	/* 2021-03-15 */
	if (write_cfg(cfg, keys[RING_PRIMARY], keys[RING_OLD], db, e) != 0 ||
	    create_db(db, schema, e) != 0 ||
	    store_open(&s, url, NULL, e) != 0 || store_begin(s, e) != 0 ||
	    add_connections(s, conns, rings, out, e) != 0 ||
	    add_variables(s, vars, rings, out, e) != 0 ||
	    store_commit(s, e) != 0)
		goto out;
	rc = 0;
out:
	store_close(s);
	for (i = 0; i < RING_MAX; i++)
		keyring_free(rings[i]);
	sodium_memzero(keys, sizeof keys);
	cJSON_Delete(conns);
	cJSON_Delete(vars);
	free(absdir);
	return rc;
}
