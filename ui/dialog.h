/*
 * dialog.h: modal dialogs, drawn as a box over the screen that opened
 * them. Each is a screen (an overlay) on the stack; its answer comes back
 * to the opener's resume(s, a, tag, result) with the tag the opener gave.
 *
 *   confirm   Yes / No, with No selected first (a safe default, as mc's
 *             safe_delete and ncdu): y or Enter on Yes says UI_YES; n, Esc,
 *             q or Enter on No say UI_NO.
 *   word      "type the word to confirm" for high-impact actions (k9s'
 *             ShowConfirmAck; doc/console.md section 3: rotation asks for
 *             `rotate`): the answer is UI_YES only when the typed text is the
 *             word.
 *   message   a text and an OK button; the answer is UI_YES.
 */
#ifndef FERNCON_UI_DIALOG_H
#define FERNCON_UI_DIALOG_H

#include "app.h"

/* Each opens the dialog over the top screen; 0, or -1 (message line says why). */
int dialog_confirm(struct app *a, int tag, const char *title, const char *text);
int dialog_word(struct app *a, int tag, const char *title, const char *text,
    const char *word);
int dialog_message(struct app *a, int tag, const char *title, const char *text);

#endif
