/*
 * pyyaml.h: PyYAML as Airflow uses it, for the yaml format of the
 * transfer module (the twin of pyjson.h for json): the implicit resolver
 * of yaml/resolver.py, libyaml's emitter set up as CSafeDumper sets it
 * up, and the composer that turns libyaml's parser events into what
 * yaml.safe_load (CSafeLoader) constructs. The types are the transfer
 * module's (transfer_int.h): private to src/.
 */
#ifndef FERNCON_PYYAML_H
#define FERNCON_PYYAML_H

#include "transfer_int.h"

/* -- the implicit resolver ----------------------------------------------- */

/*
 * Compile the resolver's expressions into r. 0, or -1 with e set
 * (ERR_NOMEM); release with pyyaml_resolver_release() either way.
 */
int pyyaml_resolver_init(struct yres *r, struct err *e);
void pyyaml_resolver_release(struct yres *r);

/* The tag PyYAML's resolver gives a plain scalar s (len bytes). */
enum yres_tag pyyaml_resolve(const struct yres *r, const char *s, size_t len);

/* -- the emitter --------------------------------------------------------- */

/*
 * Set w's emitter up as CSafeDumper does (indent 2, width 80, no
 * unicode, "\n"), writing to w->f, and open the stream, the document and
 * the top-level collection w->top asks for. 0, or -1 with e set.
 */
int pyyaml_emit_start(struct transfer_writer *w, struct err *e);

/* Close what pyyaml_emit_start() opened and flush. 0, or -1 with e set. */
int pyyaml_emit_finish(struct transfer_writer *w, struct err *e);

/*
 * One scalar, with the implicit flags PyYAML's CEmitter computes: plain
 * implicit when the resolver gives the node's own tag for the plain form,
 * quoted implicit when the node is a str. what and c name the value in a
 * message ("cannot write <what> of connection '<id>' as YAML: ...").
 */
int pyyaml_emit_scalar(struct transfer_writer *w, const char *tag,
    const char *s, size_t len, int plain_implicit, int quoted_implicit,
    const char *what, const struct conn *c, struct err *e);

/* A str value or key (plain only where the resolver reads it back as a str), or None for NULL. */
int pyyaml_emit_str(struct transfer_writer *w, const char *s,
    const char *what, const struct conn *c, struct err *e);

/*
 * pyyaml_emit_str() of the len bytes at s, which may hold a NUL (a
 * password, conn.h): the emitter writes it "\0", as PyYAML does.
 */
int pyyaml_emit_bytes(struct transfer_writer *w, const char *s, size_t len,
    const char *what, const struct conn *c, struct err *e);

/*
 * Emit ev, which libyaml's *_event_initialize() set up; ok is what that
 * returned (0: out of memory). The emitter owns ev from then on.
 */
int pyyaml_emit_simple(struct transfer_writer *w, int ok, yaml_event_t *ev,
    struct err *e);

/* -- the loader ---------------------------------------------------------- */

/*
 * _parse_yaml_file(): text (len bytes) as yaml.safe_load reads it, one
 * document whose value is a mapping (*out; its nodes are r's, freed by
 * transfer_reader_nodes_free()). Errors point into r->tmp, which must
 * hold text. 0, or -1 with e set.
 */
int pyyaml_load(struct reader *r, const char *text, size_t len,
    struct tnode **out, struct err *e);

/*
 * pyyaml_load(), then every entry made a connection of r's set
 * (transfer_create_from_map()). 0, or -1 with e set; the tree is freed
 * either way.
 */
int pyyaml_read(struct reader *r, const char *text, size_t len,
    struct err *e);

#endif
