/*
 * core.c: start-up of the core library (see core.h). cJSON allocates the
 * trees of decrypted extras from the ordinary heap; its hooks are pointed at
 * an allocator that wipes each block, whatever its size, before freeing it.
 */
#include "config.h"

#include "core.h"

#include <malloc.h>
#include <stdlib.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "fernet.h"

static void *
wipe_malloc(size_t n)
{
	return malloc(n);
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

void
core_thread_cleanup(void)
{
	fernet_thread_cleanup();
}
