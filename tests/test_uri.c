/*
 * test_uri.c: Airflow's connection URI (uri.c) against Airflow's own
 * cases (models/test_connection.py and always/test_connection.py, 2.10 and
 * 3.2) and against a case for every rule of doc/airflow-compat.md sections
 * 4.1 and 4.2: percent encoded '/', ':' and '@' everywhere, empty login or
 * password, no host, schemas with '/', __extra__, plain, blank and duplicated
 * query params, typed query values (3.1.6+) against strings (before), host
 * protocols and the 3.1.0 rule, IPv6 and urllib's bracket checks, upper-case
 * hosts, bad ports, more than two "://", type normalisation; then get_uri()
 * of every parsed connection and of hand-built ones (extras that are not all
 * strings, port 0, "@:port", "?" against "/?"), the masked form that
 * `connections add` prints, round trips, and quote/quote_plus.
 *
 * Every expected value below was computed with /usr/bin/python3 (Debian's
 * 3.11.2) running a transcription of Airflow's _parse_from_uri/get_uri over
 * the real urllib and json modules; the error for a bracketed host that is
 * no address is the one deliberate difference (Python quotes the host,
 * which can be part of a password).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "testutil.h"
#include "airflow.h"
#include "buf.h"
#include "conn.h"
#include "err.h"
#include "pyjson.h"
#include "uri.h"

#define V210	{ 2, 10, 0 }
#define V310	{ 3, 1, 0 }
#define V315	{ 3, 1, 5 }
#define V316	{ 3, 1, 6 }
#define V32	{ 3, 2, 0 }
#define VNEW	{ 0, 0, 0 }

/* A connection's URI fields; NULL is None, port -1 is None. */
struct fields {
	const char	*conn_type;
	const char	*host;
	const char	*schema;
	const char	*login;
	const char	*password;
	long		 port;
	const char	*extra;
};

#define NOFIELDS	{ NULL, NULL, NULL, NULL, NULL, -1, NULL }

struct parse_case {
	const char		*name;
	const char		*uri;
	struct airflow_version	 v;
	const char		*error;		/* expected message, or NULL */
	struct fields		 f;
	const char		*get_uri;	/* get_uri() of the result */
	int			 round_trip;	/* parsing get_uri gives f again */
};

struct format_case {
	const char		*name;
	struct airflow_version	 v;
	struct fields		 in;
	const char		*uri;		/* get_uri() */
	const char		*masked;	/* what `connections add` prints */
	const char		*back_error;	/* parsing uri fails so, or NULL */
	struct fields		 back;		/* else gives this */
};

struct quote_case {
	const char	*s;
	size_t		 len;
	const char	*quoted;	/* quote(s, safe="") */
	const char	*plus;		/* quote_plus(s) */
};

/* -- expected values (generated with /usr/bin/python3, see above) -------- */

static const struct parse_case parse_cases[] = {
	{ "af full", "type://user:pass@host:100/schema", VNEW, NULL,
	    { "type", "host", "schema", "user",
	    "pass", 100, NULL },
	    "type://user:pass@host:100/schema", 1 },
	{ "af no port", "type://user:pass@host/schema", VNEW, NULL,
	    { "type", "host", "schema", "user",
	    "pass", -1, NULL },
	    "type://user:pass@host/schema", 1 },
	{ "af params", "type://user:pass@host/schema?param1=val1&param2=val2", V32, NULL,
	    { "type", "host", "schema", "user",
	    "pass", -1, "{\"param1\": \"val1\", \"param2\": \"val2\"}" },
	    "type://user:pass@host/schema?param1=val1&param2=val2", 1 },
	{ "af host only", "type://host", VNEW, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, NULL },
	    "type://host", 1 },
	{ "af spark", "spark://mysparkcluster.com:80?deploy-mode=cluster&spark_binary=command&namespace=kube+namespace", V32, NULL,
	    { "spark", "mysparkcluster.com", "", NULL,
	    NULL, 80, "{\"deploy-mode\": \"cluster\", \"spark_binary\": \"command\", \"namespace\": \"kube namespace\"}" },
	    "spark://mysparkcluster.com:80/?deploy-mode=cluster&spark_binary=command&namespace=kube+namespace", 1 },
	{ "af spark k8s", "spark://k8s://100.68.0.1:443?deploy-mode=cluster", V32, NULL,
	    { "spark", "k8s://100.68.0.1", "", NULL,
	    NULL, 443, "{\"deploy-mode\": \"cluster\"}" },
	    "spark://k8s://100.68.0.1:443/?deploy-mode=cluster", 1 },
	{ "af protocol", "type://protocol://user:pass@host:123?param=value", V32, NULL,
	    { "type", "protocol://host", "", "user",
	    "pass", 123, "{\"param\": \"value\"}" },
	    "type://protocol://user:pass@host:123/?param=value", 1 },
	{ "af protocol after auth", "type://user:pass@protocol://host:port?param=value", V32,
	    "Invalid connection string.", NOFIELDS, NULL, 0 },
	{ "af typed 3.2", "type://host?int_param=123&bool_param=true&float_param=1.5&str_param=some_str", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"int_param\": 123, \"bool_param\": true, \"float_param\": 1.5, \"str_param\": \"some_str\"}" },
	    "type://host/?__extra__=%7B%22int_param%22%3A+123%2C+%22bool_param%22%3A+true%2C+%22float_param%22%3A+1.5%2C+%22str_param%22%3A+%22some_str%22%7D", 1 },
	{ "af typed 2.10", "type://host?int_param=123&bool_param=true&float_param=1.5&str_param=some_str", V210, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"int_param\": \"123\", \"bool_param\": \"true\", \"float_param\": \"1.5\", \"str_param\": \"some_str\"}" },
	    "type://host/?int_param=123&bool_param=true&float_param=1.5&str_param=some_str", 1 },
	{ "af __extra__", "type://host?__extra__=%7B%22foo%22%3A+%22bar%22%7D", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"foo\": \"bar\"}" },
	    "type://host/?foo=bar", 1 },
	{ "af without extras", "scheme://user:password@host%2Flocation:1234/schema", V210, NULL,
	    { "scheme", "host/location", "schema", "user",
	    "password", 1234, NULL },
	    "scheme://user:password@host%2Flocation:1234/schema", 1 },
	{ "af with extras", "scheme://user:password@host%2Flocation:1234/schema?extra1=a%20value&extra2=%2Fpath%2F", V210, NULL,
	    { "scheme", "host/location", "schema", "user",
	    "password", 1234, "{\"extra1\": \"a value\", \"extra2\": \"/path/\"}" },
	    "scheme://user:password@host%2Flocation:1234/schema?extra1=a+value&extra2=%2Fpath%2F", 1 },
	{ "af nested json", "scheme://user:password@host%2Flocation:1234/schema?__extra__=%7B%22my_val%22%3A+%5B%22list%22%2C+%22of%22%2C+%22values%22%5D%2C+%22extra%22%3A+%7B%22nested%22%3A+%7B%22json%22%3A+%22val%22%7D%7D%7D", V32, NULL,
	    { "scheme", "host/location", "schema", "user",
	    "password", 1234, "{\"my_val\": [\"list\", \"of\", \"values\"], \"extra\": {\"nested\": {\"json\": \"val\"}}}" },
	    "scheme://user:password@host%2Flocation:1234/schema?__extra__=%7B%22my_val%22%3A+%5B%22list%22%2C+%22of%22%2C+%22values%22%5D%2C+%22extra%22%3A+%7B%22nested%22%3A+%7B%22json%22%3A+%22val%22%7D%7D%7D", 1 },
	{ "af empty extras", "scheme://user:password@host%2Flocation:1234/schema?extra1=a%20value&extra2=", V32, NULL,
	    { "scheme", "host/location", "schema", "user",
	    "password", 1234, "{\"extra1\": \"a value\", \"extra2\": \"\"}" },
	    "scheme://user:password@host%2Flocation:1234/schema?extra1=a+value&extra2=", 1 },
	{ "af colon in host", "scheme://user:password@host%2Flocation%3Ax%3Ay:1234/schema?extra1=a%20value&extra2=%2Fpath%2F", V32, NULL,
	    { "scheme", "host/location:x:y", "schema", "user",
	    "password", 1234, "{\"extra1\": \"a value\", \"extra2\": \"/path/\"}" },
	    "scheme://user:password@host%2Flocation%3Ax%3Ay:1234/schema?extra1=a+value&extra2=%2Fpath%2F", 1 },
	{ "af encoded password", "scheme://user:password%20with%20space@host%2Flocation%3Ax%3Ay:1234/schema", V32, NULL,
	    { "scheme", "host/location:x:y", "schema", "user",
	    "password with space", 1234, NULL },
	    "scheme://user:password%20with%20space@host%2Flocation%3Ax%3Ay:1234/schema", 1 },
	{ "af encoded user", "scheme://domain%2Fuser:password@host%2Flocation%3Ax%3Ay:1234/schema", V32, NULL,
	    { "scheme", "host/location:x:y", "schema", "domain/user",
	    "password", 1234, NULL },
	    "scheme://domain%2Fuser:password@host%2Flocation%3Ax%3Ay:1234/schema", 1 },
	{ "af encoded schema", "scheme://user:password%20with%20space@host:1234/schema%2Ftest", V32, NULL,
	    { "scheme", "host", "schema/test", "user",
	    "password with space", 1234, NULL },
	    "scheme://user:password%20with%20space@host:1234/schema%2Ftest", 1 },
	{ "af no schema", "scheme://user:password%20with%20space@host:1234", V32, NULL,
	    { "scheme", "host", "", "user",
	    "password with space", 1234, NULL },
	    "scheme://user:password%20with%20space@host:1234", 1 },
	{ "af underscore type", "google-cloud-platform://?key_path=%2Fkeys%2Fkey.json&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform&project=airflow", V32, NULL,
	    { "google_cloud_platform", "", "", NULL,
	    NULL, -1, "{\"key_path\": \"/keys/key.json\", \"scope\": \"https://www.googleapis.com/auth/cloud-platform\", \"project\": \"airflow\"}" },
	    "google-cloud-platform:///?key_path=%2Fkeys%2Fkey.json&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcloud-platform&project=airflow", 1 },
	{ "af without auth", "scheme://host:1234", V32, NULL,
	    { "scheme", "host", "", NULL,
	    NULL, 1234, NULL },
	    "scheme://host:1234", 1 },
	{ "af with path", "scheme://%2FTmP%2F:1234", V32, NULL,
	    { "scheme", "/TmP/", "", NULL,
	    NULL, 1234, NULL },
	    "scheme://%2FTmP%2F:1234", 1 },
	{ "af schema only", "scheme:///airflow", V32, NULL,
	    { "scheme", "", "airflow", NULL,
	    NULL, -1, NULL },
	    "scheme:///airflow", 1 },
	{ "af port only", "scheme://@:1234", V32, NULL,
	    { "scheme", "", "", "",
	    NULL, 1234, NULL },
	    "scheme://@:1234", 1 },
	{ "af password only", "scheme://:password%2F%21%40%23%24%25%5E%26%2A%28%29%7B%7D@", V32, NULL,
	    { "scheme", "", "", "",
	    "password/!@#$%^&*(){}", -1, NULL },
	    "scheme://:password%2F%21%40%23%24%25%5E%26%2A%28%29%7B%7D@", 1 },
	{ "af login only", "scheme://login%2F%21%40%23%24%25%5E%26%2A%28%29%7B%7D@", V32, NULL,
	    { "scheme", "", "", "login/!@#$%^&*(){}",
	    NULL, -1, NULL },
	    "scheme://login%2F%21%40%23%24%25%5E%26%2A%28%29%7B%7D@", 1 },
	{ "af empty login", "http://:password@host:80/database", V32, NULL,
	    { "http", "host", "database", "",
	    "password", 80, NULL },
	    "http://:password@host:80/database", 1 },
	{ "af empty password", "http://user:@host:80/database", V32, NULL,
	    { "http", "host", "database", "user",
	    NULL, 80, NULL },
	    "http://user@host:80/database", 1 },
	{ "af no host", "http://user:password@/database", V32, NULL,
	    { "http", "", "database", "user",
	    "password", -1, NULL },
	    "http://user:password@/database", 1 },
	{ "af slash schema", "http://user:password@host:80/", V32, NULL,
	    { "http", "host", "", "user",
	    "password", 80, NULL },
	    "http://user:password@host:80", 1 },
	{ "af slash only", "http://user:password@/", V32, NULL,
	    { "http", "", "", "user",
	    "password", -1, NULL },
	    "http://user:password@", 1 },
	{ "af postgresql socket", "postgresql://user:password@%2Ftmp%2Fz6rqdzqh%2Fexample%3Awest1%3Atestdb/testdb", V32, NULL,
	    { "postgres", "/tmp/z6rqdzqh/example:west1:testdb", "testdb", "user",
	    "password", -1, NULL },
	    "postgres://user:password@%2Ftmp%2Fz6rqdzqh%2Fexample%3Awest1%3Atestdb/testdb", 1 },
	{ "af postgresql user only", "postgresql://user@%2Ftmp%2Fz6rqdzqh%2Fexample%3Aeurope-west1%3Atestdb/testdb", V32, NULL,
	    { "postgres", "/tmp/z6rqdzqh/example:europe-west1:testdb", "testdb", "user",
	    NULL, -1, NULL },
	    "postgres://user@%2Ftmp%2Fz6rqdzqh%2Fexample%3Aeurope-west1%3Atestdb/testdb", 1 },
	{ "af postgresql host only", "postgresql://%2Ftmp%2Fz6rqdzqh%2Fexample%3Aeurope-west1%3Atestdb", V32, NULL,
	    { "postgres", "/tmp/z6rqdzqh/example:europe-west1:testdb", "", NULL,
	    NULL, -1, NULL },
	    "postgres://%2Ftmp%2Fz6rqdzqh%2Fexample%3Aeurope-west1%3Atestdb", 1 },
	{ "af quoted protocol", "spark://k8s%3a%2F%2F100.68.0.1:443?deploy-mode=cluster", V32, NULL,
	    { "spark", "k8s://100.68.0.1", "", NULL,
	    NULL, 443, "{\"deploy-mode\": \"cluster\"}" },
	    "spark://k8s://100.68.0.1:443/?deploy-mode=cluster", 1 },
	{ "af quoted protocol auth", "spark://user:password@k8s%3a%2F%2F100.68.0.1:443?deploy-mode=cluster", V32, NULL,
	    { "spark", "k8s://100.68.0.1", "", "user",
	    "password", 443, "{\"deploy-mode\": \"cluster\"}" },
	    "spark://k8s://user:password@100.68.0.1:443/?deploy-mode=cluster", 1 },
	{ "af quoted protocol user", "spark://user@k8s%3a%2F%2F100.68.0.1:443?deploy-mode=cluster", V32, NULL,
	    { "spark", "k8s://100.68.0.1", "", "user",
	    NULL, 443, "{\"deploy-mode\": \"cluster\"}" },
	    "spark://k8s://user@100.68.0.1:443/?deploy-mode=cluster", 1 },
	{ "af quoted protocol no port", "spark://k8s%3a%2F%2Fno.port.com?deploy-mode=cluster", V32, NULL,
	    { "spark", "k8s://no.port.com", "", NULL,
	    NULL, -1, "{\"deploy-mode\": \"cluster\"}" },
	    "spark://k8s://no.port.com/?deploy-mode=cluster", 1 },
	{ "af no type", "//abc", V32, NULL,
	    { "", "abc", "", NULL,
	    NULL, -1, NULL },
	    "//abc", 1 },
	{ "af aws empty", "aws://", V32, NULL,
	    { "aws", "", "", NULL,
	    NULL, -1, NULL },
	    "aws://", 1 },
	{ "af env password", "postgresql://username:password%21@ec2.compute.com:5432/the_database", V32, NULL,
	    { "postgres", "ec2.compute.com", "the_database", "username",
	    "password!", 5432, NULL },
	    "postgres://username:password%21@ec2.compute.com:5432/the_database", 1 },
	{ "encoded specials", "type://us%2Fer%3A%40x:pa%2Fss%3A%40w@ho%2Fst%3A%40h:5432/d%2Fb%3A%40", V32, NULL,
	    { "type", "ho/st:@h", "d/b:@", "us/er:@x",
	    "pa/ss:@w", 5432, NULL },
	    "type://us%2Fer%3A%40x:pa%2Fss%3A%40w@ho%2Fst%3A%40h:5432/d%2Fb%3A%40", 1 },
	{ "raw colon in password", "type://user:pa:ss@host", V32, NULL,
	    { "type", "host", "", "user",
	    "pa:ss", -1, NULL },
	    "type://user:pa%3Ass@host", 1 },
	{ "raw at in password", "type://user:p@ss@host", V32, NULL,
	    { "type", "host", "", "user",
	    "p@ss", -1, NULL },
	    "type://user:p%40ss@host", 1 },
	{ "empty login and password", "type://:@host", V32, NULL,
	    { "type", "host", "", "",
	    NULL, -1, NULL },
	    "type://host", 0 },
	{ "login no password", "type://user@host", V32, NULL,
	    { "type", "host", "", "user",
	    NULL, -1, NULL },
	    "type://user@host", 1 },
	{ "empty login", "type://@host", V32, NULL,
	    { "type", "host", "", "",
	    NULL, -1, NULL },
	    "type://host", 0 },
	{ "no host schema", "type:///db", V32, NULL,
	    { "type", "", "db", NULL,
	    NULL, -1, NULL },
	    "type:///db", 1 },
	{ "nothing", "type://", V32, NULL,
	    { "type", "", "", NULL,
	    NULL, -1, NULL },
	    "type://", 1 },
	{ "schema with slashes", "type://host/a/b", V32, NULL,
	    { "type", "host", "a/b", NULL,
	    NULL, -1, NULL },
	    "type://host/a%2Fb", 1 },
	{ "schema quoted slash", "type://host/a%2Fb", V32, NULL,
	    { "type", "host", "a/b", NULL,
	    NULL, -1, NULL },
	    "type://host/a%2Fb", 1 },
	{ "schema utf8", "type://host/sch%C3%A9ma", V32, NULL,
	    { "type", "host", "sch\303\251ma", NULL,
	    NULL, -1, NULL },
	    "type://host/sch%C3%A9ma", 1 },
	{ "schema bad utf8", "type://host/%E2%82x%FF", V32, NULL,
	    { "type", "host", "\357\277\275x\357\277\275", NULL,
	    NULL, -1, NULL },
	    "type://host/%EF%BF%BDx%EF%BF%BD", 1 },
	{ "no netloc path", "type:\303\251ab", V32, NULL,
	    { "type", "", "ab", NULL,
	    NULL, -1, NULL },
	    "type:///ab", 1 },
	{ "query plain 3.2", "type://host?a=1&b=", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"a\": 1, \"b\": \"\"}" },
	    "type://host/?__extra__=%7B%22a%22%3A+1%2C+%22b%22%3A+%22%22%7D", 1 },
	{ "query plain 2.10", "type://host?a=1&b=", V210, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"a\": \"1\", \"b\": \"\"}" },
	    "type://host/?a=1&b=", 1 },
	{ "query duplicates 3.2", "type://host?a=1&b=2&a=3", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"a\": 3, \"b\": 2}" },
	    "type://host/?__extra__=%7B%22a%22%3A+3%2C+%22b%22%3A+2%7D", 1 },
	{ "query duplicates 2.10", "type://host?a=x&b=y&a=z", V210, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"a\": \"z\", \"b\": \"y\"}" },
	    "type://host/?a=z&b=y", 1 },
	{ "query blanks", "type://host?a&b=&=c&&d", V210, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"a\": \"\", \"b\": \"\", \"\": \"c\", \"d\": \"\"}" },
	    "type://host/?a=&b=&=c&d=", 1 },
	{ "query empty", "type://host?", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, NULL },
	    "type://host", 1 },
	{ "query only separators", "type://host?&&", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{}" },
	    "type://host/?__extra__=%7B%7D", 1 },
	{ "query decoding", "type://host?x=%C3%A9&y=%FF%E2%82&z=a+b%2Bc&%E2%82%AC=%F0%9F%98%80", V210, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"x\": \"\\u00e9\", \"y\": \"\\ufffd\\ufffd\", \"z\": \"a b+c\", \"\\u20ac\": \"\\ud83d\\ude00\"}" },
	    "type://host/?x=%C3%A9&y=%EF%BF%BD%EF%BF%BD&z=a+b%2Bc&%E2%82%AC=%F0%9F%98%80", 1 },
	{ "query typed 3.1.6", "type://host?i=123&t=true&n=null&f=1.5&l=[1,2]&s=abc&q=%22q%22&nan=NaN&inf=-Infinity&big=12345678901234567890&neg=-0&e=1e400&o=%7B%22k%22%3A1%7D&bad=01&sp=+7+", V316, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"i\": 123, \"t\": true, \"n\": null, \"f\": 1.5, \"l\": [1, 2], \"s\": \"abc\", \"q\": \"q\", \"nan\": NaN, \"inf\": -Infinity, \"big\": 12345678901234567890, \"neg\": 0, \"e\": Infinity, \"o\": {\"k\": 1}, \"bad\": \"01\", \"sp\": 7}" },
	    "type://host/?__extra__=%7B%22i%22%3A+123%2C+%22t%22%3A+true%2C+%22n%22%3A+null%2C+%22f%22%3A+1.5%2C+%22l%22%3A+%5B1%2C+2%5D%2C+%22s%22%3A+%22abc%22%2C+%22q%22%3A+%22q%22%2C+%22nan%22%3A+NaN%2C+%22inf%22%3A+-Infinity%2C+%22big%22%3A+12345678901234567890%2C+%22neg%22%3A+0%2C+%22e%22%3A+Infinity%2C+%22o%22%3A+%7B%22k%22%3A+1%7D%2C+%22bad%22%3A+%2201%22%2C+%22sp%22%3A+7%7D", 1 },
	{ "query typed 3.1.5", "type://host?i=123&t=true&n=null&f=1.5&l=[1,2]&s=abc&q=%22q%22&nan=NaN&inf=-Infinity&big=12345678901234567890&neg=-0&e=1e400&o=%7B%22k%22%3A1%7D&bad=01&sp=+7+", V315, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"i\": \"123\", \"t\": \"true\", \"n\": \"null\", \"f\": \"1.5\", \"l\": \"[1,2]\", \"s\": \"abc\", \"q\": \"\\\"q\\\"\", \"nan\": \"NaN\", \"inf\": \"-Infinity\", \"big\": \"12345678901234567890\", \"neg\": \"-0\", \"e\": \"1e400\", \"o\": \"{\\\"k\\\":1}\", \"bad\": \"01\", \"sp\": \" 7 \"}" },
	    "type://host/?i=123&t=true&n=null&f=1.5&l=%5B1%2C2%5D&s=abc&q=%22q%22&nan=NaN&inf=-Infinity&big=12345678901234567890&neg=-0&e=1e400&o=%7B%22k%22%3A1%7D&bad=01&sp=+7+", 1 },
	{ "query typed newest", "type://host?l=%5B1%2C+2.0%2C+%7B%22b%22%3A+null%7D%5D", VNEW, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"l\": [1, 2.0, {\"b\": null}]}" },
	    "type://host/?__extra__=%7B%22l%22%3A+%5B1%2C+2.0%2C+%7B%22b%22%3A+null%7D%5D%7D", 1 },
	{ "__extra__ wins", "type://host?a=b&__extra__=%7B%7D&c=d", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{}" },
	    "type://host/?__extra__=%7B%7D", 1 },
	{ "__extra__ empty", "type://host?__extra__=", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "" },
	    "type://host", 0 },
	{ "__extra__ not json", "type://host?__extra__=hello", V210, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "hello" },
	    "type://host/?__extra__=hello", 1 },
	{ "protocol same as type", "http://http%3A%2F%2Fhost", V32, NULL,
	    { "http", "http://host", "", NULL,
	    NULL, -1, NULL },
	    "http://http%3A%2F%2Fhost", 1 },
	{ "protocol doubled", "http://http://host", V32, NULL,
	    { "http", "", "ost", NULL,
	    NULL, -1, NULL },
	    "http:///ost", 1 },
	{ "protocol with auth", "type://proto://u:p@h:1/s?a=b", V210, NULL,
	    { "type", "proto://h", "s", "u",
	    "p", 1, "{\"a\": \"b\"}" },
	    "type://proto://u:p@h:1/s?a=b", 1 },
	{ "protocol colon before", "type://a:b://h", V32,
	    "Invalid connection string.", NOFIELDS, NULL, 0 },
	{ "more than two separators", "a://b://c://d", V32,
	    "Invalid connection string.", NOFIELDS, NULL, 0 },
	{ "more than two with password", "type://user:secret@h://x://y", V210,
	    "Invalid connection string.", NOFIELDS, NULL, 0 },
	{ "ipv6", "type://user:pw@[::1]:5432/db", V32, NULL,
	    { "type", "::1", "db", "user",
	    "pw", 5432, NULL },
	    "type://user:pw@%3A%3A1:5432/db", 1 },
	{ "ipv6 upper zone", "type://[FE80::1%25ETH0]:80", V32, NULL,
	    { "type", "fe80::1%ETH0", "", NULL,
	    NULL, 80, NULL },
	    "type://fe80%3A%3A1%25ETH0:80", 1 },
	{ "ipv6 v4 suffix", "type://[::ffff:1.2.3.4]", V32, NULL,
	    { "type", "::ffff:1.2.3.4", "", NULL,
	    NULL, -1, NULL },
	    "type://%3A%3Affff%3A1.2.3.4", 1 },
	{ "ipv6 unclosed", "type://[::1", V32,
	    "Invalid IPv6 URL", NOFIELDS, NULL, 0 },
	{ "ipv6 unopened", "type://::1]", V32,
	    "Invalid IPv6 URL", NOFIELDS, NULL, 0 },
	{ "ipv4 in brackets", "type://[1.2.3.4]", V32,
	    "An IPv4 address cannot be in brackets", NOFIELDS, NULL, 0 },
	{ "ipvfuture", "type://[v1.fe]:1", V32, NULL,
	    { "type", "v1.fe", "", NULL,
	    NULL, 1, NULL },
	    "type://v1.fe:1", 1 },
	{ "ipvfuture invalid", "type://[vx.1]", V32,
	    "IPvFuture address is invalid", NOFIELDS, NULL, 0 },
	{ "not an address", "type://[zz]", V32,
	    "address does not appear to be an IPv4 or IPv6 address", NOFIELDS, NULL, 0 },
	{ "data before bracket", "type://x[::1]", V32,
	    "Invalid IPv6 URL", NOFIELDS, NULL, 0 },
	{ "data after bracket", "type://[::1]x", V32,
	    "Invalid IPv6 URL", NOFIELDS, NULL, 0 },
	{ "brackets in userinfo", "type://u[s]er@host", V32,
	    "address does not appear to be an IPv4 or IPv6 address", NOFIELDS, NULL, 0 },
	{ "upper case host", "type://USER:PASS@My.HOST.com:1/DB", V32, NULL,
	    { "type", "my.host.com", "DB", "USER",
	    "PASS", 1, NULL },
	    "type://USER:PASS@my.host.com:1/DB", 1 },
	{ "upper case encoded host", "type://HO%2FST", V32, NULL,
	    { "type", "HO/ST", "", NULL,
	    NULL, -1, NULL },
	    "type://HO%2FST", 1 },
	{ "upper case percent host", "type://HOST%20NAME", V32, NULL,
	    { "type", "host NAME", "", NULL,
	    NULL, -1, NULL },
	    "type://host%20NAME", 1 },
	{ "port abc", "type://host:abc", V32,
	    "Port could not be cast to integer value as 'abc'", NOFIELDS, NULL, 0 },
	{ "port quote", "type://host:a'b", V32,
	    "Port could not be cast to integer value as \"a'b\"", NOFIELDS, NULL, 0 },
	{ "port arabic digit", "type://host:\331\243", V32,
	    "Port could not be cast to integer value as '\331\243'", NOFIELDS, NULL, 0 },
	{ "port out of range", "type://host:70000", V32,
	    "Port out of range 0-65535", NOFIELDS, NULL, 0 },
	{ "port 65536", "type://host:65536", V32,
	    "Port out of range 0-65535", NOFIELDS, NULL, 0 },
	{ "port 65535", "type://host:65535", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, 65535, NULL },
	    "type://host:65535", 1 },
	{ "port negative", "type://host:-1", V32,
	    "Port could not be cast to integer value as '-1'", NOFIELDS, NULL, 0 },
	{ "port empty", "type://host:", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, NULL },
	    "type://host", 1 },
	{ "port zero", "type://host:0", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, 0, NULL },
	    "type://host", 0 },
	{ "port leading zeros", "type://host:00080", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, 80, NULL },
	    "type://host:80", 1 },
	/* Airflow would print 'pa', a part of the password: ferncon does not. */
	{ "fragment in password", "type://user:pa#ss@host", V32,
	    "Port could not be cast to integer value (the text after the host's "
	    "':' is not a number)", NOFIELDS, NULL, 0 },
	{ "postgresql", "postgresql://h", V32, NULL,
	    { "postgres", "h", "", NULL,
	    NULL, -1, NULL },
	    "postgres://h", 1 },
	{ "dash type", "my-type://h", V32, NULL,
	    { "my_type", "h", "", NULL,
	    NULL, -1, NULL },
	    "my-type://h", 1 },
	{ "upper dash type", "MY-TYPE://h", V32, NULL,
	    { "my_type", "h", "", NULL,
	    NULL, -1, NULL },
	    "my-type://h", 1 },
	{ "upper postgresql", "Postgresql://h/db", V32, NULL,
	    { "postgres", "h", "db", NULL,
	    NULL, -1, NULL },
	    "postgres://h/db", 1 },
	{ "underscore type", "my_type://host", V32, NULL,
	    { "", "", "y_type//host", NULL,
	    NULL, -1, NULL },
	    "///y_type%2F%2Fhost", 1 },
	{ "digit first type", "1type://host", V32, NULL,
	    { "", "", "type//host", NULL,
	    NULL, -1, NULL },
	    "///type%2F%2Fhost", 1 },
	{ "leading blank", " \ttype://host", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, NULL },
	    "type://host", 1 },
	{ "tab inside", "ty\tpe://ho\nst", V32, NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, NULL },
	    "type://host", 1 },
};
static const struct format_case format_cases[] = {
	{ "af get_uri", V32,
	    { "type", "host", "schema", "user",
	    "pass", 100, "{\"param1\": \"val1\", \"param2\": \"val2\"}" },
	    "type://user:pass@host:100/schema?param1=val1&param2=val2",
	    "type://user:******@host:100/schema",
	    NULL,
	    { "type", "host", "schema", "user",
	    "pass", 100, "{\"param1\": \"val1\", \"param2\": \"val2\"}" } },
	{ "af get_uri protocol", V32,
	    { "type", "protocol://host", "schema", NULL,
	    NULL, 100, "{\"param1\": \"val1\", \"param2\": \"val2\"}" },
	    "type://protocol://host:100/schema?param1=val1&param2=val2",
	    "type://:@protocol://host:100/schema",
	    NULL,
	    { "type", "protocol://host", "schema", NULL,
	    NULL, 100, "{\"param1\": \"val1\", \"param2\": \"val2\"}" } },
	{ "af get_uri protocol auth", V32,
	    { "type", "protocol://host", "schema", "user",
	    "pass", 100, "{\"param1\": \"val1\", \"param2\": \"val2\"}" },
	    "type://protocol://user:pass@host:100/schema?param1=val1&param2=val2",
	    "type://user:******@protocol://host:100/schema",
	    NULL,
	    { "type", "protocol://host", "schema", "user",
	    "pass", 100, "{\"param1\": \"val1\", \"param2\": \"val2\"}" } },
	{ "af non-string extras", V32,
	    { "type", "host", NULL, NULL,
	    NULL, -1, "{\"bool_param\": true, \"int_param\": 123, \"float_param\": 1.5, \"list_param\": [1, 2]}" },
	    "type://host/?__extra__=%7B%22bool_param%22%3A+true%2C+%22int_param%22%3A+123%2C+%22float_param%22%3A+1.5%2C+%22list_param%22%3A+%5B1%2C+2%5D%7D",
	    "type://:@host:",
	    NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"bool_param\": true, \"int_param\": 123, \"float_param\": 1.5, \"list_param\": [1, 2]}" } },
	{ "af non-string extras 2.10", V210,
	    { "type", "host", NULL, NULL,
	    NULL, -1, "{\"bool_param\": true, \"int_param\": 123, \"float_param\": 1.5, \"list_param\": [1, 2]}" },
	    "type://host/?__extra__=%7B%22bool_param%22%3A+true%2C+%22int_param%22%3A+123%2C+%22float_param%22%3A+1.5%2C+%22list_param%22%3A+%5B1%2C+2%5D%7D",
	    "type://:@host:",
	    NULL,
	    { "type", "host", "", NULL,
	    NULL, -1, "{\"bool_param\": true, \"int_param\": 123, \"float_param\": 1.5, \"list_param\": [1, 2]}" } },
	{ "af no type", V32,
	    { NULL, NULL, NULL, NULL,
	    NULL, -1, NULL },
	    "//",
	    "//:@:",
	    NULL,
	    { "", "", "", NULL,
	    NULL, -1, NULL } },
	{ "af no type host", V32,
	    { NULL, "abc", NULL, NULL,
	    NULL, -1, NULL },
	    "//abc",
	    "//:@abc:",
	    NULL,
	    { "", "abc", "", NULL,
	    NULL, -1, NULL } },
	{ "af http same protocol 3.2", V32,
	    { "http", "http://host", NULL, NULL,
	    NULL, -1, NULL },
	    "http://http%3A%2F%2Fhost",
	    "http://:@http://host:",
	    NULL,
	    { "http", "http://host", "", NULL,
	    NULL, -1, NULL } },
	{ "af http same protocol 3.1.0", V310,
	    { "http", "http://host", NULL, NULL,
	    NULL, -1, NULL },
	    "http://http%3A%2F%2Fhost",
	    "http://:@http://host:",
	    NULL,
	    { "http", "http://host", "", NULL,
	    NULL, -1, NULL } },
	{ "af http same protocol 2.10", V210,
	    { "http", "http://host", NULL, NULL,
	    NULL, -1, NULL },
	    "http://http://host",
	    "http://:@http://host:",
	    NULL,
	    { "http", "", "ost", NULL,
	    NULL, -1, NULL } },
	{ "af spark k8s", V32,
	    { "spark", "k8s://100.68.0.1:443", NULL, NULL,
	    NULL, -1, NULL },
	    "spark://k8s://100.68.0.1%3A443",
	    "spark://:@k8s://100.68.0.1:443:",
	    NULL,
	    { "spark", "k8s://100.68.0.1:443", "", NULL,
	    NULL, -1, NULL } },
	{ "underscore type", V32,
	    { "google_cloud_platform", NULL, NULL, NULL,
	    NULL, -1, NULL },
	    "google-cloud-platform://",
	    "google_cloud_platform://:@:",
	    NULL,
	    { "google_cloud_platform", "", "", NULL,
	    NULL, -1, NULL } },
	{ "upper type", V32,
	    { "My_Type", "h", NULL, NULL,
	    NULL, -1, NULL },
	    "my-type://h",
	    "My_Type://:@h:",
	    NULL,
	    { "my_type", "h", "", NULL,
	    NULL, -1, NULL } },
	{ "type same protocol case differs", V32,
	    { "my_type", "my_type://h", NULL, NULL,
	    NULL, -1, NULL },
	    "my-type://my_type%3A%2F%2Fh",
	    "my_type://:@my_type://h:",
	    NULL,
	    { "my_type", "my_type://h", "", NULL,
	    NULL, -1, NULL } },
	{ "empty protocol", V32,
	    { "type", "://h", NULL, NULL,
	    NULL, -1, NULL },
	    "type://h",
	    "type://:@://h:",
	    NULL,
	    { "type", "h", "", NULL,
	    NULL, -1, NULL } },
	{ "empty protocol empty type", V32,
	    { "", "://h", NULL, NULL,
	    NULL, -1, NULL },
	    "//%3A%2F%2Fh",
	    "//:@://h:",
	    NULL,
	    { "", "://h", "", NULL,
	    NULL, -1, NULL } },
	{ "port zero", V32,
	    { "type", "h", NULL, NULL,
	    NULL, 0, NULL },
	    "type://h",
	    "type://:@h:",
	    NULL,
	    { "type", "h", "", NULL,
	    NULL, -1, NULL } },
	{ "port only", V32,
	    { "type", NULL, NULL, NULL,
	    NULL, 1234, NULL },
	    "type://@:1234",
	    "type://:@:1234",
	    NULL,
	    { "type", "", "", "",
	    NULL, 1234, NULL } },
	{ "port empty login", V32,
	    { "type", NULL, NULL, "",
	    NULL, 1234, NULL },
	    "type://@:1234",
	    "type://:@:1234",
	    NULL,
	    { "type", "", "", "",
	    NULL, 1234, NULL } },
	{ "port password only", V32,
	    { "type", NULL, NULL, NULL,
	    "pw", 1234, NULL },
	    "type://:pw@:1234",
	    "type://:******@:1234",
	    NULL,
	    { "type", "", "", "",
	    "pw", 1234, NULL } },
	{ "schema no extra", V32,
	    { "type", "h", "db", NULL,
	    NULL, -1, NULL },
	    "type://h/db",
	    "type://:@h:/db",
	    NULL,
	    { "type", "h", "db", NULL,
	    NULL, -1, NULL } },
	{ "extra no schema", V32,
	    { "type", "h", NULL, NULL,
	    NULL, -1, "{\"a\": \"b\"}" },
	    "type://h/?a=b",
	    "type://:@h:",
	    NULL,
	    { "type", "h", "", NULL,
	    NULL, -1, "{\"a\": \"b\"}" } },
	{ "extra and schema", V32,
	    { "type", "h", "d/b", NULL,
	    NULL, -1, "{\"a\": \"b\"}" },
	    "type://h/d%2Fb?a=b",
	    "type://:@h:/d/b",
	    NULL,
	    { "type", "h", "d/b", NULL,
	    NULL, -1, "{\"a\": \"b\"}" } },
	{ "extra spaces", V32,
	    { "type", "h", NULL, NULL,
	    NULL, -1, "{\"a b\": \"c d+e&f=g\", \"\303\251\": \"\360\237\230\200\"}" },
	    "type://h/?a+b=c+d%2Be%26f%3Dg&%C3%A9=%F0%9F%98%80",
	    "type://:@h:",
	    NULL,
	    { "type", "h", "", NULL,
	    NULL, -1, "{\"a b\": \"c d+e&f=g\", \"\\u00e9\": \"\\ud83d\\ude00\"}" } },
	{ "extra empty value", V32,
	    { "type", "h", NULL, NULL,
	    NULL, -1, "{\"a\": \"\", \"\": \"x\"}" },
	    "type://h/?a=&=x",
	    "type://:@h:",
	    NULL,
	    { "type", "h", "", NULL,
	    NULL, -1, "{\"a\": \"\", \"\": \"x\"}" } },
	{ "extra not json", V32,
	    { "type", "h", NULL, NULL,
	    NULL, -1, "hi there" },
	    "type://h/?__extra__=hi+there",
	    "type://:@h:",
	    NULL,
	    { "type", "h", "", NULL,
	    NULL, -1, "hi there" } },
	{ "extra empty object", V32,
	    { "type", "h", NULL, NULL,
	    NULL, -1, "{}" },
	    "type://h/?__extra__=%7B%7D",
	    "type://:@h:",
	    NULL,
	    { "type", "h", "", NULL,
	    NULL, -1, "{}" } },
	{ "extra list", V32,
	    { "type", "h", NULL, NULL,
	    NULL, -1, "[\"a\"]" },
	    "type://h/?__extra__=%5B%22a%22%5D",
	    "type://:@h:",
	    NULL,
	    { "type", "h", "", NULL,
	    NULL, -1, "[\"a\"]" } },
	{ "extra duplicate keys", V32,
	    { "type", "h", NULL, NULL,
	    NULL, -1, "{\"a\": \"1\", \"b\": \"2\", \"a\": \"3\"}" },
	    "type://h/?a=3&b=2",
	    "type://:@h:",
	    NULL,
	    { "type", "h", "", NULL,
	    NULL, -1, "{\"a\": 3, \"b\": 2}" } },
	{ "extra duplicate typed", V32,
	    { "type", "h", NULL, NULL,
	    NULL, -1, "{\"a\": 1, \"a\": \"x\"}" },
	    "type://h/?a=x",
	    "type://:@h:",
	    NULL,
	    { "type", "h", "", NULL,
	    NULL, -1, "{\"a\": \"x\"}" } },
	{ "extra null value", V210,
	    { "type", "h", NULL, NULL,
	    NULL, -1, "{\"a\": null}" },
	    "type://h/?__extra__=%7B%22a%22%3A+null%7D",
	    "type://:@h:",
	    NULL,
	    { "type", "h", "", NULL,
	    NULL, -1, "{\"a\": null}" } },
	{ "extra nested", V32,
	    { "type", "h", "s", NULL,
	    NULL, -1, "{\"a\": {\"b\": [\"c\"]}}" },
	    "type://h/s?__extra__=%7B%22a%22%3A+%7B%22b%22%3A+%5B%22c%22%5D%7D%7D",
	    "type://:@h:/s",
	    NULL,
	    { "type", "h", "s", NULL,
	    NULL, -1, "{\"a\": {\"b\": [\"c\"]}}" } },
	{ "extra empty string", V32,
	    { "type", "h", NULL, NULL,
	    NULL, -1, "" },
	    "type://h",
	    "type://:@h:",
	    NULL,
	    { "type", "h", "", NULL,
	    NULL, -1, NULL } },
	{ "specials", V32,
	    { "type", "h o/st", "s ch/ema", "us er@x",
	    "p@ss:w/rd?#&=+%~", 5432, NULL },
	    "type://us%20er%40x:p%40ss%3Aw%2Frd%3F%23%26%3D%2B%25~@h%20o%2Fst:5432/s%20ch%2Fema",
	    "type://us er@x:******@h o/st:5432/s ch/ema",
	    NULL,
	    { "type", "h o/st", "s ch/ema", "us er@x",
	    "p@ss:w/rd?#&=+%~", 5432, NULL } },
	{ "unicode", V32,
	    { "type", "h\303\264st", "\303\251", "\303\251",
	    "\360\237\230\200", -1, NULL },
	    "type://%C3%A9:%F0%9F%98%80@h%C3%B4st/%C3%A9",
	    "type://\303\251:******@h\303\264st:/\303\251",
	    NULL,
	    { "type", "h\303\264st", "\303\251", "\303\251",
	    "\360\237\230\200", -1, NULL } },
	{ "empty login password", V32,
	    { "type", "h", NULL, "",
	    "", -1, NULL },
	    "type://:@h",
	    "type://:@h:",
	    NULL,
	    { "type", "h", "", "",
	    NULL, -1, NULL } },
	{ "password no login", V32,
	    { "type", "h", NULL, NULL,
	    "pw", -1, NULL },
	    "type://:pw@h",
	    "type://:******@h:",
	    NULL,
	    { "type", "h", "", "",
	    "pw", -1, NULL } },
	{ "ipv6 host", V32,
	    { "type", "::1", NULL, NULL,
	    NULL, 5432, NULL },
	    "type://%3A%3A1:5432",
	    "type://:@::1:5432",
	    NULL,
	    { "type", "::1", "", NULL,
	    NULL, 5432, NULL } },
	{ "masked postgres", V32,
	    { "postgres", "host", "airflow", "airflow",
	    "pw", 5432, NULL },
	    "postgres://airflow:pw@host:5432/airflow",
	    "postgres://airflow:******@host:5432/airflow",
	    NULL,
	    { "postgres", "host", "airflow", "airflow",
	    "pw", 5432, NULL } },
	{ "masked schema slash", V32,
	    { "type", "h", "/abs", NULL,
	    NULL, -1, NULL },
	    "type://h/%2Fabs",
	    "type://:@h:/abs",
	    NULL,
	    { "type", "h", "/abs", NULL,
	    NULL, -1, NULL } },
};
static const struct quote_case quote_cases[] = {
	{ "", 0, "", "" },
	{ "abc", 3, "abc", "abc" },
	{ "A-Z_a.z~09", 10, "A-Z_a.z~09", "A-Z_a.z~09" },
	{ "a b", 3, "a%20b", "a+b" },
	{ "a+b", 3, "a%2Bb", "a%2Bb" },
	{ "/?#[]@!$&'()*+,;=%", 18, "%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%25", "%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D%25" },
	{ "\303\251\360\237\230\200", 6, "%C3%A9%F0%9F%98%80", "%C3%A9%F0%9F%98%80" },
	{ "\000\001\177", 3, "%00%01%7F", "%00%01%7F" },
};

/* -- helpers ------------------------------------------------------------- */

static int failures;

static void
check_str(const char *name, const char *what, const char *exp,
    const char *got)
{
	if ((exp == NULL) != (got == NULL) ||
	    (exp != NULL && strcmp(exp, got) != 0)) {
		print_error("case '%s': %s: expected %s%s%s, got %s%s%s\n", name,
		    what, exp ? "'" : "", exp ? exp : "None", exp ? "'" : "",
		    got ? "'" : "", got ? got : "None", got ? "'" : "");
		failures++;
	}
}

static void
check_long(const char *name, const char *what, long exp, long got)
{
	if (exp != got) {
		print_error("case '%s': %s: expected %ld, got %ld\n", name, what,
		    exp, got);
		failures++;
	}
}

static void
check_fields(const char *name, const struct fields *f, const struct conn *c)
{
	check_str(name, "conn_type", f->conn_type, c->conn_type);
	check_str(name, "host", f->host, c->host);
	check_str(name, "schema", f->schema, c->schema);
	check_str(name, "login", f->login, c->login);
	check_str(name, "password", f->password, c->password);
	check_long(name, "port", f->port, c->has_port ? c->port : -1);
	check_str(name, "extra", f->extra, c->extra);
}

static void
set_fields(struct conn *c, const struct fields *f)
{
	struct err e;

	assert_int_equal(conn_set_str(c, &c->conn_type, f->conn_type, &e), 0);
	assert_int_equal(conn_set_str(c, &c->host, f->host, &e), 0);
	assert_int_equal(conn_set_str(c, &c->schema, f->schema, &e), 0);
	assert_int_equal(conn_set_str(c, &c->login, f->login, &e), 0);
	assert_int_equal(conn_set_str(c, &c->password, f->password, &e), 0);
	assert_int_equal(conn_set_str(c, &c->extra, f->extra, &e), 0);
	c->has_port = f->port >= 0;
	c->port = f->port >= 0 ? f->port : 0;
}

/* A connection with every field already set, to see what parsing replaces. */
static struct conn *
conn_filled(void)
{
	static const struct fields old = { "old", "old", "old", "old", "old",
	    1, "{\"old\": \"1\"}" };
	struct conn *c = conn_new();
	struct err e;

	assert_non_null(c);
	set_fields(c, &old);
	assert_int_equal(conn_set_str(c, &c->conn_id, "keep", &e), 0);
	assert_int_equal(conn_set_str(c, &c->description, "kept", &e), 0);
	return c;
}

/* json.loads(a) == json.loads(b), or a == b when either is not JSON. */
static int
extra_equal(const char *a, const char *b)
{
	cJSON *ja, *jb;
	struct buf x, y;
	struct err e;
	int eq;

	if (a == NULL || b == NULL)
		return a == b;
	ja = pyjson_loads(a, strlen(a));
	jb = pyjson_loads(b, strlen(b));
	if (ja == NULL || jb == NULL) {
		eq = strcmp(a, b) == 0;
	} else {
		buf_init(&x, 1);
		buf_init(&y, 1);
		assert_int_equal(pyjson_dumps(ja, NULL, &x, &e), 0);
		assert_int_equal(pyjson_dumps(jb, NULL, &y, &e), 0);
		eq = strcmp(buf_str(&x), buf_str(&y)) == 0;
		buf_release(&x);
		buf_release(&y);
	}
	pyjson_free(ja);
	pyjson_free(jb);
	return eq;
}

/* -- tests --------------------------------------------------------------- */

/* _parse_from_uri: every field, or the error and an untouched record. */
static void
test_parse(void **state)
{
	const struct parse_case *pc;
	struct conn *c;
	struct err e;
	int rc;

	(void)state;
	failures = 0;
	for (pc = parse_cases; pc < parse_cases + ARRAY_LEN(parse_cases); pc++) {
		c = conn_filled();
		err_clear(&e);
		rc = uri_parse(pc->uri, &pc->v, c, &e);
		if (pc->error != NULL) {
			check_long(pc->name, "rc", -1, rc);
			check_long(pc->name, "code", ERR_INVALID, e.code);
			check_str(pc->name, "error", pc->error,
			    rc != 0 ? e.msg : NULL);
			check_str(pc->name, "host kept", "old", c->host);
			check_str(pc->name, "password kept", "old", c->password);
		} else {
			check_str(pc->name, "error", NULL, rc != 0 ? e.msg : NULL);
			if (rc == 0)
				check_fields(pc->name, &pc->f, c);
		}
		check_str(pc->name, "conn_id", "keep", c->conn_id);
		check_str(pc->name, "description", "kept", c->description);
		conn_free(c);
	}
	assert_int_equal(failures, 0);
}

/* get_uri() of each parsed connection, and parsing that back. */
static void
test_parse_format_round_trip(void **state)
{
	const struct parse_case *pc;
	struct conn *c, *back;
	struct buf out;
	struct err e;

	(void)state;
	failures = 0;
	for (pc = parse_cases; pc < parse_cases + ARRAY_LEN(parse_cases); pc++) {
		if (pc->error != NULL)
			continue;
		c = conn_new();
		back = conn_new();
		buf_init(&out, 1);
		assert_int_equal(uri_parse(pc->uri, &pc->v, c, &e), 0);
		assert_int_equal(uri_format(c, &pc->v, &out, &e), 0);
		check_str(pc->name, "get_uri", pc->get_uri, buf_str(&out));
		assert_int_equal(uri_parse(buf_str(&out), &pc->v, back, &e), 0);
		if (pc->round_trip) {
			check_str(pc->name, "round trip conn_type", c->conn_type,
			    back->conn_type);
			check_str(pc->name, "round trip host", c->host, back->host);
			check_str(pc->name, "round trip schema", c->schema,
			    back->schema);
			check_str(pc->name, "round trip login", c->login,
			    back->login);
			check_str(pc->name, "round trip password", c->password,
			    back->password);
			check_long(pc->name, "round trip port",
			    c->has_port ? c->port : -1,
			    back->has_port ? back->port : -1);
			if (!extra_equal(c->extra, back->extra)) {
				print_error("case '%s': round trip extra: '%s' "
				    "against '%s'\n", pc->name, c->extra,
				    back->extra);
				failures++;
			}
		}
		buf_release(&out);
		conn_free(back);
		conn_free(c);
	}
	assert_int_equal(failures, 0);
}

/* get_uri() and the masked form of hand-built connections, parsed back. */
static void
test_format(void **state)
{
	const struct format_case *fc;
	struct conn *c, *back;
	struct buf out, masked;
	struct err e;
	int rc;

	(void)state;
	failures = 0;
	for (fc = format_cases; fc < format_cases + ARRAY_LEN(format_cases);
	    fc++) {
		c = conn_new();
		assert_non_null(c);
		set_fields(c, &fc->in);
		buf_init(&out, 1);
		buf_init(&masked, 0);
		assert_int_equal(uri_format(c, &fc->v, &out, &e), 0);
		check_str(fc->name, "get_uri", fc->uri, buf_str(&out));
		uri_format_masked(c, &masked);
		assert_int_equal(buf_check(&masked, &e), 0);
		check_str(fc->name, "masked", fc->masked, buf_str(&masked));

		back = conn_new();
		rc = uri_parse(buf_str(&out), &fc->v, back, &e);
		if (fc->back_error != NULL)
			check_str(fc->name, "parse back error", fc->back_error,
			    rc != 0 ? e.msg : NULL);
		else if (rc != 0)
			check_str(fc->name, "parse back error", NULL, e.msg);
		else
			check_fields(fc->name, &fc->back, back);
		conn_free(back);
		buf_release(&masked);
		buf_release(&out);
		conn_free(c);
	}
	assert_int_equal(failures, 0);
}

static void
test_quote(void **state)
{
	const struct quote_case *qc;
	struct buf b;

	(void)state;
	for (qc = quote_cases; qc < quote_cases + ARRAY_LEN(quote_cases); qc++) {
		buf_init(&b, 0);
		uri_quote(&b, qc->s, qc->len);
		assert_string_equal(buf_str(&b), qc->quoted);
		buf_reset(&b);
		uri_quote_plus(&b, qc->s, qc->len);
		assert_string_equal(buf_str(&b), qc->plus);
		buf_release(&b);
	}
}

/* A message never carries the URI, nor the password in it. */
static void
test_errors_hide_password(void **state)
{
	static const char *const uris[] = {
		"type://user:s3cr3t@h://x://y",
		"type://user:s3cr3t@protocol://h",
		"type://user:s3cr3t@[zz]",
		"type://us[er:s3cr3t@h]",
		"type://user:s3cr3t@h:99999",
		"type://user:s3cr3t@h:port",
	};
	struct airflow_version v210 = V210, vnew = VNEW;
	struct conn *c = conn_new();
	struct err e;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(uris); i++) {
		assert_int_equal(uri_parse(uris[i], &v210, c, &e), -1);
		assert_null(strstr(e.msg, "s3cr3t"));
		assert_null(strstr(e.msg, "user"));
		assert_int_equal(uri_parse(uris[i], &vnew, c, &e), -1);
		assert_null(strstr(e.msg, "s3cr3t"));
	}
	assert_int_equal(uri_parse(NULL, &vnew, c, &e), -1);
	assert_string_equal(e.msg, "Invalid connection string.");
	conn_free(c);
}

/* A NULL version is the newest behaviour, as major 0 is. */
static void
test_null_version(void **state)
{
	struct conn *c = conn_new();
	struct buf b;
	struct err e;

	(void)state;
	assert_int_equal(uri_parse("type://h?a=1&b=x", NULL, c, &e), 0);
	assert_string_equal(c->extra, "{\"a\": 1, \"b\": \"x\"}");
	assert_int_equal(conn_set_str(c, &c->conn_type, "http", &e), 0);
	assert_int_equal(conn_set_str(c, &c->host, "http://h", &e), 0);
	assert_int_equal(conn_set_str(c, &c->extra, NULL, &e), 0);
	buf_init(&b, 1);
	assert_int_equal(uri_format(c, NULL, &b, &e), 0);
	assert_string_equal(buf_str(&b), "http://http%3A%2F%2Fh");
	buf_release(&b);
	conn_free(c);
}

/* Fields the URI lacks are reset: nothing of the old record leaks through. */
static void
test_parse_resets_fields(void **state)
{
	struct airflow_version v = V32;
	struct conn *c = conn_filled();
	struct err e;

	(void)state;
	assert_int_equal(uri_parse("type://h", &v, c, &e), 0);
	assert_null(c->login);
	assert_null(c->password);
	assert_null(c->extra);
	assert_int_equal(c->has_port, 0);
	assert_string_equal(c->schema, "");
	assert_string_equal(c->conn_id, "keep");
	conn_free(c);
}

/*
 * %00 in the password: unquote() gives '\x00', kept with its length
 * (password_len), and get_uri() quotes it back (quote(password, safe=""));
 * a NUL elsewhere is refused. Python 3.11 gives '\x00a\x00' and
 * type://u:%00a%00@host/s for the first URI.
 */
static void
test_password_nul(void **state)
{
	struct airflow_version v = V32;
	struct conn *c = conn_new();
	struct buf b;
	struct err e;

	(void)state;
	assert_int_equal(uri_parse("type://u:%00a%00@host/s", &v, c, &e), 0);
	assert_int_equal(c->password_len, 3);
	assert_memory_equal(c->password, "\0a\0", 4);
	buf_init(&b, 1);
	assert_int_equal(uri_format(c, &v, &b, &e), 0);
	assert_string_equal(buf_str(&b), "type://u:%00a%00@host/s");
	buf_reset(&b);
	uri_format_masked(c, &b);
	assert_string_equal(buf_str(&b), "type://u:******@host:/s");
	buf_release(&b);
	/* the URI or the values, never both: a NUL password counts */
	conn_clear(c);
	assert_int_equal(uri_conn_json(c, "{\"uri\": \"type://h\", \"password\": "
	    "\"\\u0000\"}", &v, 0, &e), -1);
	assert_non_null(strstr(e.msg, "You can't mix these two ways"));
	conn_clear(c);
	assert_int_equal(uri_parse("type://u%00:p@host", &v, c, &e), -1);
	assert_non_null(strstr(e.msg, "`login` holds a NUL character"));
	conn_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_format_round_trip),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_errors_hide_password),
		cmocka_unit_test(test_null_version),
		cmocka_unit_test(test_parse_resets_fields),
		cmocka_unit_test(test_password_nul),
	};

	tu_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
