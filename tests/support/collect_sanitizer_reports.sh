#!/bin/sh
# Runs one test with every ASan/LSan/UBSan report written to a fresh directory, then
# fails the test if any report was written. A report from a process whose exit
# status the test never checks (a daemon it stops, a child of a child) still fails
# the test, and each report is printed with the test's output.
# usage: collect_sanitizer_reports.sh REPORT_DIR COMMAND [ARGS...]
dir=$1
shift
rm -rf "$dir" && mkdir -p "$dir" || exit 1
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$dir/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$dir/ubsan"
"$@"
status=$?
reports=$(find "$dir" -type f | sort)
if [ -n "$reports" ]; then
  for r in $reports; do
    echo "==== sanitizer report $r ====" >&2
    cat "$r" >&2
  done
  echo "FAIL: sanitizer reports above (the test itself exited $status)" >&2
  exit 1
fi
exit $status
