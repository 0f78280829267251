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

/* Each right and each action, with what decided it. */
static void
rights(const struct policy *p)
{
	static const struct {
		enum policy_action	 a;
		const char		*name;
	} acts[] = {
		{ POLICY_LIST, "list, open" }, { POLICY_CREATE, "add, import" },
		{ POLICY_EDIT, "edit" }, { POLICY_DELETE, "delete" },
		{ POLICY_REVEAL, "reveal" }, { POLICY_EXPORT, "export" },
		{ POLICY_ADMIN, "rotate, encrypt, wizard, probe" },
	};
	const char *src = p->from == POLICY_FROM_MAP ? "the role's table" :
	    !p->airflow.found || !p->airflow.active ? "[console] default_role" :
	    p->from == POLICY_FROM_FAB ? "FAB permissions" :
	    "SimpleAuthManager role";
	const char *why;
	size_t i;
	int r;

	for (r = 0; r < POLICY_RIGHT_MAX; r++)
		cli_line(stdout, "right:      %-26s %s (%s)",
		    policy_right_name((enum policy_right)r),
		    p->rights & 1u << r ? "yes" : "no", src);
	for (i = 0; i < sizeof acts / sizeof acts[0]; i++) {
		why = NULL;
		if (policy_allows(p, acts[i].a, &why))
			cli_line(stdout, "may:        %-26s yes", acts[i].name);
		else
			cli_line(stdout, "may:        %-26s no: %s", acts[i].name,
			    why ? why : "");
	}
}

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
	    policy_role_label(&s->policy), policy_role_reason(&s->policy),
	    s->policy.lowered ? "; lowered by --as-role" : "");
	if (s->policy.from != POLICY_FROM_MAP)
		cli_line(stdout, "airflow:    user %s (%s%s), roles: %s",
		    s->policy.airflow.user, policy_from_name(s->policy.from),
		    !s->policy.airflow.found ? ", no such user" :
		    !s->policy.airflow.active ? ", inactive" : "",
		    s->policy.airflow.found ? (s->policy.airflow.roles[0] ?
		    s->policy.airflow.roles : "none") : "-");
	rights(&s->policy);
	if (id->note[0] != '\0')
		cli_line(stdout, "note:       %s", id->note);
	return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAILED;
}

const struct cli_cmd cmd_whoami = {
	"whoami", NULL, "",
	"who ferncon acts for, how it told, restricted mode and the role",
	NULL, CLI_CMD_NO_OPERANDS, NULL, whoami
};
