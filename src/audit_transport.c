/*
 * audit_transport.c: the transport rules, one table row per conn_type
 * setting that must be on (audit_rules.c): TLS switches, verification,
 * secure schemes and ports, with the password raising the severity of a
 * connection that would send it in clear; and which hosts count as this
 * machine, for them and for the database URL (audit_config.c).
 */
#include "config.h"

#include "audit_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* -- transport ----------------------------------------------------------- */

/* A host on this machine: empty, localhost, 127.0.0.0/8, ::1, a socket path. */
int
audit_host_is_local(const char *host)
{
	char name[256];
	const char *p, *at;
	size_t n;

	if (host == NULL || *host == '\0' || host[0] == '/')
		return 1;
	p = (p = strstr(host, "://")) != NULL ? p + 3 : host;
	n = strcspn(p, "/?#");
	if ((at = memchr(p, '@', n)) != NULL) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (*p == '[') {
		n = strcspn(p, "]");
		p++;
		n = n > 0 ? n - 1 : 0;
	} else {
		n = strcspn(p, ":/?#");
	}
	if (n == 0)
		return 1;
	if (n >= sizeof name)
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	return strcasecmp(name, "localhost") == 0 || strncmp(name, "127.", 4) == 0 ||
	    strcmp(name, "::1") == 0;
}

/* A top-level extra setting, also under the legacy extra__<type>__ prefix. */
static const cJSON *
extra_get(const cJSON *root, const char *key, size_t klen, const char *conn_type)
{
	char name[256];
	const cJSON *v;

	if (root == NULL || !cJSON_IsObject(root) || klen + 1 > sizeof name)
		return NULL;
	memcpy(name, key, klen);
	name[klen] = '\0';
	if ((v = cJSON_GetObjectItemCaseSensitive(root, name)) != NULL)
		return v;
	if (conn_type == NULL)
		return NULL;
	snprintf(name, sizeof name, "extra__%s__%.*s", conn_type, (int)klen, key);
	return cJSON_GetObjectItemCaseSensitive(root, name);
}

/* Is a setting on? A value in bad counts as off. */
int
audit_truthy(const cJSON *v, const char *bad)
{
	char low[64];
	size_t i, n;

	if (v == NULL || cJSON_IsNull(v) || cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsTrue(v))
		return 1;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsRaw(v))	/* pyjson's exact integers */
		return strcmp(v->valuestring, "0") != 0;
	if (cJSON_IsString(v)) {
		n = strlen(v->valuestring);
		if (n == 0 || n >= sizeof low)
			return n != 0;
		for (i = 0; i <= n; i++)
			low[i] = (char)tolower((unsigned char)v->valuestring[i]);
		if (audit_in_list("false|0|no|off|none|disable|disabled", low, n))
			return 0;
		return bad == NULL || !audit_in_list(bad, low, n);
	}
	return cJSON_GetArraySize(v) > 0;	/* a non-empty object (ssl: {ca: ...}) */
}

/* A setting's value for a message: short plain strings only, else NULL. */
const char *
audit_shown_value(const cJSON *v)
{
	const char *s;

	if (cJSON_IsTrue(v))
		return "true";
	if (cJSON_IsFalse(v))
		return "false";
	if (!cJSON_IsString(v))
		return NULL;
	for (s = v->valuestring; *s != '\0'; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-'))
			return NULL;
	return strlen(v->valuestring) <= 24 ? v->valuestring : NULL;
}

static int
conn_has_password(const struct conn *c)
{
	return c->password_len > 0 ||
	    c->password_info.state == CONN_SECRET_UNDECRYPTABLE;
}

/* The URL scheme a connection uses: host "x://", an http(s) schema, else dflt. */
static void
url_scheme(const struct conn *c, const char *dflt, char *out, size_t cap)
{
	const char *h = c->host, *p = h ? strstr(h, "://") : NULL;
	size_t n;

	if (p != NULL && p > h) {
		n = (size_t)(p - h);
	} else if (c->schema != NULL && (strcasecmp(c->schema, "http") == 0 ||
	    strcasecmp(c->schema, "https") == 0)) {
		h = c->schema;
		n = strlen(h);
	} else {
		h = dflt;
		n = strlen(h);
	}
	if (n >= cap)
		n = cap - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)h[i]);
	out[n] = '\0';
}

static void
first_key(const char *list, size_t *len)
{
	*len = strcspn(list, "|");
}

/* Evaluate one transport row; detail gets why it is flagged. 1 when flagged. */
static int
transport_flagged(const struct audit_transport *t, const struct conn *c,
    const cJSON *extra, char *detail, size_t cap)
{
	const char *k = t->keys;
	const cJSON *v;
	char scheme[32], low[64];
	size_t klen, n, all = 0, present = 0;

	switch (t->test) {
	case TT_VALUE_IN:
		for (; *k != '\0'; k += klen + (k[klen] == '|')) {
			klen = strcspn(k, "|");
			if ((v = extra_get(extra, k, klen, c->conn_type)) == NULL)
				continue;
			if (cJSON_IsString(v) && (n = strlen(v->valuestring)) < sizeof low) {
				for (size_t i = 0; i <= n; i++)
					low[i] = (char)tolower((unsigned char)v->valuestring[i]);
				if (audit_in_list(t->good, low, n))
					return 0;
			}
			if (audit_shown_value(v) != NULL)
				snprintf(detail, cap, "%.*s is '%s'", (int)klen, k, audit_shown_value(v));
			else
				snprintf(detail, cap, "%.*s has an unexpected value", (int)klen, k);
			return 1;
		}
		first_key(t->keys, &klen);
		snprintf(detail, cap, "%.*s is not set", (int)klen, t->keys);
		return 1;
	case TT_TRUTHY:
		for (; *k != '\0'; k += klen + (k[klen] == '|')) {
			klen = strcspn(k, "|");
			if ((v = extra_get(extra, k, klen, c->conn_type)) == NULL)
				continue;
			if (audit_truthy(v, t->bad))
				return 0;
			if (!present++) {
				if (audit_shown_value(v) != NULL)
					snprintf(detail, cap, "%.*s is '%s'", (int)klen, k,
					    audit_shown_value(v));
				else
					snprintf(detail, cap, "%.*s is off", (int)klen, k);
			}
		}
		if (!present) {
			first_key(t->keys, &klen);
			snprintf(detail, cap, "%.*s is not set", (int)klen, t->keys);
		}
		return 1;
	case TT_NOT_ALL_TRUE:
		for (; *k != '\0'; k += klen + (k[klen] == '|')) {
			klen = strcspn(k, "|");
			all++;
			if (audit_truthy(extra_get(extra, k, klen, c->conn_type), t->bad))
				present++;
		}
		if (all == 0 || present < all)
			return 0;
		/* "a|b|c" -> "a, b and c are true" */
		for (k = t->keys, n = 0; *k != '\0' && n + 1 < cap; k++) {
			if (*k != '|') {
				detail[n++] = *k;
				continue;
			}
			n += (size_t)snprintf(detail + n, cap - n, "%s",
			    strchr(k + 1, '|') ? ", " : " and ");
			if (n >= cap)
				n = cap - 1;
		}
		detail[n] = '\0';
		snprintf(detail + n, cap - n, " are true");
		return 1;
	case TT_NOT_TRUE:
		for (; *k != '\0'; k += klen + (k[klen] == '|')) {
			klen = strcspn(k, "|");
			if (audit_truthy(extra_get(extra, k, klen, c->conn_type), t->bad)) {
				snprintf(detail, cap, "%.*s is true", (int)klen, k);
				return 1;
			}
		}
		return 0;
	case TT_SCHEME:
		url_scheme(c, c->conn_type ? c->conn_type : "http", scheme, sizeof scheme);
		if (audit_in_list(t->good, scheme, strlen(scheme)))
			return 0;
		snprintf(detail, cap, "the URL scheme is %s", scheme);
		return 1;
	case TT_ALWAYS:
		snprintf(detail, cap, "%s has no TLS", c->conn_type ? c->conn_type : "it");
		return 1;
	}
	return 0;
}

int
audit_transport_checks(struct audit *a, const struct conn *c, const cJSON *extra, struct err *e)
{
	char detail[160];
	size_t i, slen;

	if (c->conn_type == NULL)
		return 0;
	for (i = 0; i < audit_transports_len; i++) {
		const struct audit_transport *t = &audit_transports[i];
		enum audit_severity sev = t->rule.severity;

		if (!audit_in_list(t->types, c->conn_type, strlen(c->conn_type)))
			continue;
		if (t->local_ok && audit_host_is_local(c->host))
			continue;
		if (c->extra_info.state == CONN_SECRET_UNDECRYPTABLE &&
		    t->test != TT_SCHEME && t->test != TT_ALWAYS)
			continue;	/* the settings are in the extra nobody can read */
		if (t->secure_scheme != NULL && c->host != NULL &&
		    strncasecmp(c->host, t->secure_scheme, slen = strlen(t->secure_scheme)) == 0 &&
		    strncmp(c->host + slen, "://", 3) == 0)
			continue;
		if (t->secure_port != 0 && c->has_port && c->port == t->secure_port)
			continue;
		detail[0] = '\0';
		if (!transport_flagged(t, c, extra, detail, sizeof detail))
			continue;
		if (conn_has_password(c) && sev < AUDIT_SEV_HIGH) {
			sev++;
			snprintf(detail + strlen(detail), sizeof detail - strlen(detail), "%s",
			    t->test == TT_NOT_TRUE ? "; a man in the middle can take the password" :
			    "; the password crosses the network in clear");
		}
		if (audit_pend_add(a, &t->rule, sev, "transport", detail, NULL, 0, 0, 0, e) == NULL)
			return -1;
	}
	return 0;
}
