/*
 * audit_baseline.c: what makes a finding recognisable across runs without
 * its secret: the per-install HMAC key and the "hmac-sha256:" hash of a
 * secret, and the fingerprint sets of a baseline report (a finding whose
 * fingerprint and hash are in it is not new) and of an ignore file (a
 * finding listed there with a reason is not shown). audit.c consults them
 * when it emits a subject's findings.
 */
#include "config.h"

#include "audit_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#define HKEY_BYTES	crypto_auth_hmacsha256_KEYBYTES
#define HASH_PREFIX	"hmac-sha256:"

/* The largest baseline and ignore file read (README, Limits). */
#define AUDIT_MAX_BASELINE	((size_t)64 << 20)
#define AUDIT_MAX_IGNORE	((size_t)1 << 20)

/* -- the HMAC key and hashes --------------------------------------------- */

static int
read_full(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)p + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

static int
write_full(int fd, const void *p, size_t n)
{
	size_t put = 0;

	while (put < n) {
		ssize_t w = write(fd, (const char *)p + put, n - put);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		put += (size_t)w;
	}
	return 0;
}

/*
 * Read the per-install key, or make it (32 random bytes, mode 0600,
 * O_EXCL|O_NOFOLLOW). Any failure leaves the engine without hashes.
 */
void
audit_hash_key_load(struct audit *a)
{
	char path[4200];
	const char *p = a->o.hash_key_path, *home;
	struct stat st;
	int fd;

	if (a->o.no_hash)
		return;
	if (p == NULL) {
		home = a->o.cfg != NULL ? config_airflow_home(a->o.cfg) : NULL;
		if (home == NULL || *home == '\0')
			return;
		snprintf(path, sizeof path, "%s/ferncon-audit.key", home);
		p = path;
	}
	if ((a->hkey = sodium_malloc(HKEY_BYTES)) == NULL)
		return;
	/* O_NONBLOCK: a FIFO in its place opens at once, to be refused */
	fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT) {
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			randombytes_buf(a->hkey, HKEY_BYTES);
			if (write_full(fd, a->hkey, HKEY_BYTES) == 0 && fsync(fd) == 0 &&
			    close(fd) == 0)
				return;
			(void)unlink(p);
			goto fail;
		}
		if (errno == EEXIST)	/* made meanwhile by another run */
			fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
			    O_NONBLOCK);
	}
	if (fd < 0)
		goto fail;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size != (off_t)HKEY_BYTES || read_full(fd, a->hkey, HKEY_BYTES) != 0) {
		close(fd);
		goto fail;
	}
	close(fd);
	return;
fail:
	sodium_free(a->hkey);
	a->hkey = NULL;
}

/* "hmac-sha256:<hex>" of the secret, or NULL without a key (or memory). */
char *
audit_hash_secret(struct audit *a, const char *s, size_t len)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char *out;
	size_t plen = sizeof HASH_PREFIX - 1;

	if (a->hkey == NULL)
		return NULL;
	if ((out = malloc(plen + 2 * sizeof mac + 1)) == NULL)
		return NULL;
	crypto_auth_hmacsha256(mac, (const unsigned char *)s, len, a->hkey);
	memcpy(out, HASH_PREFIX, plen);
	sodium_bin2hex(out + plen, 2 * sizeof mac + 1, mac, sizeof mac);
	return out;
}

int
audit_has_hash(const struct audit *a)
{
	return a->hkey != NULL;
}

/* -- fingerprint sets ---------------------------------------------------- */

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

const struct fpent *
audit_fpset_get(const struct fpset *set, const char *fp)
{
	size_t i;

	if (set->cap == 0)
		return NULL;
	for (i = fnv1a(fp) & (set->cap - 1); set->slots[i].fp != NULL;
	    i = (i + 1) & (set->cap - 1))
		if (strcmp(set->slots[i].fp, fp) == 0)
			return &set->slots[i];
	return NULL;
}

static int
fpset_put(struct fpset *set, const char *fp, const char *hash)
{
	size_t i;

	if ((set->n + 1) * 2 > set->cap) {
		struct fpset bigger;
		size_t j;

		bigger.cap = set->cap ? set->cap * 2 : 64;
		bigger.n = 0;
		if ((bigger.slots = calloc(bigger.cap, sizeof *bigger.slots)) == NULL)
			return -1;
		for (j = 0; j < set->cap; j++) {
			if (set->slots[j].fp == NULL)
				continue;
			for (i = fnv1a(set->slots[j].fp) & (bigger.cap - 1);
			    bigger.slots[i].fp != NULL; i = (i + 1) & (bigger.cap - 1))
				;
			bigger.slots[i] = set->slots[j];
			bigger.n++;
		}
		free(set->slots);
		*set = bigger;
	}
	for (i = fnv1a(fp) & (set->cap - 1); set->slots[i].fp != NULL;
	    i = (i + 1) & (set->cap - 1)) {
		if (strcmp(set->slots[i].fp, fp) == 0)
			return 0;	/* first entry wins */
	}
	if ((set->slots[i].fp = strdup(fp)) == NULL)
		return -1;
	if (hash != NULL && (set->slots[i].hash = strdup(hash)) == NULL) {
		free(set->slots[i].fp);
		set->slots[i].fp = NULL;
		return -1;
	}
	set->n++;
	return 0;
}

void
audit_fpset_release(struct fpset *set)
{
	size_t i;

	for (i = 0; i < set->cap; i++) {
		free(set->slots[i].fp);
		free(set->slots[i].hash);
	}
	free(set->slots);
	memset(set, 0, sizeof *set);
}

static int
baseline_add(struct audit *a, const cJSON *fp, const cJSON *hash)
{
	if (!cJSON_IsString(fp))
		return 0;
	return fpset_put(&a->baseline, fp->valuestring,
	    cJSON_IsString(hash) ? hash->valuestring : NULL);
}

int
audit_load_baseline(struct audit *a, const char *path, struct err *e)
{
	struct buf text;
	cJSON *root = NULL, *list, *item, *runs, *res;
	int rc = -1;

	buf_init(&text, 0);
	if (buf_read_file(&text, path, "baseline", AUDIT_MAX_BASELINE, ERR_USAGE, NULL, e) != 0)
		goto out;
	if ((root = cJSON_Parse(buf_str(&text))) == NULL)
		goto bad;
	/* Our JSON report ({"findings": [...]}, or a bare array of findings)... */
	list = cJSON_IsArray(root) ? root : cJSON_GetObjectItemCaseSensitive(root, "findings");
	if (cJSON_IsArray(list)) {
		cJSON_ArrayForEach(item, list)
			if (baseline_add(a, cJSON_GetObjectItemCaseSensitive(item, "fingerprint"),
			    cJSON_GetObjectItemCaseSensitive(item, "secret_hash")) != 0)
				goto oom;
		goto done;
	}
	/* ... or our SARIF report. */
	runs = cJSON_GetObjectItemCaseSensitive(root, "runs");
	if (!cJSON_IsArray(runs))
		goto bad;
	cJSON_ArrayForEach(item, runs) {
		cJSON_ArrayForEach(res, cJSON_GetObjectItemCaseSensitive(item, "results")) {
			cJSON *pf = cJSON_GetObjectItemCaseSensitive(res, "partialFingerprints");
			cJSON *pr = cJSON_GetObjectItemCaseSensitive(res, "properties");

			if (baseline_add(a, cJSON_GetObjectItemCaseSensitive(pf,
			    "connExtraFingerprint/v1"),
			    cJSON_GetObjectItemCaseSensitive(pr, "secret_hash")) != 0)
				goto oom;
		}
	}
done:
	a->have_baseline = 1;
	rc = 0;
	goto out;
oom:
	err_nomem(e);
	goto out;
bad:
	err_set(e, ERR_USAGE, "baseline '%s' is not a JSON or SARIF report of ferncon audit",
	    path);
out:
	cJSON_Delete(root);
	buf_release(&text);
	return rc;
}

int
audit_load_ignore(struct audit *a, const char *path, struct err *e)
{
	struct buf text;
	char *line, *next;
	int lineno = 0, rc = -1;

	buf_init(&text, 0);
	if (buf_read_file(&text, path, "ignore file", AUDIT_MAX_IGNORE, ERR_USAGE, NULL, e) != 0)
		goto out;
	/* Cut in place into lines (text.p is NULL for an empty file). */
	for (line = text.p; line != NULL; line = next) {
		char *end, *hash, *reason;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		/* "FINGERPRINT # reason": the first '#' after a blank. */
		for (hash = line + 1; *hash != '\0'; hash++)
			if (*hash == '#' && isspace((unsigned char)hash[-1]))
				break;
		reason = *hash == '#' ? hash + 1 : hash;
		while (isspace((unsigned char)*reason))
			reason++;
		end = hash;
		while (end > line && isspace((unsigned char)end[-1]))
			end--;
		*end = '\0';
		if (*hash == '\0' || *reason == '\0') {
			err_set(e, ERR_USAGE, "ignore file '%s' line %d: a reason is required "
			    "('FINGERPRINT # reason')", path, lineno);
			goto out;
		}
		if (fpset_put(&a->ignore, line, NULL) != 0) {
			err_nomem(e);
			goto out;
		}
	}
	a->have_ignore = 1;
	rc = 0;
out:
	buf_release(&text);
	return rc;
}
