/*
 * cmd-token.c: `ferncon token inspect|decrypt|encrypt [--keys K1,K2]`, for
 * diagnosing InvalidToken and for test vectors.
 *
 * The token (or, for encrypt, the plaintext) is read from standard input,
 * never from argv; the result goes to standard output. The ring is the
 * configured [core] fernet_key unless --keys is given; --keys is meant for
 * test vectors, because argv is visible to other users of the machine (its
 * text is wiped from argv once parsed, but that leaves a window). decrypt
 * and encrypt with the configured ring need Admin (session_token_keyring());
 * with a ring of one's own, no role.
 *
 * Exit: 0 ok, 1 invalid token (or one no key opens), 2 bad key or usage.
 */
#include "config.h"

#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "airflow.h"

enum { OPT_KEYS };

/* --keys: kept in locked memory and wiped from argv by the parser. */
static const struct cli_opt token_options[] = {
	{ "keys", 0, OPT_KEYS, CLI_OPT_ARG | CLI_OPT_SECRET, NULL },
	{ NULL, 0, 0, 0, NULL }
};

/* The operands: none (the input is read from standard input). */
static int
no_operands(const struct cli_cmd *cmd, const struct cli_args *a)
{
	if (a->argc != 0)
		return cli_usage_error(cmd, "unexpected argument '%s' (the %s is "
		    "read from standard input)", a->argv[0],
		    cmd == &cmd_token_encrypt ? "plaintext" : "token");
	return 0;
}

static const char *
key_name(const struct keyring *kr, int idx, char *buf, size_t len)
{
	if (idx < 0)
		return "none of the configured keys opens it";
	snprintf(buf, len, "key %d of %zu%s", idx + 1, keyring_count(kr),
	    idx == 0 ? " (primary)" : "");
	return buf;
}

static int
token_inspect(struct session *s, struct cli_args *a)
{
	struct fernet_info info;
	struct err e;
	char *tok = NULL, when[32], name[64];
	size_t toklen;
	int rc;

	err_clear(&e);
	if ((rc = no_operands(&cmd_token_inspect, a)) != 0)
		return rc;
	if (cli_keyring(s, a->opt[OPT_KEYS], &e) != 0 ||
	    cli_read_stdin(&tok, &toklen, CLI_MAX_STDIN, &e) != 0) {
		rc = cli_error(&e);
		goto out;
	}
	if (fernet_inspect(keyring_keys(s->keys->kr), keyring_count(s->keys->kr), tok,
	    toklen, &info, &e) != 0) {
		err_set(&e, ERR_INVALID, "invalid token: not a Fernet token "
		    "(not canonical base64url, wrong version byte or impossible "
		    "length)");
		rc = cli_error(&e);
		goto out;
	}
	airflow_format_time(info.timestamp, when, sizeof when);
	printf("version:    0x80\n");
	printf("timestamp:  %llu (%s)\n", (unsigned long long)info.timestamp,
	    when);
	printf("length:     %zu bytes raw, plaintext %zu bytes padded\n",
	    info.raw_len, info.raw_len - FERNET_OVERHEAD);
	printf("key:        %s\n", key_name(s->keys->kr, info.key_index, name,
	    sizeof name));
	rc = info.key_index >= 0 ? EXIT_OK : EXIT_FAILED;
out:
	sodium_free(tok);
	return rc;
}

static int
token_decrypt(struct session *s, struct cli_args *a)
{
	struct err e;
	char *tok = NULL;
	uint8_t *plain = NULL;
	size_t toklen, cap, plainlen = 0;
	int rc;

	err_clear(&e);
	if ((rc = no_operands(&cmd_token_decrypt, a)) != 0)
		return rc;
	/* The configured ring needs Admin; one's own --keys no role. */
	if (session_token_keyring(s, a->opt[OPT_KEYS], &e) != 0 ||
	    cli_keyring(s, a->opt[OPT_KEYS], &e) != 0 ||
	    cli_read_stdin(&tok, &toklen, CLI_MAX_STDIN, &e) != 0)
		goto fail;
	if (!keyring_enabled(s->keys->kr)) {
		err_set(&e, ERR_CONFIG, "encryption is off: [core] fernet_key is "
		    "empty, so there is no key to decrypt with");
		goto fail;
	}
	cap = fernet_plain_max(toklen);
	if ((plain = sodium_malloc(cap)) == NULL) {
		err_nomem(&e);
		goto fail;
	}
	if (keyring_decrypt(s->keys->kr, tok, toklen, plain, cap, &plainlen, NULL,
	    &e) != 0 || cli_write(plain, plainlen, &e) != 0)
		goto fail;
	if (isatty(STDOUT_FILENO))
		putchar('\n');
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
	goto out;
fail:
	rc = cli_error(&e);
out:
	sodium_free(plain);
	sodium_free(tok);
	return rc;
}

static int
token_encrypt(struct session *s, struct cli_args *a)
{
	struct err e;
	char *msg = NULL, *tok = NULL;
	size_t msglen, cap, toklen = 0;
	int rc;

	err_clear(&e);
	if ((rc = no_operands(&cmd_token_encrypt, a)) != 0)
		return rc;
	/* The configured ring needs Admin; one's own --keys no role. */
	if (session_token_keyring(s, a->opt[OPT_KEYS], &e) != 0 ||
	    cli_keyring(s, a->opt[OPT_KEYS], &e) != 0 ||
	    cli_read_stdin(&msg, &msglen, CLI_MAX_STDIN, &e) != 0)
		goto fail;
	cap = fernet_token_len(msglen) + 1;
	if ((tok = malloc(cap)) == NULL) {
		err_nomem(&e);
		goto fail;
	}
	if (keyring_encrypt(s->keys->kr, msg, msglen, tok, cap, &toklen, &e) != 0)
		goto fail;
	printf("%s\n", tok);
	rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
	goto out;
fail:
	rc = cli_error(&e);
out:
	free(tok);
	sodium_free(msg);
	return rc;
}

#define KEYS_USAGE "[--keys K1,K2]  (reads stdin; --keys is visible to other users in argv: use it for test vectors only)"

const struct cli_cmd cmd_token_inspect = {
	"token", "inspect", KEYS_USAGE,
	"version, timestamp and which key opens a token read from stdin",
	token_options, CLI_CMD_OPTS_FIRST, NULL, token_inspect
};

const struct cli_cmd cmd_token_decrypt = {
	"token", "decrypt", KEYS_USAGE,
	"decrypt a token read from stdin with the key ring",
	token_options, CLI_CMD_OPTS_FIRST, NULL, token_decrypt
};

const struct cli_cmd cmd_token_encrypt = {
	"token", "encrypt", KEYS_USAGE,
	"encrypt stdin (verbatim) with the primary key",
	token_options, CLI_CMD_OPTS_FIRST, NULL, token_encrypt
};
