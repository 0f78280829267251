/*
 * screens.c: the screens that the home list opens with one key (see
 * screens.h): key status (K), rotation (R, POLICY_ADMIN), the Variables
 * (V) and the audit (A, POLICY_AUDIT) of doc/design.md section 6.
 */
#include "config.h"

#include "screens.h"

#include "policy.h"

const struct ui_entry ui_entries[] = {
	{ { "K", "Keys", "key status: the keys, rows per key, plaintext and "
	    "undecryptable values, token ages", { 'K' }, -1, NULL, 1 },
	    &scr_keys_ops },
	{ { "R", "Rotate", "rotate the Fernet key: preflight, type 'rotate', "
	    "progress (Esc cancels, rolled back), verify; E there encrypts "
	    "plaintext values", { 'R' }, POLICY_ADMIN, "rotate the Fernet key",
	    1 }, &scr_rotate_ops },
	{ { "A", "Audit", "audit the secrets: findings by severity, evidence "
	    "redacted; Enter opens the connection or variable", { 'A' }, POLICY_AUDIT,
	    "audit the secrets", 1 }, &scr_audit_ops },
	{ { "V", "Variables", "Airflow's Variables: keys, state, token age and "
	    "values masked by role; open, reveal, add, edit, delete", { 'V' },
	    -1, NULL, 0 }, &scr_var_ops },
};

const size_t ui_entries_len = ARRAY_LEN(ui_entries);
