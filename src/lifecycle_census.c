/*
 * lifecycle_census.c: the census of key status (lifecycle.h): every
 * encrypted field of the database counted by the key that opens it,
 * plaintext, empty and undecryptable, in one simple single-threaded pass
 * with the caller's key ring. It predates the engine of lifecycle.c and
 * shares nothing with it.
 */
#include "config.h"

#include "lifecycle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* -- the census ---------------------------------------------------------- */

static void
count_value(struct census *cs, struct census_count *cc, struct keyring *kr,
    const char *value, size_t len, int flag)
{
	struct fernet_info info;
	int k;

	if (value == NULL || len == 0) {
		cc->empty++;
		return;
	}
	if (!flag) {
		cc->plaintext++;
		return;
	}
	k = keyring_enabled(kr) ? keyring_which(kr, value, len, &info) : -1;
	if (k < 0 || k >= CENSUS_MAX_KEYS) {
		cc->undecryptable++;
		return;
	}
	cc->per_key[k]++;
	if (cs->oldest[k] == 0 || info.timestamp < cs->oldest[k])
		cs->oldest[k] = info.timestamp;
	if (info.timestamp > cs->newest[k])
		cs->newest[k] = info.timestamp;
}

int
lifecycle_census(struct store *s, struct keyring *kr, struct census *out,
    struct err *e)
{
	struct store_iter *it = NULL;
	struct store_var v;
	struct conn c;
	int rc;

	memset(out, 0, sizeof *out);
	memset(&c, 0, sizeof c);
	if (keyring_count(kr) > CENSUS_MAX_KEYS) {
		err_set(e, ERR_CONFIG, "fernet_key holds %zu keys; ferncon handles "
		    "at most %d", keyring_count(kr), CENSUS_MAX_KEYS);
		return -1;
	}
	if (store_conn_iter(s, NULL, &it, e) != 0)
		return -1;
	while ((rc = store_iter_next(it, &c, e)) == 1) {
		out->connections++;
		count_value(out, &out->password, kr, c.password,
		    c.password_len, c.is_encrypted);
		count_value(out, &out->extra, kr, c.extra,
		    c.extra ? strlen(c.extra) : 0, c.is_extra_encrypted);
	}
	store_iter_free(it);
	it = NULL;
	conn_clear(&c);
	if (rc < 0)
		return -1;
	if (!store_has_table(s, "variable"))
		return 0;
	out->has_variables = 1;
	if (store_var_iter(s, &it, e) != 0)
		return -1;
	while ((rc = store_var_next(it, &v, e)) == 1) {
		out->variables++;
		count_value(out, &out->var, kr, v.val, v.val_len, v.is_encrypted);
	}
	store_iter_free(it);
	return rc < 0 ? -1 : 0;
}

size_t
census_total_plaintext(const struct census *c)
{
	return c->password.plaintext + c->extra.plaintext + c->var.plaintext;
}

size_t
census_total_undecryptable(const struct census *c)
{
	return c->password.undecryptable + c->extra.undecryptable +
	    c->var.undecryptable;
}

size_t
census_total_for_key(const struct census *c, size_t key)
{
	return c->password.per_key[key] + c->extra.per_key[key] +
	    c->var.per_key[key];
}
