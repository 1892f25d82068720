#!/bin/sh
# nightly-task.sh: run one background task from cron, wait for it, and report a
# failure by mail (or to the log when there is no mailer). Success is one log line.
#
#   # crontab -e: every night at 02:30, in ~/src/api
#   30 2 * * * $HOME/bin/nightly-task.sh ~/src/api "run the test suite and fix what fails"
#
# Environment: PTT_MAILTO (default: $USER) gets the failure mail; PTT_NIGHTLY_LOG
# (default: $XDG_STATE_HOME/ptt/nightly.log) gets one line per run; PTT_TASK_ARGS adds
# options to `ptt-task spawn` (e.g. "--budget 2 --max-turns 40").
# Exit status: ptt-task's (0 the task succeeded, 1 it failed, 3 no daemon, ...).
set -u

if [ $# -ne 2 ]; then
  echo "usage: nightly-task.sh DIR PROMPT" >&2
  exit 2
fi
dir=$1
prompt=$2
state=${XDG_STATE_HOME:-$HOME/.local/state}
log=${PTT_NIGHTLY_LOG:-$state/ptt/nightly.log}
mailto=${PTT_MAILTO:-${USER:-$(id -un)}}
name="nightly-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$(dirname "$log")"

out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
# shellcheck disable=SC2086 # PTT_TASK_ARGS is a list of options
ptt-task spawn --wait --cwd "$dir" --name "$name" ${PTT_TASK_ARGS:-} "$prompt" >"$out" 2>&1
status=$?
stamp=$(date '+%Y-%m-%d %H:%M:%S')
if [ "$status" -eq 0 ]; then
  echo "$stamp $name succeeded (task $(head -n1 "$out")) in $dir" >>"$log"
  exit 0
fi

echo "$stamp $name FAILED (exit $status) in $dir" >>"$log"
report() {
  echo "The nightly ptt task '$name' in $dir failed (ptt-task exit status $status)."
  echo
  echo "Prompt: $prompt"
  echo
  echo "ptt-task said:"
  cat "$out"
  echo
  echo "Status:"
  ptt-task --no-autostart status "$name" 2>&1
  echo
  echo "Last lines of its log (ptt-task logs $name):"
  ptt-task --no-autostart logs "$name" 2>&1 | tail -n 20
}
subject="ptt: nightly task $name failed"
if command -v sendmail >/dev/null 2>&1; then
  { printf 'To: %s\nSubject: %s\n\n' "$mailto" "$subject"; report; } | sendmail -t
elif command -v mail >/dev/null 2>&1; then
  report | mail -s "$subject" "$mailto"
else
  report >>"$log"
fi
exit "$status"
