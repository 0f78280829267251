/*
 * cmd-key.c: `ferncon key generate` and `ferncon key status`.
 *
 * generate prints a new key in the shape of Fernet.generate_key(). status
 * says where [core] fernet_key comes from (never the key itself), how many
 * keys the ring has, and whether encryption is on.
 */
#include "config.h"

#include "cli.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "lifecycle.h"

static const struct option no_options[] = {
	CLI_GLOBAL_OPTIONS,
	{ NULL, 0, NULL, 0 }
};

/* Parse a command that takes only the global options and no arguments. */
static int
parse_plain(const struct cli_cmd *cmd, struct cli_ctx *ctx, int argc,
    char **argv)
{
	int c;

	optind = 0;	/* 0: glibc re-initialises getopt (ordering mode included) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", no_options, NULL)) != -1) {
		if (!cli_global_option(ctx, c, optarg))
			return cli_usage_error(cmd, "unknown option '%s'",
			    argv[optind - 1]);
	}
	if (optind != argc)
		return cli_usage_error(cmd, "unexpected argument '%s'",
		    argv[optind]);
	return 0;
}

static int
key_generate(struct cli_ctx *ctx, int argc, char **argv)
{
	char key[FERNET_KEY_B64LEN + 1];
	int rc;

	if ((rc = parse_plain(&cmd_key_generate, ctx, argc, argv)) != 0)
		return rc;
	keyring_generate(key);
	printf("%s\n", key);
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
	sodium_memzero(key, sizeof key);
	return rc;
}

static void
print_census(struct cli_ctx *ctx, const struct census *cs)
{
	const struct airflow_version *v = store_airflow_version(ctx->store);
	char old[32], new[32];
	size_t k, n = keyring_count(ctx->kr);

	printf("database:    %s (%s", store_name(ctx->store),
	    store_backend(ctx->store));
	if (v->major != 0)
		printf(", Airflow %d.%d.%d", v->major, v->minor, v->patch);
	printf("%s)\n", store_readonly(ctx->store) ? ", read-only" : "");
	printf("rows:        %zu connections", cs->connections);
	if (cs->has_variables)
		printf(", %zu variables", cs->variables);
	printf("\n");
	for (k = 0; k < n; k++) {
		printf("key %zu:       %zu values%s", k + 1,
		    census_total_for_key(cs, k), k == 0 ? " (primary)" : "");
		if (census_total_for_key(cs, k) > 0) {
			cli_format_time(cs->oldest[k], old, sizeof old);
			cli_format_time(cs->newest[k], new, sizeof new);
			printf(", tokens from %s to %s", old, new);
		}
		printf("\n");
	}
	printf("plaintext:   %zu values (passwords %zu, extras %zu, variables "
	    "%zu)\n", census_total_plaintext(cs), cs->password.plaintext,
	    cs->extra.plaintext, cs->var.plaintext);
	printf("undecryptable: %zu values (passwords %zu, extras %zu, variables "
	    "%zu)\n", census_total_undecryptable(cs), cs->password.undecryptable,
	    cs->extra.undecryptable, cs->var.undecryptable);
}

static int
key_status(struct cli_ctx *ctx, int argc, char **argv)
{
	struct census cs;
	struct err e;
	size_t n;
	int rc;

	err_clear(&e);
	if ((rc = parse_plain(&cmd_key_status, ctx, argc, argv)) != 0)
		return rc;
	if (cli_keyring(ctx, NULL, &e) != 0)
		return cli_error(&e);
	n = keyring_count(ctx->kr);
	printf("config:      %s\n", config_path(ctx->cfg));
	printf("fernet_key:  %s\n", ctx->key_origin.value == NULL ?
	    "not set" : ctx->key_origin.origin);
	if (n == 0) {
		printf("encryption:  off (values are stored in plain text)\n");
		printf("keys:        0\n");
	} else {
		printf("encryption:  on\n");
		printf("keys:        %zu (key 1 encrypts%s)\n", n,
		    n > 1 ? ", all decrypt" : "");
		if (keyring_shared_signing(ctx->kr))
			printf("warning:     two keys share a signing half\n");
	}
	fflush(stdout);
	if (cli_store(ctx, &e) != 0 ||
	    lifecycle_census(ctx->store, ctx->kr, &cs, &e) != 0)
		return cli_error(&e);
	print_census(ctx, &cs);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}

const struct cli_cmd cmd_key_generate = {
	"key", "generate", "",
	"print a new Fernet key (as Fernet.generate_key())",
	key_generate
};

const struct cli_cmd cmd_key_status = {
	"key", "status", "",
	"where fernet_key comes from, its keys, and the rows each key opens",
	key_status
};
