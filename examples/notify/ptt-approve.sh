#!/bin/sh
# ptt-approve.sh: answer a task's permission question from a desktop notification.
# Reads `ptt-task pending` and `watch --json` and shows each open question as a
# notification with Allow and Deny buttons (`notify-send --action`, libnotify 0.8+,
# Debian: libnotify-bin); the button pressed runs `ptt-task allow` or `ptt-task deny`
# for exactly that question (--request). A notification dismissed without a button
# answers nothing: the question stays open for the shell, the dashboard or voice.
# Run it from your session start-up, e.g. sway: `exec ~/bin/ptt-approve.sh`.
# Needs jq. Stops when the daemon goes away (run it under a loop or a user unit to retry).
set -eu
seen=''

# The questions open when it starts (`pending`: events are not sent again), then each new
# one as it is asked; one asked while the two start may come from both and is shown once.
{
  ptt-task watch --json &
  ptt-task pending --json | jq -c '.questions[]
    | {event: "permission_requested", task, request, tool, summary: ((.summary // "") | .[0:300])}'
  wait
} | jq --unbuffered -r '
  select(.event == "permission_requested")
  | [(.task | tostring), .request, (.tool // "a tool"), ((.summary // "") | .[0:300])] | @tsv' |
while IFS="$(printf '\t')" read -r task request tool summary; do
  case " $seen " in *" $task/$request "*) continue ;; esac
  seen="$seen $task/$request"
  # One notification per question, each waiting for its own click: several can be open at once.
  (
    action=$(notify-send --app-name=ptt --urgency=critical \
      --action=allow=Allow --action=deny=Deny \
      "ptt: task $task asks to use $tool" "$summary") || exit 0
    case "$action" in
      allow) ptt-task allow "$task" --request "$request" >/dev/null ;;
      deny) ptt-task deny "$task" --request "$request" "denied from the desktop notification" >/dev/null ;;
    esac
  ) &
done
wait
