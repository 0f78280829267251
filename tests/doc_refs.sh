#!/bin/sh
# doc_refs.sh: every document that the tree cites is in the tree, and so is
# every section it cites. A citation is a file name ending in .md, found in
# a comment of a source, test, script or build file, in the man page or in
# a document; when "section N" (or "sections N and M", "N, M", "N to M",
# "N-M") follows it, the file must have a heading with each number
# ("## 4. ..." or "### 4.4 ..."). A name with a directory is looked up from
# the top of the tree, a bare name there and beside the citing file. Web
# addresses (github.com/..., https://...) are not checked.
#
# First the checker is run on a small tree with known faults, so that a
# checker that finds nothing cannot pass; then on the real tree, one TAP
# line per citation (this file's own examples left out).
: "${top_srcdir:=.}"
. "$top_srcdir/tests/lib.sh"

# The files of tree $1 that may cite a document, one per line.
cite_files() {
	find "$1" -type d \( -name .git -o -name 'build*' -o -name '_build' \
	    -o -name autom4te.cache -o -name m4 -o -name data \) -prune -o \
	    -type f \( -name '*.[ch]' -o -name '*.sh' -o -name '*.py' \
	    -o -name '*.md' -o -name Makefile.am -o -name configure.ac \
	    -o -name '*.1' -o -name run -o -name build -o -name test \
	    -o -name install-deps -o -name autogen.sh \) -print | LC_ALL=C sort
}

# The text of file $1 as one line, comment leaders removed, so that a
# citation broken across comment lines is read whole.
flat() {
	sed -E 's/^[[:space:]]*(\/\*+|\*\/|\*|#+|\/\/|\.\\")?[[:space:]]*//' "$1" |
	    tr '\n' ' ' | tr -s ' '
}

# 1 if document $1 has a heading numbered $2.
has_section() {
	_re=$(printf '%s' "$2" | sed 's/\./\\./g')
	grep -Eq "^#+ $_re\.? " "$1"
}

# Check every citation of tree $1; print "ok|FILE|CITATION" or
# "bad|FILE|CITATION|WHY", one line each.
scan() {
	_root=$1
	cite_files "$_root" | while IFS= read -r _f; do
		_rel=${_f#"$_root"/}
		# This file's own examples are faults on purpose.
		[ "$_rel" = tests/doc_refs.sh ] && continue
		flat "$_f" | grep -oE "[A-Za-z0-9_./:-]*[A-Za-z0-9_-]\.md,?( sections? [0-9]+(\.[0-9]+)*(( ?,| and| or| to|-) ?[0-9]+(\.[0-9]+)*)*)?" |
		    while IFS= read -r _c; do
			_name=${_c%%.md*}.md
			case $_name in
			*://*|*github.com/*|*gitlab.com/*) continue ;;
			esac
			_name=${_name#./}
			_doc=
			if [ -f "$_root/$_name" ]; then
				_doc=$_root/$_name
			elif [ -f "$(dirname "$_f")/$_name" ]; then
				_doc=$(dirname "$_f")/$_name
			fi
			if [ -z "$_doc" ]; then
				echo "bad|$_rel|$_c|$_name is not in the tree"
				continue
			fi
			_why=
			case $_c in
			*" section"*)
				for _s in $(printf '%s\n' "${_c#* section}" |
				    sed -e 's/^s\{0,1\} //' -e 's/ and / /g; s/ or / /g; s/ to / /g' \
				    -e 's/,/ /g; s/-/ /g'); do
					has_section "$_doc" "$_s" ||
					    _why="$_why${_why:+, }no section $_s in $_name"
				done ;;
			esac
			if [ -n "$_why" ]; then
				echo "bad|$_rel|$_c|$_why"
			else
				echo "ok|$_rel|$_c"
			fi
		done
	done
}

# The checker on a tree with three faults and two good citations.
mkdir -p "$T/fake/doc" "$T/fake/src" "$T/fake/sub"
printf '# X\n\n## 1. One\n\n### 1.2 One two\n' > "$T/fake/doc/x.md"
printf 'See doc/x.md section 1.\n' > "$T/fake/sub/notes.md"
cat > "$T/fake/src/a.c" <<'EOF'
/*
 * a.c: cites doc/x.md sections 1 and 1.2, doc/x.md
 * section 3, doc/gone.md and NOTES.md section 1; not
 * https://example.org/SPEC.md or github.com/o/r/Spec.md.
 */
EOF
fake=$(scan "$T/fake")

real=$(scan "$top_srcdir")
plan $((5 + $(printf '%s\n' "$real" | grep -c .)))

is "$(printf '%s\n' "$fake" | grep -c '^bad|')" 3 "the checker finds the three faults of the fake tree"
contains "$fake" "bad|src/a.c|doc/x.md section 3|no section 3 in doc/x.md" "a missing section is named"
contains "$fake" "bad|src/a.c|doc/gone.md|doc/gone.md is not in the tree" "a missing document is named"
contains "$fake" "ok|src/a.c|doc/x.md sections 1 and 1.2" "a list of sections that exist passes"
is "$(printf '%s\n' "$fake" | grep -c '^ok|')" 2 "citations that resolve pass, web addresses are skipped"

n=$_n
printf '%s\n' "$real" | while IFS='|' read -r res f c why; do
	n=$((n + 1))
	if [ "$res" = ok ]; then
		echo "ok $n - $f cites $c"
	else
		echo "not ok $n - $f cites $c: $why"
	fi
done
printf '%s\n' "$real" | grep -q '^bad|' && exit 1
done_testing
