# ferncon_flags.m4: compiler and linker flags kept only where the toolchain
# takes them (configure.ac: the hardening flags).

# FERNCON_LINK_FLAGS_IFELSE(CFLAGS, LDFLAGS, [IF-OK], [IF-NOT])
# ---------------------------------------------------------------
# Whether a program that uses a stack buffer compiles with CFLAGS and links
# with LDFLAGS, warnings as errors (so that a flag the compiler only warns
# about counts as refused). Says so on the configure output.
AC_DEFUN([FERNCON_LINK_FLAGS_IFELSE], [
	AC_MSG_CHECKING([whether $CC takes $1 $2])
	ferncon_save_CFLAGS="$CFLAGS"; ferncon_save_LDFLAGS="$LDFLAGS"
	CFLAGS="$CFLAGS -Werror $1"; LDFLAGS="$LDFLAGS $2"
	AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <stdio.h>
#include <string.h>]], [[char buf[64];
	snprintf(buf, sizeof buf, "%d", 42);
	return (int)strlen(buf);]])],
		[AC_MSG_RESULT([yes]); $3], [AC_MSG_RESULT([no]); $4])
	CFLAGS="$ferncon_save_CFLAGS"; LDFLAGS="$ferncon_save_LDFLAGS"
])
