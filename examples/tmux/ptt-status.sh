#!/bin/sh
# ptt-status.sh: a tmux status-line segment for background tasks, e.g.
#   ptt 2 running 1 queued 3 ok 1 failed
# with tmux colours. Finished tasks count for PTT_STATUS_WINDOW seconds (default 3600).
# Prints nothing when there is nothing to show or no daemon runs (it never starts one).
#   ~/.tmux.conf:  set -g status-right '#(~/bin/ptt-status.sh) %H:%M'
#                  set -g status-interval 5
# Needs jq.
window=${PTT_STATUS_WINDOW:-3600}
now=$(date +%s)
ptt-task --no-autostart list --json 2>/dev/null | jq -rs --argjson now "$now" --argjson window "$window" '
  def count(s): map(select(.state == s)) | length;
  map(select(.state == "running" or .state == "queued" or ((.finished_at // 0) >= $now - $window))) as $t
  | [ (if ($t | count("running")) > 0 then "#[fg=yellow]\($t | count("running")) running#[default]" else empty end),
      (if ($t | count("queued")) > 0 then "\($t | count("queued")) queued" else empty end),
      (if ($t | count("succeeded")) > 0 then "#[fg=green]\($t | count("succeeded")) ok#[default]" else empty end),
      (if ($t | count("failed")) > 0 then "#[fg=red,bold]\($t | count("failed")) failed#[default]" else empty end),
      (if ($t | count("cancelled")) > 0 then "\($t | count("cancelled")) cancelled" else empty end) ]
  | if length > 0 then "ptt " + join(" ") else empty end'
