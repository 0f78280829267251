/*
 * session.c: the state of one run (see session.h): the loaders that read
 * the configuration, the key ring, the DB, the role and the masking rules
 * on first use, and the reference-counted key generations that a reload
 * swaps.
 */
#include "config.h"

#include "session.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/*
 * A generation and its count. The public part comes first, so that the
 * pointer handed out is also the pointer to this.
 */
struct keys_gen {
	struct session_keys	 k;
	atomic_uint		 refs;
};

static const char std_alphabet_warning[] = "a Fernet key uses the standard "
    "base64 alphabet ('+' or '/'); Airflow accepts it today but newer Python "
    "versions will not";

static struct session_keys *
keys_new(void)
{
	struct keys_gen *g;

	if ((g = calloc(1, sizeof *g)) == NULL)
		return NULL;
	atomic_init(&g->refs, 1);
	return &g->k;
}

struct session_keys *
session_keys_ref(struct session *s)
{
	struct keys_gen *g = (struct keys_gen *)s->keys;

	atomic_fetch_add(&g->refs, 1);
	return s->keys;
}

void
session_keys_unref(struct session_keys *k)
{
	struct keys_gen *g = (struct keys_gen *)k;

	if (g == NULL || atomic_fetch_sub(&g->refs, 1) != 1)
		return;
	keyring_free(g->k.kr);
	config_free(g->k.cfg);
	free(g);
}

int
session_new(struct session **out, struct err *e)
{
	struct session *s;

	*out = NULL;
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    (s->keys = keys_new()) == NULL) {
		free(s);
		err_nomem(e);
		return -1;
	}
	*out = s;
	return 0;
}

void
session_free(struct session *s)
{
	if (s == NULL)
		return;
	mask_free(s->mask);
	store_close(s->store);
	session_keys_unref(s->keys);
	free(s);
}

int
session_config(struct session *s, struct err *e)
{
	if (s->keys->cfg != NULL)
		return 0;
	return config_load(&s->keys->cfg, &s->opts, e);
}

int
session_keyring(struct session *s, const char *keys_arg, struct err *e)
{
	struct session_keys *k = s->keys;
	struct config_value v;
	int std_alpha = 0;

	if (k->kr != NULL)
		return 0;
	if (keys_arg != NULL) {
		if (keyring_parse(&k->kr, keys_arg, strlen(keys_arg), &std_alpha,
		    e) != 0) {
			err_prefix(e, "--keys");
			return -1;
		}
		memset(&v, 0, sizeof v);
		v.origin = "--keys";
		v.source = CONFIG_SRC_ARG;
	} else {
		if (session_config(s, e) != 0 ||
		    config_fernet_key(k->cfg, &v, e) != 0)
			return -1;
		if (keyring_parse(&k->kr, v.value ? v.value : "", v.value ? v.len :
		    0, &std_alpha, e) != 0) {
			err_prefix(e, "[core] fernet_key from %s", v.origin);
			return -1;
		}
	}
	k->origin = v;
	if (std_alpha)
		s->warning = std_alphabet_warning;
	return 0;
}

int
session_store(struct session *s, struct err *e)
{
	if (s->store != NULL)
		return 0;
	return session_store_open(s, &s->store, e);
}

int
session_policy(struct session *s, struct err *e)
{
	if (s->policy_loaded)
		return 0;
	if (session_config(s, e) != 0 ||
	    policy_load(&s->policy, s->keys->cfg, s->as_role, e) != 0)
		return -1;
	s->policy_loaded = 1;
	return 0;
}

int
session_mask(struct session *s, struct err *e)
{
	if (s->mask != NULL)
		return 0;
	if (session_config(s, e) != 0 || session_store(s, e) != 0)
		return -1;
	return mask_new(&s->mask, s->keys->cfg, store_airflow_version(s->store),
	    e);
}

const char *
session_warning(struct session *s)
{
	const char *w = s->warning;

	s->warning = NULL;
	return w;
}

int
session_reload_keys(struct session *s, struct err *e)
{
	struct session_keys *k;
	struct config_value v;

	if ((k = keys_new()) == NULL) {
		err_nomem(e);
		return -1;
	}
	if (config_load(&k->cfg, &s->opts, e) != 0 ||
	    config_fernet_key(k->cfg, &v, e) != 0 ||
	    keyring_parse(&k->kr, v.value ? v.value : "", v.value ? v.len : 0,
	    NULL, e) != 0) {
		session_keys_unref(k);
		return -1;
	}
	k->origin = v;
	session_keys_unref(s->keys);
	s->keys = k;
	return 0;
}
