/*
 * transfer.h: `connections export` and `connections import` in Airflow's
 * file formats, byte for byte (doc/airflow-compat.md section 5):
 *
 *   json  json.dumps({conn_id: {...}}, indent=2), no trailing newline; each
 *         connection's keys in the order conn_type, description, login,
 *         password, host, port, schema, extra; extra is the JSON *string*
 *   yaml  PyYAML safe_dump of the same dict (keys sorted, block style)
 *   env   one line per connection: conn_id=<get_uri()> or, with the json
 *         serialization, conn_id=<json.dumps(dict)>
 *
 * Export writes plaintext secrets; the caller creates the file with mode
 * 0600 and checks the role. Import reads the same formats (and .yml) as
 * airflow/secrets/local_filesystem.py does (apache/airflow commit c873bd5:
 * load_connections_dict() at line 256), into records the caller writes;
 * transfer_read_vars() reads a `variables import` file of Airflow 3.1 the
 * same way.
 */
#ifndef FERNCON_TRANSFER_H
#define FERNCON_TRANSFER_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "airflow.h"
#include "compiler.h"
#include "conn.h"
#include "err.h"

enum transfer_format {
	TRANSFER_JSON,
	TRANSFER_YAML,
	TRANSFER_ENV,
};

enum transfer_serialization {
	TRANSFER_SER_URI,	/* env only, the default */
	TRANSFER_SER_JSON,
};

/*
 * Choose the format as Airflow does: explicit (--file-format, may be NULL)
 * or the extension of path (.json, .yaml, .yml only for import, .env);
 * stdout ("-") is json. serialization (NULL when not given) is valid only
 * for env. Errors are ERR_USAGE with Airflow's messages: "Unsupported file
 * format. The file must have the extension .yaml, .json, .env." and
 * "Option `--serialization-format` may only be used with file type `env`."
 */
int transfer_pick_format(const char *path, const char *explicit_format,
    const char *serialization, int for_import, enum transfer_format *fmt,
    enum transfer_serialization *ser, struct err *e) ATTR_WUR;

/* -- export -------------------------------------------------------------- */

struct transfer_writer;

/*
 * Start an export to f (not closed by the writer). v selects get_uri()'s
 * version rules for env/uri. Connections are then added in conn_id order,
 * as plaintext records; nothing is held but the current one (the json and
 * env writers stream; yaml streams too, through libyaml's emitter).
 */
int transfer_writer_new(struct transfer_writer **out, FILE *f,
    enum transfer_format fmt, enum transfer_serialization ser,
    const struct airflow_version *v, struct err *e) ATTR_WUR;

/*
 * Add one connection (conn_id must be set). The yaml writer needs conn_ids
 * in strictly increasing byte order, as PyYAML sorts keys (code point
 * order is byte order in UTF-8): an out-of-order one is ERR_INVALID. A
 * write failure is ERR_IO. After any error the writer only fails.
 */
int transfer_writer_add(struct transfer_writer *w, const struct conn *c,
    struct err *e) ATTR_WUR;

/* Write the closing text; the number of connections written goes to *n. */
int transfer_writer_finish(struct transfer_writer *w, size_t *n,
    struct err *e) ATTR_WUR;

/* Free (after finish or on an error path). NULL does nothing. */
void transfer_writer_free(struct transfer_writer *w);

/* -- yaml of any value --------------------------------------------------- */

/*
 * yaml.safe_dump of JSON values (mappings with sorted keys, block style,
 * PyYAML's quoting), for `-o yaml`. With sequence, the document is a list
 * and each transfer_yaml_add() appends one item (streaming); without, it
 * takes exactly one value. Finish with transfer_yaml_finish(), free with
 * transfer_writer_free().
 */
int transfer_yaml_new(struct transfer_writer **out, FILE *f, int sequence,
    struct err *e) ATTR_WUR;
int transfer_yaml_add(struct transfer_writer *w, const cJSON *v,
    struct err *e) ATTR_WUR;
int transfer_yaml_finish(struct transfer_writer *w, struct err *e) ATTR_WUR;

/* -- import -------------------------------------------------------------- */

/* The connections of an import file, in file order. */
struct transfer_set {
	struct conn	**conns;	/* plaintext records, conn_id set */
	unsigned char	 *extra_unset;	/* per conns[i]: 1 when the entry did
					   not assign extra (a URI without a
					   query), so that a merge keeps the
					   stored one */
	size_t		  n;
};

/*
 * Read an import file (format from its extension: .env, .json, .yaml,
 * .yml), or standard input for path "-", as json. In json and yaml a list
 * of one value stands for the value and an empty list for none (the older
 * form). A string value is parsed as a URI (uri_parse with version v); an
 * object goes through Airflow's Connection(**value) rules: allowed keys
 * conn_type, description, host, login, password, schema, port, extra,
 * extra_dejson (not with extra), uri (not with the others); conn_type not
 * normalised. Errors (ERR_INVALID / ERR_IO) use Airflow's messages
 * ("Missing connections file.", "Invalid line format. The line should
 * contain at least one equal sign (\"=\").", ConnectionNotUnique for a
 * duplicate key, ...) and name the file and the line where one is known,
 * as "<path>:<line>: <message>"; they never hold a value of the file
 * other than a conn_id, a key or a bad port. As in Python, a key repeated
 * in a json or yaml mapping keeps its last value; port goes through
 * int(). On error the set is empty. Free the set with transfer_set_free().
 */
int transfer_read(const char *path, const struct airflow_version *v,
    struct transfer_set *out, struct err *e) ATTR_WUR;

void transfer_set_free(struct transfer_set *set);

/*
 * The variables of an import file as load_variables() of Airflow 3.1 and
 * later reads them (airflow-core/src/airflow/secrets/local_filesystem.py,
 * lines 234-262 at apache/airflow commit e0b55c2),
 * a JSON object of key to value in file order, in *out (free with
 * pyjson_free(), which wipes its strings). text (len bytes) is the file
 * the caller read from path, in the format of path's extension (.env,
 * .json, .yaml, .yml; "-", standard input, is json):
 *
 *   env   every value a str; a key given twice is VariableNotUnique
 *         ('The "<path>" file contains multiple values for keys: [...]')
 *   json  json.loads() of the file, an object
 *   yaml  yaml.safe_load() of the file, a mapping; each value as the JSON
 *         json.dumps() writes of it (a date or bytes value is refused,
 *         as json.dumps() refuses it), every key a str
 *
 * Errors (ERR_INVALID) are Airflow's messages ("Unsupported file format.
 * The file must have one of the following extensions: .env .json .yaml
 * .yml", "The file is empty.", "The file should contain the object.",
 * "Invalid line format. ...") named by "<path>:<line>: " as
 * transfer_read()'s are; a yaml file has transfer_read()'s bounds.
 */
int transfer_read_vars(const char *path, const char *text, size_t len,
    cJSON **out, struct err *e) ATTR_WUR;

#endif
