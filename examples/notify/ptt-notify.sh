#!/bin/sh
# ptt-notify.sh: a desktop notification whenever a background task finishes.
# Reads `ptt-task watch --json` (one event per line) and calls notify-send
# (Debian: libnotify-bin) for each `finished` event; failures are critical.
# Run it from your session start-up, e.g. sway: `exec ~/bin/ptt-notify.sh`.
# Needs jq. Stops when the daemon goes away (run it under a loop or a user unit to retry).
set -eu

ptt-task watch --json | jq --unbuffered -r '
  select(.event == "finished") | .task
  | (if .state == "succeeded" then "normal" elif .state == "cancelled" then "low" else "critical" end) as $urgency
  | "ptt: task \(.id)\(if .name then " (\(.name))" else "" end) \(.state)" as $title
  | ((.result.text // .reason // .stderr_tail // "") | tostring | .[0:300]) as $body
  | [$urgency, $title, $body] | @tsv' |
while IFS="$(printf '\t')" read -r urgency title body; do
  # @tsv escaped newlines and tabs in the body as \n and \t; notify-send shows them as text.
  notify-send --app-name=ptt --urgency="$urgency" "$title" "$body" || true
done
