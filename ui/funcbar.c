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

/* Columns of a bar entry's "name label". */
static int
entry_width(const struct ui_key *k)
{
	return text_width(k->name) + 1 + text_width(k->label);
}

static int
shown(const struct ui_key *k)
{
	return k->bar && k->label != NULL;
}

/*
 * When the entries do not all fit (80 columns and many keys), the global
 * keys at the end (help, back, quit: the trailing entries anyone may use,
 * at most FUNCBAR_KEEP) are always drawn, and the entries before them are
 * cut from the first one that would not leave room for them; the help
 * screen lists them all.
 */
#define FUNCBAR_KEEP 3

void
funcbar_draw(int y, int w, const struct ui_key *const *keys, size_t n,
    const struct policy *p)
{
	size_t i, nshown = 0, seen = 0, ntail = 0;
	int x = 0, need, ok, total = 0, reserve = 0, cut = 0;

	for (i = 0; i < n; i++)
		if (shown(keys[i])) {
			total += entry_width(keys[i]) + 2;
			nshown++;
		}
	if (total - 2 > w)
		for (i = n; i-- > 0 && ntail < FUNCBAR_KEEP;) {
			if (!shown(keys[i]))
				continue;
			if (keys[i]->need >= 0)
				break;
			reserve += entry_width(keys[i]) + 2;
			ntail++;
		}
	draw_fill(y, 0, w, term_attr(TE_LABEL));
	for (i = 0; i < n; i++) {
		const struct ui_key *k = keys[i];
		int tail;

		if (!shown(k))
			continue;
		tail = nshown - seen <= ntail;
		seen++;
		need = entry_width(k);
		if (x + need > w)
			break;
		if (!tail && (cut || (reserve > 0 && x + need + reserve > w))) {
			cut = 1;
			continue;
		}
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
