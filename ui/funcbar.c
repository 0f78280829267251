/*
 * funcbar.c: the function-key bar (see funcbar.h).
 */
#include "config.h"

#include "funcbar.h"

int
funcbar_allowed(const struct ui_key *k, const struct policy *p)
{
	return k->need < 0 || p == NULL ||
	    policy_allows(p, (enum policy_action)k->need, NULL);
}

int
funcbar_matches(const struct ui_key *k, int code)
{
	int i;

	for (i = 0; i < UI_KEY_CODES && k->codes[i] != 0; i++)
		if (k->codes[i] == code)
			return 1;
	return 0;
}

void
funcbar_draw(int y, int w, const struct ui_key *const *keys, size_t n,
    const struct policy *p)
{
	size_t i;
	int x = 0, need, ok;

	draw_fill(y, 0, w, term_attr(TE_LABEL));
	for (i = 0; i < n; i++) {
		const struct ui_key *k = keys[i];

		if (!k->bar || k->label == NULL)
			continue;
		need = text_width(k->name) + 1 + text_width(k->label);
		if (x + need > w)
			break;
		ok = funcbar_allowed(k, p);
		x += draw_text(y, x, w - x, term_attr(ok ? TE_KEY : TE_DIMMED),
		    k->name);
		x += draw_text(y, x, w - x, term_attr(ok ? TE_LABEL : TE_DIMMED),
		    " ");
		x += draw_text(y, x, w - x, term_attr(ok ? TE_LABEL : TE_DIMMED),
		    k->label);
		if (x + 2 <= w)
			x += 2;
	}
}
