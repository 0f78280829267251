/*
 * airflow.c: Airflow versions from alembic heads (see airflow.h). The table
 * holds the heads that doc/airflow-compat.md section 1.4 lists; a head not
 * in it is unknown (major 0) and the store places it by the tables it
 * finds. And the one time format the front ends show.
 */
#include "config.h"

#include "airflow.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "compiler.h"

static const struct {
	const char		*head;
	struct airflow_version	 v;
} heads[] = {
	{ "686269002441", { 2, 9, 2 } },
	{ "22ed7efa9da2", { 2, 10, 0 } },
	{ "5f2621c13b39", { 2, 10, 3 } },
	{ "29ce7909c52b", { 3, 0, 0 } },
	{ "fe199e1abd77", { 3, 0, 3 } },
	{ "cc92b33c6709", { 3, 1, 0 } },
	{ "509b94a1042d", { 3, 1, 8 } },
	{ "6222ce48e289", { 3, 2, 0 } },
};

int
airflow_version_parse(const char *s, struct airflow_version *out)
{
	int *part[3] = { &out->major, &out->minor, &out->patch };
	size_t k;

	for (k = 0; k < 3; k++) {
		long n = 0;
		int digits = 0;

		for (; *s >= '0' && *s <= '9' && digits < 6; s++, digits++)
			n = n * 10 + (*s - '0');
		if (digits == 0 || digits == 6 || (k < 2 && *s++ != '.'))
			return -1;
		*part[k] = (int)n;
	}
	return *s == '\0' && out->major > 0 ? 0 : -1;
}

int
airflow_version_fits_head(const char *head, const struct airflow_version *v)
{
	size_t i;

	for (i = 0; head != NULL && i < ARRAY_LEN(heads); i++) {
		if (strcmp(heads[i].head, head) != 0)
			continue;
		if (!airflow_version_at_least(v, heads[i].v.major,
		    heads[i].v.minor, heads[i].v.patch))
			return 0;
		return i + 1 == ARRAY_LEN(heads) ||
		    !airflow_version_at_least(v, heads[i + 1].v.major,
		    heads[i + 1].v.minor, heads[i + 1].v.patch);
	}
	return 1;
}

struct airflow_version
airflow_version_of_head(const char *head)
{
	struct airflow_version none = { 0, 0, 0 };
	size_t i;

	if (head == NULL)
		return none;
	for (i = 0; i < ARRAY_LEN(heads); i++)
		if (strcmp(heads[i].head, head) == 0)
			return heads[i].v;
	return none;
}

void
airflow_format_time(uint64_t t, char *buf, size_t len)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t > (uint64_t)253402300799 || gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, len, "beyond year 9999");
	else
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
