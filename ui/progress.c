/*
 * progress.c: the progress bar and its numbers (see progress.h).
 */
#include "config.h"

#include "progress.h"

#include <stdio.h>

void
progress_start(struct progress *p, uint64_t total, const char *unit)
{
	p->done = 0;
	p->total = total;
	p->unit = unit != NULL ? unit : "";
	p->started_ms = term_now_ms();
	p->drawn_ms = 0;
	p->line[0] = '\0';
}

void
progress_set(struct progress *p, uint64_t done)
{
	p->done = done;
}

int
progress_due(struct progress *p)
{
	int64_t now = term_now_ms();

	if (now - p->drawn_ms < 100 && (p->total == 0 || p->done < p->total))
		return 0;
	p->drawn_ms = now;
	return 1;
}

void
progress_draw(const struct progress *p, int y, int x, int w)
{
	char line[256], eta[32] = "";
	int64_t ms = term_now_ms() - p->started_ms;
	double rate = ms > 0 ? (double)p->done * 1000.0 / (double)ms : 0.0;
	int bar = w - 7, fill = 0, pct = 0;

	if (p->line[0] != '\0')
		snprintf(line, sizeof line, "%s", p->line);
	if (p->total > 0) {
		uint64_t done = p->done > p->total ? p->total : p->done;

		pct = (int)(done * 100 / p->total);
		if (bar > 0)
			fill = (int)(done * (uint64_t)bar / p->total);
		if (rate > 0 && done < p->total) {
			uint64_t left = (uint64_t)((double)(p->total - done) / rate);

			snprintf(eta, sizeof eta, "   ETA %llu:%02llu",
			    (unsigned long long)(left / 60),
			    (unsigned long long)(left % 60));
		}
		if (bar > 2) {
			draw_fill(y, x, w, term_attr(TE_NORMAL));
			draw_text(y, x, 1, term_attr(TE_NORMAL), "[");
			if (fill > bar - 2)
				fill = bar - 2;
			wattrset(stdscr, term_attr(TE_BAR));
			mvwhline(stdscr, y, x + 1, '#', fill);
			wattrset(stdscr, term_attr(TE_NORMAL));
			mvwhline(stdscr, y, x + 1 + fill, '.', bar - 2 - fill);
			draw_text(y, x + bar - 1, 1, term_attr(TE_NORMAL), "]");
			draw_printf(y, x + bar, w - bar, term_attr(TE_NORMAL), " %3d%%",
			    pct);
		}
		if (p->line[0] == '\0')
			snprintf(line, sizeof line, "%llu of %llu %s   %.0f %s/s%s",
			    (unsigned long long)p->done,
			    (unsigned long long)p->total, p->unit, rate, p->unit,
			    eta);
	} else if (p->line[0] == '\0') {
		snprintf(line, sizeof line, "%llu %s   %.0f %s/s",
		    (unsigned long long)p->done, p->unit, rate, p->unit);
	}
	draw_textpad(y + 1, x, w, term_attr(TE_NORMAL), line);
}
