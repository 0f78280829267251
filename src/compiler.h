/*
 * compiler.h: the attribute macros that let the compiler check contracts
 * stated in the headers (printf-like formats, results that must be
 * checked, functions that never return). Every other header includes it.
 */
#ifndef FERNCON_COMPILER_H
#define FERNCON_COMPILER_H

#if defined(__GNUC__) || defined(__clang__)
#define ATTR_PRINTF(fmt, args)	__attribute__((format(printf, fmt, args)))
#define ATTR_WUR		__attribute__((warn_unused_result))
#define ATTR_NORETURN		__attribute__((noreturn))
#define ATTR_UNUSED		__attribute__((unused))
#else
#define ATTR_PRINTF(fmt, args)
#define ATTR_WUR
#define ATTR_NORETURN
#define ATTR_UNUSED
#endif

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

#endif
