/*
 * fernet_tool.c: a test-only filter over the core's rotation, so that the
 * cross-check can hand tokens rotated by ferncon to Python cryptography.
 *
 *   FERNET_KEYS=new,old fernet_tool rotate < tokens > rotated
 *
 * One token per line in, one rotated token per line out; a token no key
 * opens gives the line "INVALID". Keys come from the environment, not argv.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keyring.h"

int
main(int argc, char **argv)
{
	const char *keys = getenv("FERNET_KEYS");
	struct keyring *kr = NULL;
	struct err e;
	char *line = NULL, *out = NULL;
	size_t cap = 0, outcap = 0;
	ssize_t n;
	int rc = 1;

	if (argc != 2 || strcmp(argv[1], "rotate") != 0 || keys == NULL) {
		fprintf(stderr, "usage: FERNET_KEYS=K1,K2 fernet_tool rotate\n");
		return 2;
	}
	if (sodium_init() < 0 ||
	    keyring_parse(&kr, keys, strlen(keys), NULL, &e) != 0) {
		fprintf(stderr, "fernet_tool: bad keys\n");
		return 2;
	}
	while ((n = getline(&line, &cap, stdin)) > 0) {
		size_t len = (size_t)n, olen = 0;

		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (outcap < fernet_token_len(fernet_plain_max(len)) + 1) {
			free(out);
			outcap = fernet_token_len(fernet_plain_max(len)) + 1;
			if ((out = malloc(outcap)) == NULL)
				goto done;
		}
		if (keyring_rotate(kr, line, len, out, outcap, &olen, NULL, &e) != 0)
			puts("INVALID");
		else
			puts(out);
	}
	rc = 0;
done:
	free(line);
	free(out);
	keyring_free(kr);
	fernet_thread_cleanup();
	return rc;
}
