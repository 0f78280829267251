#!/bin/sh
# hardening.sh: the built ferncon carries the hardening that configure
# found the toolchain takes (HARDEN_CFLAGS and HARDEN_LDFLAGS, from
# m4/ferncon_flags.m4), read from the ELF file with readelf:
#
#   -Wl,-z,now            the dynamic section has BIND_NOW (FLAGS or FLAGS_1 NOW)
#   -Wl,-z,relro          a GNU_RELRO segment
#   -pie                  the file type is DYN, and the PIE flag is set
#   -fstack-protector-strong  the binary calls __stack_chk_fail
#   -D_FORTIFY_SOURCE=2   the binary calls glibc's checked functions (__*_chk)
#
# A flag that configure left out (--disable-hardening, a compiler without
# it, _FORTIFY_SOURCE without optimisation) is a skip that says so.
. "$top_srcdir/tests/lib.sh"

if ! command -v readelf > /dev/null 2>&1; then
	echo "1..0 # SKIP readelf is not installed (apt-get install binutils)"
	exit 0
fi
plan 5

hdr=$(readelf -h "$FERNCON")
dyn=$(readelf -d "$FERNCON")
seg=$(readelf -lW "$FERNCON")
syms=$(readelf --dyn-syms -W "$FERNCON")

# check FLAG DESCRIPTION COMMAND...: COMMAND when configure kept FLAG.
check() {
	_flag=$1 _d=$2; shift 2
	case " $HARDEN_CFLAGS $HARDEN_LDFLAGS " in
	*" $_flag "*) ok "$_d" "$@" ;;
	*)	_n=$((_n + 1))
		echo "ok $_n - $_d # SKIP configure did not keep $_flag" ;;
	esac
}
has() { printf '%s\n' "$1" | grep -Eq "$2"; }

check -Wl,-z,now "BIND_NOW: every symbol bound at start-up (full RELRO)" \
	has "$dyn" '\((FLAGS|FLAGS_1|BIND_NOW)\).*(BIND_NOW|NOW)'
check -Wl,-z,relro "a GNU_RELRO segment" has "$seg" 'GNU_RELRO'
check -pie "a position-independent executable (type DYN, flag PIE)" \
	sh -c 'printf "%s\n" "$1" | grep -Eq "Type:[[:space:]]+DYN" &&
	    printf "%s\n" "$2" | grep -Eq "FLAGS_1.*PIE"' sh "$hdr" "$dyn"
check -fstack-protector-strong "the stack protector: __stack_chk_fail is called" \
	has "$syms" ' __stack_chk_fail'
check -D_FORTIFY_SOURCE=2 "_FORTIFY_SOURCE: glibc's checked functions (__*_chk) are called" \
	has "$syms" ' __[a-z0-9_]+_chk(@| |$)'
done_testing
