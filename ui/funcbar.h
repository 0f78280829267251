/*
 * funcbar.h: the function-key bar on the last line (after htop's
 * FunctionBar and mc's button bar): each key as its name in reverse video
 * and its label, and the keys the role may not use dimmed (policy_allows),
 * so that the role's limits are visible before a key is pressed.
 */
#ifndef FERNCON_UI_FUNCBAR_H
#define FERNCON_UI_FUNCBAR_H

#include <stddef.h>

#include "app.h"
#include "policy.h"

/*
 * Draw on line y, w columns, the keys that have bar set, in order. When
 * they do not all fit, the bar is squeezed as htop's is: the keys the role
 * may not use go first, then the gaps narrow and the labels are cut, so
 * that every key the role may use stays; only past that are entries cut
 * before the global keys at the end (the help screen lists every key). p
 * may be NULL (nothing dimmed).
 */
void funcbar_draw(int y, int w, const struct ui_key *const *keys, size_t n,
    const struct policy *p);

/* 1 if the role may use k (a key with need -1 always). */
int funcbar_allowed(const struct ui_key *k, const struct policy *p);

/* 1 if code is one of k's codes. */
int funcbar_matches(const struct ui_key *k, int code);

#endif
