/*
 * util.c: what the commands share: global options, loading the
 * configuration and key ring once, reading stdin into locked memory, and
 * printing errors in one style.
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

int
cli_global_option(struct cli_ctx *ctx, int c, const char *arg)
{
	switch (c) {
	case CLI_OPT_BASE + 0:
		ctx->opts.config_file = arg;
		return 1;
	case CLI_OPT_BASE + 1:
		ctx->opts.airflow_home = arg;
		return 1;
	case CLI_OPT_BASE + 2:
		ctx->opts.db_url = arg;
		return 1;
	case CLI_OPT_BASE + 3:
		ctx->as_role = arg;
		return 1;
	case CLI_OPT_BASE + 4:
		ctx->no_color = 1;
		return 1;
	default:
		return 0;
	}
}

int
cli_config(struct cli_ctx *ctx, struct err *e)
{
	if (ctx->cfg != NULL)
		return 0;
	return config_load(&ctx->cfg, &ctx->opts, e);
}

int
cli_keyring(struct cli_ctx *ctx, const char *keys_arg, struct err *e)
{
	struct config_value v;
	int std_alpha = 0;

	if (ctx->kr != NULL)
		return 0;
	if (keys_arg != NULL) {
		if (keyring_parse(&ctx->kr, keys_arg, strlen(keys_arg), &std_alpha,
		    e) != 0) {
			err_prefix(e, "--keys");
			return -1;
		}
		ctx->key_origin.origin = "--keys";
		ctx->key_origin.source = CONFIG_SRC_ARG;
		goto done;
	}
	if (cli_config(ctx, e) != 0 || config_fernet_key(ctx->cfg, &v, e) != 0)
		return -1;
	ctx->key_origin = v;
	if (keyring_parse(&ctx->kr, v.value ? v.value : "", v.value ? v.len : 0,
	    &std_alpha, e) != 0) {
		err_prefix(e, "[core] fernet_key from %s", v.origin);
		return -1;
	}
done:
	if (std_alpha)
		fprintf(stderr, "ferncon: warning: a Fernet key uses the standard "
		    "base64 alphabet ('+' or '/'); Airflow accepts it today but "
		    "newer Python versions will not\n");
	return 0;
}

int
cli_store(struct cli_ctx *ctx, struct err *e)
{
	struct config_value url, schema;
	struct store_opts o;

	if (ctx->store != NULL)
		return 0;
	if (cli_config(ctx, e) != 0 || config_db_url(ctx->cfg, &url, e) != 0 ||
	    config_get(ctx->cfg, "database", "sql_alchemy_schema", &schema,
	    e) != 0)
		return -1;
	memset(&o, 0, sizeof o);
	o.schema = schema.value;
	return store_open(&ctx->store, url.value, &o, e);
}

int
cli_policy(struct cli_ctx *ctx, struct err *e)
{
	if (ctx->policy_loaded)
		return 0;
	if (cli_config(ctx, e) != 0 ||
	    policy_load(&ctx->policy, ctx->cfg, ctx->as_role, e) != 0)
		return -1;
	ctx->policy_loaded = 1;
	return 0;
}

int
cli_mask(struct cli_ctx *ctx, struct err *e)
{
	if (ctx->mask != NULL)
		return 0;
	if (cli_config(ctx, e) != 0 || cli_store(ctx, e) != 0)
		return -1;
	return mask_new(&ctx->mask, ctx->cfg, store_airflow_version(ctx->store), e);
}

int
cli_error(const struct err *e)
{
	fprintf(stderr, "ferncon: %s\n", e->msg);
	return err_exit_code(e);
}

void
cli_print_usage(const struct cli_cmd *cmd, FILE *f)
{
	fprintf(f, "usage: ferncon %s%s%s %s\n", cmd->noun, cmd->verb ? " " : "",
	    cmd->verb ? cmd->verb : "", cmd->usage);
}

int
cli_usage_error(const struct cli_cmd *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("ferncon: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cli_print_usage(cmd, stderr);
	return EXIT_USAGE;
}

int
cli_read_stdin(char **out, size_t *len, struct err *e)
{
	char *buf = NULL, *bigger;
	size_t cap = 4096, n = 0;
	ssize_t r;

	*out = NULL;
	if ((buf = sodium_malloc(cap)) == NULL)
		goto nomem;
	for (;;) {
		if (n + 1 == cap) {
			if (cap > (size_t)1 << 30) {
				err_set(e, ERR_INVALID, "standard input is too large");
				goto fail;
			}
			if ((bigger = sodium_malloc(cap * 2)) == NULL)
				goto nomem;
			memcpy(bigger, buf, n);
			sodium_free(buf);
			buf = bigger;
			cap *= 2;
		}
		r = read(STDIN_FILENO, buf + n, cap - 1 - n);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err_set(e, ERR_IO, "cannot read standard input: %s",
			    strerror(errno));
			goto fail;
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
nomem:
	err_set(e, ERR_NOMEM, "out of memory");
fail:
	sodium_free(buf);
	return -1;
}

int
cli_write(const void *p, size_t len, struct err *e)
{
	if (len > 0 && fwrite(p, 1, len, stdout) != len) {
		err_set(e, ERR_IO, "cannot write standard output: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
cli_ctx_release(struct cli_ctx *ctx)
{
	mask_free(ctx->mask);
	ctx->mask = NULL;
	store_close(ctx->store);
	ctx->store = NULL;
	keyring_free(ctx->kr);
	ctx->kr = NULL;
	config_free(ctx->cfg);
	ctx->cfg = NULL;
}
