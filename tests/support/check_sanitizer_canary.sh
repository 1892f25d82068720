#!/bin/sh
# Proves collect_sanitizer_reports.sh fails a test on a report from a process whose
# exit status is thrown away (as a daemon's or a grandchild's is): each canary mode
# runs under `sh -c '...; exit 0'` and the collector must still exit 1 and print it.
# usage: check_sanitizer_canary.sh COLLECTOR REPORT_DIR CANARY
collector=$1 dir=$2 canary=$3
status=0
for case in "leak:LeakSanitizer" "use-after-free:heap-use-after-free" "undefined:runtime error"; do
  mode=${case%%:*} expect=${case#*:}
  out=$(/bin/sh "$collector" "$dir/$mode" /bin/sh -c "\"$canary\" $mode; exit 0" 2>&1)
  rc=$?
  if [ "$rc" -eq 1 ] && printf '%s' "$out" | grep -q "$expect"; then
    echo "ok: $mode: the collector failed the run and printed '$expect'"
  else
    echo "FAIL: $mode: collector exited $rc; expected 1 and '$expect' in:"
    printf '%s\n' "$out"
    status=1
  fi
done
exit $status
