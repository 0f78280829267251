/*
 * screens.c: the screens that the home list opens with one key (see
 * screens.h). The rotation (R, POLICY_ADMIN) and audit (A, POLICY_AUDIT)
 * screens of DESIGN.md section 6 are added here when they exist.
 */
#include "config.h"

#include "screens.h"

#include "policy.h"

const struct ui_entry ui_entries[] = {
	{ { "K", "Keys", "key status: the keys, rows per key, plaintext and "
	    "undecryptable values, token ages", { 'K' }, -1, NULL, 1 },
	    &scr_keys_ops },
};

const size_t ui_entries_len = ARRAY_LEN(ui_entries);
