/*
 * test_session_conn.c: the connection use cases of the session
 * (src/session_conn.c) on a real Airflow DB, with the role taken from a
 * temporary airflow.cfg (`[console] roles` naming our login, --as-role
 * lowering it, show_connection_password on or off). For each use case:
 * refused, it is ERR_DENIED, the DB is unchanged (every secret and flag
 * compared) and the action log gets nothing; allowed, the change is made
 * and the log gets exactly one line (user, role, action, conn_id, detail)
 * per action; a row refused half-way by a trigger leaves the DB as it was
 * and logs nothing, since the action is one transaction.
 */
#include "config.h"

#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "conn.h"
#include "err.h"
#include "fernet.h"
#include "keyring.h"
#include "mask.h"
#include "pyjson.h"
#include "session.h"
#include "sessfx.h"
#include "testdb.h"

static int
setup(void **state)
{
	return sfx_setup(state, "3.2");
}

/*
 * A new session for our login with role, show_connection_password show,
 * and --as-role as_role (NULL: none).
 */
static struct session *
open_as(struct sfx *f, const char *role, int show, const char *as_role)
{
	struct session *s = sfx_open(f, role, show);

	s->as_role = as_role;
	return s;
}

/* The one line of the log since before (a line count): its fields checked. */
static void
assert_logged(struct sfx *f, int before, const char *role, const char *action,
    const char *conn_id, const char *detail)
{
	char *text, *line;
	cJSON *j, *v;
	int n, i;

	text = sfx_log(f, &n);
	assert_non_null(text);
	assert_int_equal(n, before + 1);
	for (line = text, i = 0; i < before; i++)
		line = strchr(line, '\n') + 1;
	j = cJSON_Parse(line);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "user")->valuestring, f->me);
	assert_string_equal(cJSON_GetObjectItem(j, "role")->valuestring, role);
	assert_string_equal(cJSON_GetObjectItem(j, "action")->valuestring, action);
	v = cJSON_GetObjectItem(j, "conn_id");
	if (conn_id == NULL)
		assert_true(v == NULL || cJSON_IsNull(v));
	else
		assert_string_equal(v->valuestring, conn_id);
	v = cJSON_GetObjectItem(j, "detail");
	if (detail == NULL)
		assert_true(v == NULL || cJSON_IsNull(v));
	else
		assert_string_equal(v->valuestring, detail);
	cJSON_Delete(j);
	free(text);
}

static int
log_count(struct sfx *f)
{
	int n;

	free(sfx_log(f, &n));
	return n;
}

/* Two rows in plain text and one whose password and extra no key opens. */
static void
seed(struct sfx *f)
{
	char other[FERNET_KEY_B64LEN + 1], sql[2048], tok[512];
	struct keyring *kr = NULL;
	struct err e;
	size_t len;

	err_clear(&e);
	tdb_exec(&f->db, "INSERT INTO team (name) VALUES ('blue');"
	    "INSERT INTO connection (conn_id, conn_type, host, password, extra, "
	    "is_encrypted, is_extra_encrypted, team_name) VALUES ('a', 'http', "
	    "'h', 'pw-a', '{\"password\": \"s3\", \"retries\": 3, "
	    "\"big\": 12345678901234567890}', '0', '0', 'blue');"
	    "INSERT INTO connection (conn_id, conn_type, extra, is_encrypted, "
	    "is_extra_encrypted) VALUES ('b', 'http', 'not json', '0', '0');");
	keyring_generate(other);
	assert_int_equal(keyring_parse(&kr, other, strlen(other), NULL, &e), 0);
	assert_int_equal(keyring_encrypt(kr, "lost", 4, tok, sizeof tok - 1, &len,
	    &e), 0);
	tok[len] = '\0';
	keyring_free(kr);
	snprintf(sql, sizeof sql, "INSERT INTO connection (conn_id, conn_type, "
	    "password, extra, is_encrypted, is_extra_encrypted) VALUES ('u', "
	    "'http', '%s', '%s', '1', '1')", tok, tok);
	tdb_exec(&f->db, sql);
}

static char *
column(struct sfx *f, const char *col, const char *conn_id)
{
	char sql[256];

	snprintf(sql, sizeof sql, "SELECT %s FROM connection WHERE conn_id = "
	    "'%s'", col, conn_id);
	return tdb_query(&f->db, sql);
}

/* The plaintext of connection conn_id, read through the session. */
static struct conn *
read_back(struct sfx *f, const char *conn_id)
{
	struct conn *c = conn_new();

	assert_non_null(c);
	assert_int_equal(session_conn_get(f->s, conn_id, c, &f->e), 0);
	return c;
}

/* A connection to add; caller frees. */
static struct conn *
new_conn(const char *id, const char *password, const char *extra)
{
	struct conn *c = conn_new();
	struct err e;

	err_clear(&e);
	assert_non_null(c);
	assert_int_equal(conn_set_str(c, &c->conn_id, id, &e), 0);
	assert_int_equal(conn_set_str(c, &c->conn_type, "http", &e), 0);
	assert_int_equal(conn_set_str(c, &c->password, password, &e), 0);
	assert_int_equal(conn_set_str(c, &c->extra, extra, &e), 0);
	return c;
}

/* A json import file of two connections, x1 and x2. */
static char *
import_file(struct sfx *f)
{
	return tu_write(f->dir, "in.json", "{\"x1\": {\"conn_type\": \"http\", "
	    "\"password\": \"p1\"}, \"x2\": {\"conn_type\": \"http\", "
	    "\"extra\": \"{\\\"k\\\": 1}\"}}", 0600);
}

/* -- refused: nothing written, nothing logged ---------------------------- */

/* Every use case, for a role that may not: ERR_DENIED and no trace. */
static void
check_refused(struct sfx *f, int reveal, int edit, int export)
{
	struct session_save o;
	struct session_import im;
	struct session_export x;
	struct mask_view v;
	struct conn *c, *plain;
	char *before, *after, *path = import_file(f);
	int n = log_count(f);

	before = tdb_dump(&f->db);
	plain = read_back(f, "a");

	err_clear(&f->e);
	assert_int_equal(session_conn_reveal(f->s, "a", "console", &f->e),
	    reveal ? 0 : -1);
	if (!reveal) {
		assert_int_equal(f->e.code, ERR_DENIED);
		assert_non_null(strstr(f->e.msg, "may not reveal passwords"));
		err_clear(&f->e);
		assert_int_equal(session_conn_display(f->s, plain, 1, &v, &f->e),
		    -1);
		assert_int_equal(f->e.code, ERR_DENIED);
	}
	if (!edit) {
		err_clear(&f->e);
		memset(&o, 0, sizeof o);
		o.add = 1;
		c = new_conn("n", "pw", NULL);
		assert_int_equal(session_conn_save(f->s, c, &o, &f->e), -1);
		assert_int_equal(f->e.code, ERR_DENIED);
		assert_non_null(strstr(f->e.msg, "may not add connections"));
		conn_free(c);
		err_clear(&f->e);
		o.add = 0;
		o.extra = SESSION_EXTRA_STORED;
		c = new_conn("a", "new", NULL);
		assert_int_equal(session_conn_save(f->s, c, &o, &f->e), -1);
		assert_int_equal(f->e.code, ERR_DENIED);
		assert_non_null(strstr(f->e.msg, "may not edit connections"));
		conn_free(c);
		err_clear(&f->e);
		assert_int_equal(session_conn_delete(f->s, "a", NULL, &f->e), -1);
		assert_int_equal(f->e.code, ERR_DENIED);
		err_clear(&f->e);
		assert_int_equal(session_conn_import(f->s, path, 1, &im, &f->e), -1);
		assert_int_equal(f->e.code, ERR_DENIED);
		assert_int_equal(im.set.n, 0);	/* the file was not even read */
		session_import_release(&im);
	}
	if (!export) {
		err_clear(&f->e);
		memset(&x, 0, sizeof x);
		x.path = "out.json";
		assert_int_equal(session_conn_export(f->s, &x, &f->e), -1);
		assert_int_equal(f->e.code, ERR_DENIED);
		assert_non_null(strstr(f->e.msg, "may not export connections"));
	}
	after = tdb_dump(&f->db);
	assert_string_equal(before, after);
	assert_int_equal(log_count(f), n + (reveal ? 1 : 0));
	conn_free(plain);
	free(before);
	free(after);
	free(path);
}

static void
test_refused(void **state)
{
	struct sfx *f = *state;

	seed(f);
	open_as(f, "Viewer", 1, NULL);
	check_refused(f, 0, 0, 0);
	open_as(f, "User", 1, NULL);
	check_refused(f, 0, 0, 0);
	open_as(f, "Op", 0, NULL);	/* may edit, not reveal nor export */
	check_refused(f, 0, 1, 0);
	open_as(f, "Admin", 1, "viewer");	/* --as-role lowers */
	check_refused(f, 0, 0, 0);
	assert_int_equal(f->s->policy.role, ROLE_VIEWER);
	assert_null(tu_read(f->logpath, NULL));	/* nothing was ever logged */
	open_as(f, "Viewer", 1, "admin");	/* and never raises */
	err_clear(&f->e);
	assert_int_equal(session_conn_may(f->s, SESSION_CONN_ADD, &f->e), -1);
	assert_int_equal(f->e.code, ERR_USAGE);
}

/* -- display and reveal -------------------------------------------------- */

static void
test_display_reveal(void **state)
{
	struct sfx *f = *state;
	struct mask_view v;
	struct conn *a, *b;
	struct pyjson_opts po = { -1, 0, 1 };
	struct buf out;

	seed(f);
	open_as(f, "Op", 1, NULL);
	a = read_back(f, "a");
	b = read_back(f, "b");

	/* Masked for every role: *** for the password and sensitive values,
	   numbers as stored; a non-JSON extra withheld. */
	assert_int_equal(session_conn_display(f->s, a, 0, &v, &f->e), 0);
	assert_string_equal(v.conn->password, "***");
	assert_int_equal(v.extra_state, MASK_EXTRA_JSON);
	assert_int_equal(v.masked, 1);
	buf_init(&out, 0);
	assert_int_equal(pyjson_dumps(v.extra, &po, &out, &f->e), 0);
	assert_string_equal(buf_str(&out), "{\"password\": \"***\", \"retries\": 3, "
	    "\"big\": 12345678901234567890}");
	buf_release(&out);
	mask_view_release(&v);
	assert_int_equal(session_conn_display(f->s, b, 0, &v, &f->e), 0);
	assert_int_equal(v.extra_state, MASK_EXTRA_WITHHELD);
	assert_null(v.conn->extra);
	mask_view_release(&v);

	/* Reveal: logged once, then the record as it is. */
	assert_null(tu_read(f->logpath, NULL));
	assert_int_equal(session_conn_reveal(f->s, "a", "console", &f->e), 0);
	assert_logged(f, 0, "Op", "reveal", "a", "console");
	assert_int_equal(session_conn_display(f->s, a, 1, &v, &f->e), 0);
	assert_string_equal(v.conn->password, "pw-a");
	assert_int_equal(v.masked, 0);
	mask_view_release(&v);
	assert_int_equal(session_conn_reveal(f->s, NULL, "connections list",
	    &f->e), 0);
	assert_logged(f, 1, "Op", "reveal", NULL, "connections list");
	conn_free(a);
	conn_free(b);
}

/* -- save ---------------------------------------------------------------- */

static void
test_add(void **state)
{
	struct sfx *f = *state;
	struct session_save o;
	struct conn *c, *back;
	char *flag, *pw;

	seed(f);
	open_as(f, "Op", 0, NULL);
	memset(&o, 0, sizeof o);
	o.add = 1;
	o.detail = "console; password set";
	c = new_conn("n1", "secret", "{\"token\": \"t\", \"n\": 3}");
	assert_int_equal(session_conn_save(f->s, c, &o, &f->e), 0);
	conn_free(c);
	assert_logged(f, 0, "Op", "add", "n1", "console; password set");
	flag = column(f, "is_encrypted", "n1");
	pw = column(f, "password", "n1");
	assert_string_equal(flag, tdb_pg() ? "true" : "1");
	assert_non_null(strstr(pw, "gAAAA"));	/* a token, not the text */
	free(flag);
	free(pw);
	back = read_back(f, "n1");
	assert_string_equal(back->password, "secret");
	assert_string_equal(back->extra, "{\"token\": \"t\", \"n\": 3}");
	conn_free(back);

	/* Airflow's checks, before anything is written or logged. */
	c = new_conn("bad id!", NULL, NULL);
	assert_int_equal(session_conn_save(f->s, c, &o, &f->e), -1);
	assert_int_equal(f->e.code, ERR_USAGE);
	assert_int_equal(o.bad, SESSION_SAVE_BAD_ID);
	conn_free(c);
	err_clear(&f->e);
	c = new_conn("n2", NULL, "[1, 2]");
	assert_int_equal(session_conn_save(f->s, c, &o, &f->e), -1);
	assert_int_equal(o.bad, SESSION_SAVE_BAD_EXTRA);
	conn_free(c);
	err_clear(&f->e);
	c = new_conn("n1", NULL, NULL);	/* exists */
	assert_int_equal(session_conn_save(f->s, c, &o, &f->e), -1);
	assert_int_equal(f->e.code, ERR_INVALID);
	conn_free(c);
	assert_null(column(f, "id", "n2"));
	assert_int_equal(log_count(f), 1);
}

static void
test_edit(void **state)
{
	struct sfx *f = *state;
	struct session_save o;
	struct conn *c, *back;
	char *tok_before, *tok_after, *team, *before, *after;

	seed(f);
	open_as(f, "Admin", 0, NULL);
	/* Encrypt a's password first, by typing it again. */
	memset(&o, 0, sizeof o);
	o.extra = SESSION_EXTRA_STORED;
	c = new_conn("a", "pw-a2", NULL);
	assert_int_equal(session_conn_save(f->s, c, &o, &f->e), 0);
	conn_free(c);
	assert_logged(f, 0, "Admin", "edit", "a", NULL);
	tok_before = column(f, "password", "a");
	assert_non_null(strstr(tok_before, "gAAAA"));

	/* An empty password keeps the stored token; the *** left in place
	   keeps the stored secret; team_name stays. */
	o.extra = SESSION_EXTRA_EDITED;
	o.detail = "console";
	c = new_conn("a", NULL, "{\"password\": \"***\", \"retries\": 4}");
	assert_int_equal(conn_set_str(c, &c->host, "h2", &f->e), 0);
	assert_int_equal(session_conn_save(f->s, c, &o, &f->e), 0);
	conn_free(c);
	assert_logged(f, 1, "Admin", "edit", "a", "console");
	tok_after = column(f, "password", "a");
	assert_string_equal(tok_before, tok_after);
	team = column(f, "team_name", "a");
	assert_string_equal(team, "blue");
	back = read_back(f, "a");
	assert_string_equal(back->password, "pw-a2");
	assert_string_equal(back->host, "h2");
	assert_string_equal(back->extra, "{\"password\": \"s3\", \"retries\": 4}");
	conn_free(back);
	free(tok_before);
	free(tok_after);
	free(team);

	/* What no key opens is kept as stored, token and flag. */
	tok_before = column(f, "extra", "u");
	c = new_conn("u", "fixed", NULL);
	o.extra = SESSION_EXTRA_STORED;
	assert_int_equal(session_conn_save(f->s, c, &o, &f->e), 0);
	conn_free(c);
	tok_after = column(f, "extra", "u");
	assert_string_equal(tok_before, tok_after);
	back = read_back(f, "u");
	assert_string_equal(back->password, "fixed");
	assert_int_equal(back->extra_info.state, CONN_SECRET_UNDECRYPTABLE);
	conn_free(back);
	free(tok_before);
	free(tok_after);
	/* So is an extra that is not JSON (not shown, so not edited). */
	c = new_conn("b", NULL, NULL);
	assert_int_equal(session_conn_save(f->s, c, &o, &f->e), 0);
	conn_free(c);
	back = read_back(f, "b");
	assert_string_equal(back->extra, "not json");
	conn_free(back);
	assert_int_equal(log_count(f), 4);

	/* A row refused by the DB: nothing written, nothing logged. */
	if (tdb_pg())
		tdb_exec(&f->db, "CREATE FUNCTION refuse() RETURNS trigger "
		    "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused by a "
		    "test trigger'; END $$; CREATE TRIGGER refuse BEFORE UPDATE "
		    "ON connection FOR EACH ROW EXECUTE FUNCTION refuse()");
	else
		tdb_exec(&f->db, "CREATE TRIGGER refuse BEFORE UPDATE ON "
		    "connection BEGIN SELECT RAISE(ABORT, 'refused by a test "
		    "trigger'); END");
	before = tdb_dump(&f->db);
	c = new_conn("a", "again", NULL);
	err_clear(&f->e);
	assert_int_equal(session_conn_save(f->s, c, &o, &f->e), -1);
	assert_non_null(strstr(f->e.msg, "refused by a test trigger"));
	conn_free(c);
	after = tdb_dump(&f->db);
	assert_string_equal(before, after);
	assert_int_equal(log_count(f), 4);
	free(before);
	free(after);

	/* A row that went is not found. */
	err_clear(&f->e);
	c = new_conn("gone", NULL, NULL);
	assert_int_equal(session_conn_save(f->s, c, &o, &f->e), -1);
	assert_int_equal(f->e.code, ERR_NOTFOUND);
	conn_free(c);
}

/* -- delete, import, export ---------------------------------------------- */

static void
test_delete(void **state)
{
	struct sfx *f = *state;

	seed(f);
	open_as(f, "Op", 0, NULL);
	/* No key needed: the undecryptable row goes. */
	assert_int_equal(session_conn_delete(f->s, "u", "console", &f->e), 0);
	assert_logged(f, 0, "Op", "delete", "u", "console");
	assert_null(column(f, "id", "u"));
	assert_null(f->s->keys->kr);	/* the ring was not loaded */
	assert_int_equal(session_conn_delete(f->s, "u", NULL, &f->e), -1);
	assert_int_equal(f->e.code, ERR_NOTFOUND);
	assert_int_equal(log_count(f), 1);
}

static void
test_import(void **state)
{
	struct sfx *f = *state;
	struct session_import im;
	char *path, *before, *after;
	struct conn *back;

	seed(f);
	open_as(f, "Op", 0, NULL);
	path = import_file(f);

	/* The second row refused: the first is not written either. */
	if (tdb_pg())
		tdb_exec(&f->db, "CREATE FUNCTION refuse_x2() RETURNS trigger "
		    "LANGUAGE plpgsql AS $$ BEGIN IF NEW.conn_id = 'x2' THEN "
		    "RAISE EXCEPTION 'refused by a test trigger'; END IF; "
		    "RETURN NEW; END $$; CREATE TRIGGER refuse_x2 BEFORE INSERT "
		    "ON connection FOR EACH ROW EXECUTE FUNCTION refuse_x2()");
	else
		tdb_exec(&f->db, "CREATE TRIGGER refuse_x2 BEFORE INSERT ON "
		    "connection WHEN NEW.conn_id = 'x2' BEGIN SELECT RAISE(ABORT, "
		    "'refused by a test trigger'); END");
	before = tdb_dump(&f->db);
	assert_int_equal(session_conn_import(f->s, path, 0, &im, &f->e), -1);
	session_import_release(&im);
	after = tdb_dump(&f->db);
	assert_string_equal(before, after);
	assert_null(column(f, "id", "x1"));
	assert_null(tu_read(f->logpath, NULL));
	free(before);
	free(after);
	tdb_exec(&f->db, tdb_pg() ? "DROP TRIGGER refuse_x2 ON connection" :
	    "DROP TRIGGER refuse_x2");

	/* Then all of it: one line per imported connection. */
	err_clear(&f->e);
	assert_int_equal(session_conn_import(f->s, path, 0, &im, &f->e), 0);
	assert_int_equal(im.set.n, 2);
	assert_int_equal(im.done, 2);
	assert_int_equal(im.outcome[0], SESSION_IMPORT_DONE);
	assert_int_equal(im.outcome[1], SESSION_IMPORT_DONE);
	session_import_release(&im);
	assert_int_equal(log_count(f), 2);
	assert_logged(f, 1, "Op", "import", "x2", NULL);
	back = read_back(f, "x1");
	assert_string_equal(back->password, "p1");
	conn_free(back);

	/* Again: they exist; nothing done, nothing logged. */
	assert_int_equal(session_conn_import(f->s, path, 0, &im, &f->e), 0);
	assert_int_equal(im.done, 0);
	assert_int_equal(im.outcome[0], SESSION_IMPORT_EXISTS);
	session_import_release(&im);
	assert_int_equal(log_count(f), 2);
	free(path);
}

/* The skipped callback: the conn_ids and fields, one "id:field;" each. */
static void
on_skipped(void *arg, const char *conn_id, const char *field)
{
	char *acc = arg;

	snprintf(acc + strlen(acc), 256 - strlen(acc), "%s:%s;", conn_id,
	    field);
}

/* How many entries of dir start with ".ferncon-out-" (temporary files). */
static int
temp_files(const char *dir)
{
	return tu_dir_count(dir, ".ferncon-out-");
}

static void
export_to(struct sfx *f, struct session_export *x, const char *path,
    int overwrite, char *skipped)
{
	memset(x, 0, sizeof *x);
	x->path = path;
	x->fmt = TRANSFER_JSON;
	x->overwrite = overwrite;
	x->skipped = on_skipped;
	x->arg = skipped;
	skipped[0] = '\0';
	err_clear(&f->e);
}

static void
test_export(void **state)
{
	struct sfx *f = *state;
	struct session_export x;
	struct stat st;
	char path[4200], link[4200], skipped[256], *text;
	FILE *mem;
	char *memtext = NULL;
	size_t memlen = 0;

	seed(f);
	snprintf(path, sizeof path, "%s/out.json", f->dir);
	open_as(f, "Op", 1, NULL);
	export_to(f, &x, path, 0, skipped);
	assert_int_equal(session_conn_export(f->s, &x, &f->e), 0);
	assert_logged(f, 0, "Op", "export", NULL, path);
	assert_int_equal(x.n, 2);		/* a and b; u skipped */
	assert_int_equal(x.n_skipped, 1);
	assert_string_equal(skipped, "u:password;");
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	text = tu_read(path, NULL);
	assert_non_null(strstr(text, "\"password\": \"pw-a\""));
	free(text);
	assert_int_equal(temp_files(f->dir), 0);

	/* An existing path is refused, not logged, left as it was. */
	export_to(f, &x, path, 0, skipped);
	assert_int_equal(session_conn_export(f->s, &x, &f->e), -1);
	assert_int_equal(f->e.code, ERR_IO);
	assert_non_null(strstr(f->e.msg, "it exists (give --overwrite"));
	assert_int_equal(log_count(f), 1);

	/* --overwrite replaces a regular file of ours, as a new file. */
	assert_int_equal(truncate(path, 0), 0);
	assert_int_equal(chmod(path, 0644), 0);
	export_to(f, &x, path, 1, skipped);
	assert_int_equal(session_conn_export(f->s, &x, &f->e), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(st.st_size > 0);

	/* A symbolic link is refused, even with --overwrite; its target kept. */
	snprintf(link, sizeof link, "%s/link.json", f->dir);
	assert_int_equal(symlink(path, link), 0);
	export_to(f, &x, link, 1, skipped);
	assert_int_equal(session_conn_export(f->s, &x, &f->e), -1);
	assert_non_null(strstr(f->e.msg, "it is a symbolic link"));
	assert_int_equal(temp_files(f->dir), 0);

	/* Not a regular file: refused with --overwrite. */
	export_to(f, &x, f->dir, 1, skipped);
	assert_int_equal(session_conn_export(f->s, &x, &f->e), -1);
	assert_int_equal(f->e.code, ERR_IO);

	/* "-": the caller's stream. */
	open_as(f, "Admin", 0, NULL);
	mem = open_memstream(&memtext, &memlen);
	assert_non_null(mem);
	export_to(f, &x, "-", 0, skipped);
	x.stream = mem;
	assert_int_equal(session_conn_export(f->s, &x, &f->e), 0);
	fclose(mem);
	assert_non_null(strstr(memtext, "\"pw-a\""));
	free(memtext);
	assert_int_equal(x.n, 2);
	assert_int_equal(log_count(f), 3);
}

/*
 * A value that is not valid UTF-8 stops the export, in every format,
 * naming the connection and the field, and leaves no file: Python's
 * sqlite3 raises on reading such a TEXT column ("Could not decode to
 * UTF-8 column"), so Airflow's export cannot write it either.
 */
static void
test_export_bad_utf8(void **state)
{
	static const enum transfer_format fmts[] = {
		TRANSFER_JSON, TRANSFER_YAML, TRANSFER_ENV,
	};
	struct sfx *f = *state;
	struct session_export x;
	char path[4200], skipped[256];
	size_t i;

	tdb_exec(&f->db, "INSERT INTO connection (conn_id, conn_type, host, "
	    "password, is_encrypted, is_extra_encrypted) VALUES ('a', 'ssh', "
	    "'h', 'secret-before', '0', '0'), ('m', 'ssh', 'h', "
	    "CAST(X'2D2D2D2D2D424547494E2066FF6E' AS TEXT), '0', '0'), "
	    "('z', 'ssh', 'h', 'secret-after', '0', '0')");
	open_as(f, "Admin", 0, NULL);
	snprintf(path, sizeof path, "%s/out", f->dir);
	for (i = 0; i < ARRAY_LEN(fmts); i++) {
		export_to(f, &x, path, 0, skipped);
		x.fmt = fmts[i];
		assert_int_equal(session_conn_export(f->s, &x, &f->e), -1);
		assert_int_equal(f->e.code, ERR_INVALID);
		assert_string_equal(f->e.msg, "cannot export connection 'm': "
		    "its password is not valid UTF-8 (Airflow cannot read it "
		    "either)");
		assert_int_equal(access(path, F_OK), -1);
		assert_int_equal(temp_files(f->dir), 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refused, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_display_reveal, setup,
		    sfx_teardown),
		cmocka_unit_test_setup_teardown(test_add, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_edit, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_delete, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_import, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_export, setup, sfx_teardown),
		cmocka_unit_test_setup_teardown(test_export_bad_utf8, setup,
		    sfx_teardown),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
