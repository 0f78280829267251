/*
 * fuzz.h: what the libFuzzer harnesses of tests/fuzz/ share (HACKING.md
 * section 4.2): one-time start-up of the core, an input written to a file
 * for the parsers that only read files, and the invariant check that stops
 * the run with a message (libFuzzer then keeps the input as a crash).
 */
#ifndef FERNCON_FUZZ_H
#define FERNCON_FUZZ_H

#include <stddef.h>
#include <stdint.h>

struct audit;

/* libFuzzer's entry points (the harness defines them). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* core_init() once, and a private directory for fuzz_file(); aborts on failure. */
void fuzz_init(void);

/*
 * Write size bytes of data to NAME in the private directory (a tmpfs when
 * /dev/shm exists) and return its path, valid until the next call. The
 * parsers that take a path (airflow.cfg, import files, the audit baseline
 * and ignore files) read it as a user's file.
 */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

/*
 * An audit engine for the audit harnesses: no hash key file, every
 * severity reported, a fixed clock. Aborts on failure.
 */
struct audit *fuzz_audit_new(void);

/* A NUL-terminated copy of the input (free() it). */
char *fuzz_str(const uint8_t *data, size_t size);

/* An invariant: when cond is false, print what broke and abort. */
#define FUZZ_CHECK(cond, what) \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, (what)))
void fuzz_fail(const char *file, int line, const char *what)
    __attribute__((noreturn));

#endif
