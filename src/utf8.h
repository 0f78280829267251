/*
 * utf8.h: decoding one UTF-8 character the way Python's decoder does, for
 * the modules that must match Python byte for byte (pyjson's ensure_ascii
 * escapes, uri's unquote with errors="replace").
 */
#ifndef FERNCON_UTF8_H
#define FERNCON_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The code point reported for an ill-formed sequence. */
#define UTF8_BAD UINT32_MAX

/*
 * Decode the character at s (len > 0 bytes). Returns the bytes it takes
 * and sets *cp to its code point; an ill-formed sequence sets *cp to
 * UTF8_BAD and takes its maximal well-formed prefix (at least one byte),
 * which Python's "replace" handler turns into one U+FFFD.
 */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

#endif
