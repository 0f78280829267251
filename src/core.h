/*
 * core.h: one-time start-up of the core library, called by main() and by
 * every test program before anything else.
 */
#ifndef FERNCON_CORE_H
#define FERNCON_CORE_H

#include "compiler.h"
#include "err.h"

/*
 * Initialise libsodium and make cJSON wipe every block it frees (parsed
 * extras hold decrypted secrets). 0, or -1 with e set.
 *
 * This is the one rule for cJSON trees that held secrets: once core_init()
 * has run, every cJSON block is wiped when it is freed, so such a tree may
 * be freed with cJSON_Delete() or pyjson_free() alike.
 */
int core_init(struct err *e) ATTR_WUR;

/*
 * How many cJSON allocations the heap has refused on the calling thread.
 * cJSON's builders (cJSON_AddItemToObject(o, k, cJSON_CreateString(s)) and
 * the like) drop a member silently when memory runs out; code that builds a
 * tree reads this before and after and reports ERR_NOMEM if it moved.
 */
unsigned long core_json_failures(void);

/* Free the calling thread's scratch memory (wiped). */
void core_thread_cleanup(void);

#endif
