/*
 * core.c: start-up of the core library (see core.h). cJSON allocates the
 * trees of decrypted extras from the ordinary heap; its hooks are pointed at
 * an allocator that wipes each block, whatever its size, before freeing it,
 * and counts the blocks the heap refuses (core_json_failures()).
 */
#include "config.h"

#include "core.h"

#include <malloc.h>
#include <stdlib.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "fernet.h"

/* Per thread, as the code that builds a tree checks on its own thread. */
static _Thread_local unsigned long json_failures;

static void *
wipe_malloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL)
		json_failures++;
	return p;
}

static void
wipe_free(void *p)
{
	if (p == NULL)
		return;
	sodium_memzero(p, malloc_usable_size(p));
	free(p);
}

int
core_init(struct err *e)
{
	cJSON_Hooks hooks = { wipe_malloc, wipe_free };

	if (sodium_init() < 0) {
		err_set(e, ERR_NOMEM, "cannot initialise libsodium");
		return -1;
	}
	cJSON_InitHooks(&hooks);
	return 0;
}

unsigned long
core_json_failures(void)
{
	return json_failures;
}

void
core_thread_cleanup(void)
{
	fernet_thread_cleanup();
}
