/*
 * lifecycle.h: the encryption lifecycle of the values Airflow encrypts
 * (connection password and extra, variable values): a census of which key
 * opens what, the plaintext rows and the rows no key opens. The census is
 * what `key status` shows and what encrypt-plaintext and rotation check
 * first.
 */
#ifndef FERNCON_LIFECYCLE_H
#define FERNCON_LIFECYCLE_H

#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "err.h"
#include "keyring.h"
#include "store.h"

#define CENSUS_MAX_KEYS 16

/* Counts for one kind of value (e.g. connection passwords). */
struct census_count {
	size_t		per_key[CENSUS_MAX_KEYS];	/* tokens each key opens */
	size_t		plaintext;	/* non-empty, flag false */
	size_t		undecryptable;	/* flag true, no key opens it */
	size_t		empty;		/* NULL or "" */
};

struct census {
	size_t			connections;
	size_t			variables;
	int			has_variables;	/* the table exists */
	struct census_count	password, extra, var;
	/* Token timestamps per key: the oldest and newest. */
	uint64_t		oldest[CENSUS_MAX_KEYS];
	uint64_t		newest[CENSUS_MAX_KEYS];
};

/*
 * Count every encrypted value of the store by the key that opens it, in
 * one streaming pass. Rings of more than CENSUS_MAX_KEYS keys are refused.
 * 0, or -1 with e set.
 */
int lifecycle_census(struct store *s, struct keyring *kr, struct census *out,
    struct err *e) ATTR_WUR;

/* Totals over the three kinds of value. */
size_t census_total_plaintext(const struct census *c);
size_t census_total_undecryptable(const struct census *c);
size_t census_total_for_key(const struct census *c, size_t key);

#endif
