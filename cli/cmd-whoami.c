/*
 * cmd-whoami.c: `ferncon whoami`: who ferncon acts for and as whom, how it
 * told (the login of the uid, sudo's SUDO_USER, or --login in an SSH forced
 * command), whether it is in restricted mode and what that refuses, and
 * the role and where it came from (doc/design.md section 4, "Trust
 * model"). The core decides all of it (session_identity(),
 * session_policy()); this only shows it.
 */
#include "config.h"

#include "cli.h"

#include <stdio.h>

static int
whoami(struct session *s, struct cli_args *a)
{
	const struct policy_identity *id = &s->id;
	struct err e;

	(void)a;
	err_clear(&e);
	if (session_policy(s, &e) != 0)
		return cli_error(&e);
	cli_line(stdout, "login:      %s", id->login);
	cli_line(stdout, "account:    %s (uid %u)", id->account,
	    (unsigned)id->uid);
	cli_line(stdout, "identity:   %s", policy_source_name(id->source));
	if (id->restricted)
		cli_line(stdout, "restricted: yes: ferncon acts for %s as %s, "
		    "so it reads only %s's own configuration and environment; "
		    "--config, --airflow-home, --db, demo, key probe --from and "
		    "audit --baseline/--ignore are refused, import reads stdin "
		    "and export writes stdout only",
		    id->login, id->account, id->account);
	else
		cli_line(stdout, "restricted: no (ferncon acts for the account "
		    "it runs as)");
	cli_line(stdout, "role:       %s (%s%s)",
	    policy_role_name(s->policy.role), policy_role_reason(&s->policy),
	    s->policy.lowered ? "; lowered by --as-role" : "");
	if (id->note[0] != '\0')
		cli_line(stdout, "note:       %s", id->note);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}

const struct cli_cmd cmd_whoami = {
	"whoami", NULL, "",
	"who ferncon acts for, how it told, restricted mode and the role",
	NULL, CLI_CMD_NO_OPERANDS, NULL, whoami
};
