#!/bin/sh
# make test: every test (go test -count=1 ./...), then a short list of the
# tests that were skipped because this machine lacks something (root, a
# device, a reference tool), with how to get it. The exit status is go test's.
set -u
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM
WGTOOLS_SKIP_LOG=$log ${GO:-go} test -count=1 "$@" ./...
rc=$?
if [ -s "$log" ]; then
	# The log has WHAT<TAB>HOW<TAB>TEST lines (internal/testenv); one line
	# here for each way of getting something, with the tests it enables.
	awk -F'\t' '
	!(($2, $3) in seen) { seen[$2, $3] = 1; tests[$2]++ }
	!(($2, $1) in named) { named[$2, $1] = 1; what[$2] = (what[$2] == "" ? "" : what[$2] ", ") $1 }
	!($3 in all) { all[$3] = 1; total++ }
	END {
		printf "\nSkipped %d tests, because this machine lacks what they need:\n", total
		for (how in tests) printf "%4d\t%s\t%s\n", tests[how], what[how], how | "sort -rn -k1,1"
		close("sort -rn -k1,1")
	}' "$log" | awk -F'\t' 'NR <= 2 { print; next } {
		n = $1 + 0
		printf "  %d %s %s; to run %s: %s\n", n, (n == 1 ? "test needs" : "tests need"), $2, (n == 1 ? "it" : "them"), $3 }'
	echo "(Under CI=true these fail instead of skipping.)"
else
	printf '\nNo test was skipped for lack of root, a device or a tool.\n'
fi
exit $rc
