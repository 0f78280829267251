/*
 * transfer_int.h: what the files of the transfer module share (private to
 * src/transfer*.c and src/pyyaml.c): transfer.c (formats, export writers,
 * import files, Connection(**dict)), transfer_tree.c (the tree of Python
 * values an imported file holds, dict() and json.dumps() of it) and
 * pyyaml.c (PyYAML's resolver, emitter set-up and composer, pyyaml.h).
 * The console and the CLI use transfer.h only.
 */
#ifndef FERNCON_TRANSFER_INT_H
#define FERNCON_TRANSFER_INT_H

#include <stddef.h>
#include <stdio.h>

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <cjson/cJSON.h>
#include <pcre2.h>
#include <yaml.h>

#include "airflow.h"
#include "buf.h"
#include "conn.h"
#include "err.h"
#include "transfer.h"

/* How deep a yaml document may nest (PyYAML recurses without a limit). */
#define YAML_MAX_DEPTH		512

/*
 * What a yaml document's aliases may stand for (PyYAML has no limit: its
 * objects share, until json.dumps() of an extra writes every copy out):
 * at most YAML_MAX_ALIASES aliases, which together stand for at most
 * YAML_MAX_EXPANDED_NODES values and YAML_MAX_EXPANDED_BYTES of scalar
 * text, aliases inside the aliased values counted in full
 * (doc/design.md section 9).
 */
#define YAML_MAX_ALIASES	100000
#define YAML_MAX_EXPANDED_NODES	1000000
#define YAML_MAX_EXPANDED_BYTES	((size_t)64 << 20)

#define TAG_STR		"tag:yaml.org,2002:str"
#define TAG_NULL	"tag:yaml.org,2002:null"
#define TAG_INT		"tag:yaml.org,2002:int"
#define TAG_MAP		"tag:yaml.org,2002:map"
#define TAG_SEQ		"tag:yaml.org,2002:seq"
#define TAG_BOOL	"tag:yaml.org,2002:bool"
#define TAG_FLOAT	"tag:yaml.org,2002:float"

/* -- PyYAML's implicit resolver (pyyaml.c) ------------------------------- */

/*
 * The tags a plain scalar can resolve to, in the order PyYAML's Resolver
 * registers them (the first match wins).
 */
enum yres_tag {
	YT_BOOL,
	YT_FLOAT,
	YT_INT,
	YT_MERGE,
	YT_NULL,
	YT_TIMESTAMP,
	YT_VALUE,
	YT_YAML,
	YT_STR,		/* no implicit resolver matched */
};

#define YRES_N	YT_STR

/* The compiled expressions of the resolver (pyyaml_resolver_init()). */
struct yres {
	pcre2_code		*re[YRES_N];
	pcre2_match_data	*md;
};

/* -- export -------------------------------------------------------------- */

/* One export in progress (transfer.h); the yaml fields are pyyaml.c's. */
struct transfer_writer {
	FILE				*f;
	enum transfer_format		 fmt;
	enum transfer_serialization	 ser;
	struct airflow_version		 v;
	size_t				 n;
	struct buf			 out;	/* secret: one connection's text */
	int				 failed;
	/* yaml only */
	int				 em_ready;
	yaml_emitter_t			 em;
	struct yres			 res;
	int				 res_ready;
	char				*last_id;	/* the order check */
	int				 write_errno;
	enum yaml_top { TOP_MAP, TOP_SEQ, TOP_NONE } top;
};

/* -- import: the tree of values (transfer_tree.c) ------------------------ */

/*
 * A value as Python's json.loads or yaml.safe_load gives it, kept only as
 * far as connections need it. Nodes belong to the reader's list (yaml
 * aliases share them) and are freed together.
 */
enum tnode_type {
	TN_NULL,
	TN_STR,
	TN_BOOL,
	TN_INT,
	TN_FLOAT,
	TN_MAP,		/* kids: key, value, key, value, ... */
	TN_SEQ,
	TN_OTHER,	/* a Python object of type pytype (bytes, date...) */
	TN_MERGE,	/* yaml "<<": only a mapping key */
	TN_VALUE,	/* yaml "=": a str as a mapping key, an error elsewhere */
};

struct tnode {
	enum tnode_type	  type;
	int		  owned;	/* s is ours (else it is in the cJSON tree) */
	char		 *s;	/* STR: text; INT: decimal text */
	size_t		  len;
	long long	  i;
	int		  i_ok;		/* INT: fits in i */
	int		  b;
	double		  d;
	const char	 *pytype;	/* Python's type name, for messages */
	struct tnode	**kids;
	size_t		  nkids, cap;
	size_t		  line;		/* 1-based, 0 when unknown */
	const cJSON	 *json;		/* json import: the node it came from */
	int		  flattened;
	int		  checked;
};	/* fields ordered without padding: a 100 k import holds 1.7 M nodes */

/* A mapping's entries after Python's dict(): one per key, last value wins. */
struct pairs {
	struct tnode	**k, **v;
	size_t		  n;
};

struct reader {
	const char			*path;
	struct airflow_version		 v;
	struct tnode			**nodes;
	size_t				 nnodes, capnodes;
	struct yres			 res;
	int				 res_ready;
	struct transfer_set		*set;
	size_t				 setcap;
	struct buf			 tmp;	/* secret scratch */
	int				 extra_unset;	/* the current entry was a
							   URI without a query */
};

/*
 * Set e to "<path>:<line>: <message>" (no line when line is 0), code
 * being the category.
 */
void transfer_reader_err(struct reader *r, struct err *e, enum err_code code,
    size_t line, const char *fmt, ...) ATTR_PRINTF(5, 6);

/*
 * A new node of type at line, owned by r's list (freed by
 * transfer_reader_nodes_free()); NULL when out of memory (e untouched).
 */
struct tnode *tnode_new(struct reader *r, enum tnode_type type, size_t line);

/* Append kid to a mapping or list node. 0, or -1 out of memory. */
int tnode_add(struct tnode *n, struct tnode *kid);

/* Free every node of r (an owned text wiped first). */
void transfer_reader_nodes_free(struct reader *r);

/* Free the nodes made after the first keep (their texts wiped). */
void transfer_reader_nodes_trim(struct reader *r, size_t keep);

/* Python's type name of a value, as type(v) prints it. */
const char *tnode_pytype(const struct tnode *n);

/* Python's truth value of n (0 for NULL). */
int tnode_truthy(const struct tnode *n);

/*
 * dict(m) of a mapping node: one entry per key, the last value at the
 * first key's place, yaml merge keys flattened first. Release p with
 * tnode_pairs_release(). 0, or -1 with e set.
 */
int tnode_pairs(struct reader *r, struct tnode *m, struct pairs *p,
    struct err *e);
void tnode_pairs_release(struct pairs *p);

/*
 * What SafeConstructor would refuse anywhere in the document, since
 * safe_load constructs all of it: a merge or value tag outside a key, a
 * bad merge, a mapping or list as a mapping key. 0, or -1 with e set.
 */
int tnode_check(struct reader *r, struct tnode *n, int depth, struct err *e);

/*
 * n as a new JSON tree (free with pyjson_free()), as json.dumps() sees
 * it: mapping keys made str (int, bool, None; others refused), an int
 * beyond 64 bits, a NUL in a string or what JSON cannot hold (a date,
 * bytes: "Object of type date is not JSON serializable") refused. depth
 * is n's (0 at the top). NULL with e set.
 */
cJSON *tnode_to_json(struct reader *r, struct tnode *n, int depth,
    struct err *e);

/*
 * json.dumps(n) (Python's defaults: one line, ensure_ascii) appended to
 * out. 0, or -1 with e set (a value json cannot write, out of memory).
 */
int tnode_dumps(struct reader *r, struct tnode *n, struct buf *out,
    struct err *e);

/* -- import: transfer.c -------------------------------------------------- */

/*
 * A file's top-level mapping: every key a str conn_id, the last value
 * winning, each value made a connection of r's set. 0, or -1 with e set.
 */
int transfer_create_from_map(struct reader *r, struct tnode *root,
    struct err *e);

/* The 1-based line of byte off of text ('\n' counted). */
size_t transfer_line_at(const char *text, size_t off);

#endif
