/*
 * funcbar.c: the function-key bar (see funcbar.h).
 */
#include "config.h"

#include "funcbar.h"

#include <string.h>

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

/* Columns of a bar entry's "name label", its label cut to lmax columns. */
static int
entry_width(const struct ui_key *k, int lmax)
{
	int lw = text_width(k->label);

	if (lw > lmax)
		lw = lmax;
	return text_width(k->name) + (lw > 0 ? 1 + lw : 0);
}

static int
shown(const struct ui_key *k)
{
	return k->bar && k->label != NULL;
}

/* How the bar is squeezed to fit (see funcbar_draw()). */
struct fit {
	int	drop_dimmed;	/* leave out the keys the role may not use */
	int	gap;		/* columns between entries */
	int	lmax;		/* label columns at most */
};

static int
in_bar(const struct ui_key *k, const struct policy *p, const struct fit *f)
{
	return shown(k) && (!f->drop_dimmed || funcbar_allowed(k, p));
}

static int
bar_width(const struct ui_key *const *keys, size_t n, const struct policy *p,
    const struct fit *f)
{
	size_t i;
	int total = 0, any = 0;

	for (i = 0; i < n; i++)
		if (in_bar(keys[i], p, f)) {
			total += entry_width(keys[i], f->lmax) + f->gap;
			any = 1;
		}
	return any ? total - f->gap : 0;
}

/*
 * When the entries do not all fit, the bar is squeezed step by step, as
 * htop's function bar shortens its labels: first the keys the role may
 * not use go (the help screen lists them, dimmed, with the reason), then
 * the gaps narrow to one column, then the labels are cut, longest first,
 * down to the key names alone ("Enter Open / Filter" ... "Ent Op / Fi").
 * Every key the role may use stays in the bar. Only when even the names do
 * not fit are entries cut before the global keys at the end (help, back,
 * quit: the trailing entries anyone may use, at most FUNCBAR_KEEP).
 */
#define FUNCBAR_KEEP 3

void
funcbar_draw(int y, int w, const struct ui_key *const *keys, size_t n,
    const struct policy *p)
{
	struct fit f = { 0, 2, 64 };
	size_t i, nshown = 0, seen = 0, ntail = 0;
	int x = 0, need, ok, reserve = 0, cut = 0, lw;

	if (bar_width(keys, n, p, &f) > w)
		f.drop_dimmed = 1;
	if (bar_width(keys, n, p, &f) > w)
		f.gap = 1;
	while (bar_width(keys, n, p, &f) > w && f.lmax > 0)
		f.lmax--;
	for (i = 0; i < n; i++)
		if (in_bar(keys[i], p, &f))
			nshown++;
	if (bar_width(keys, n, p, &f) > w)
		for (i = n; i-- > 0 && ntail < FUNCBAR_KEEP;) {
			if (!in_bar(keys[i], p, &f))
				continue;
			if (keys[i]->need >= 0)
				break;
			reserve += entry_width(keys[i], f.lmax) + f.gap;
			ntail++;
		}
	draw_fill(y, 0, w, term_attr(TE_LABEL));
	for (i = 0; i < n; i++) {
		const struct ui_key *k = keys[i];
		int tail;

		if (!in_bar(k, p, &f))
			continue;
		tail = nshown - seen <= ntail;
		seen++;
		need = entry_width(k, f.lmax);
		if (x + need > w)
			break;
		if (!tail && (cut || (reserve > 0 && x + need + reserve > w))) {
			cut = 1;
			continue;
		}
		ok = funcbar_allowed(k, p);
		x += draw_text(y, x, w - x, term_attr(ok ? TE_KEY : TE_DIMMED),
		    k->name);
		lw = text_width(k->label) < f.lmax ? text_width(k->label) : f.lmax;
		if (lw > 0) {
			x += draw_text(y, x, w - x, term_attr(ok ? TE_LABEL :
			    TE_DIMMED), " ");
			x += draw_textn(y, x, lw, term_attr(ok ? TE_LABEL :
			    TE_DIMMED), k->label, text_fit(k->label,
			    strlen(k->label), lw));
		}
		if (x + f.gap <= w)
			x += f.gap;
	}
}
