/*
 * airflow.h: which Airflow wrote the metadata DB, for the few rules that
 * changed between releases (URI query typing in 3.1.6, the host protocol
 * rule in 3.1.0, extra validation in 3.0, the sensitive-field list); and
 * times written as Airflow's Python shows them.
 *
 * The version is read from alembic_version.version_num
 * (doc/airflow-compat.md section 1.4); an unknown head is placed by the
 * tables that exist.
 */
#ifndef FERNCON_AIRFLOW_H
#define FERNCON_AIRFLOW_H

#include <stddef.h>
#include <stdint.h>

struct airflow_version {
	int	major;	/* 0 when unknown */
	int	minor;
	int	patch;
};

/* 1 if v is known and at least major.minor.patch. */
static inline int
airflow_version_at_least(const struct airflow_version *v, int major, int minor,
    int patch)
{
	if (v->major != major)
		return v->major > major;
	if (v->minor != minor)
		return v->minor > minor;
	return v->patch >= patch;
}

/*
 * The Airflow version of an alembic head (doc/airflow-compat.md section
 * 1.4), or major 0 when the head is not known.
 */
struct airflow_version airflow_version_of_head(const char *head);

/*
 * Parse "X.Y.Z" (digits only) into *out. 0, or -1 when s is not that.
 */
int airflow_version_parse(const char *s, struct airflow_version *out);

/*
 * 1 when v is a release that can have written alembic head head: at least
 * the head's version and below the next known head's (3.1.0 to 3.1.7 share
 * cc92b33c6709); any v for an unknown head.
 */
int airflow_version_fits_head(const char *head, const struct airflow_version *v);

/*
 * Format a Unix time (a Fernet token's timestamp) in UTC as
 * "2026-11-22T16:39:59Z" into buf (at least 32 bytes), or "beyond year
 * 9999" past what Python's datetime can hold.
 */
void airflow_format_time(uint64_t t, char *buf, size_t len);

#endif
