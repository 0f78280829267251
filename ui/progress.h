/*
 * progress.h: a progress display for long work (rotation, encrypting
 * plaintext rows): a bar and a line of numbers,
 *
 *   [##########..........]  48%
 *   48213 of 100000 rows   12034 rows/s   ETA 0:04
 *
 * (after mc's gauge and ncdu's scan box, doc/console.md section 5). The fill
 * is drawn with '#' in the TE_BAR look, so it shows without colour too. The
 * caller updates the counts as work goes on and redraws at most every 100 ms
 * (progress_due()); the widget keeps no pointer to anything.
 */
#ifndef FERNCON_UI_PROGRESS_H
#define FERNCON_UI_PROGRESS_H

#include <stdint.h>

#include "draw.h"

struct progress {
	uint64_t	done, total;	/* total 0: unknown (no bar, no ETA) */
	const char	*unit;		/* "rows" */
	int64_t		started_ms;	/* term_now_ms() at progress_start() */
	int64_t		drawn_ms;	/* last progress_due() that said yes */
	char		line[160];	/* when set, the numbers line as the core
					   words it (lifecycle_progress_format());
					   else counted here */
};

/* Start counting towards total (0 if unknown) now. */
void progress_start(struct progress *p, uint64_t total, const char *unit);

/* Set how much is done. */
void progress_set(struct progress *p, uint64_t done);

/* 1 if 100 ms passed since it last said 1 (or at the end): time to redraw. */
int progress_due(struct progress *p);

/* Draw the bar on line y and the numbers on line y + 1, w columns from x. */
void progress_draw(const struct progress *p, int y, int x, int w);

#endif
