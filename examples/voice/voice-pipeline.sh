#!/bin/sh
# voice-pipeline.sh: the voice session by hand, ptt-listen | ptt-realtime.
#   OPENAI_API_KEY=sk-... voice-pipeline.sh --speaker --project api=~/src/api
# Arguments go to ptt-realtime. PTT_LISTEN_ARGS replaces ptt-listen's options; the
# default is the compositor-bound hotkey (examples/wayland), e.g. PTT_LISTEN_ARGS="--key F9"
# for evdev or "--hotkey tty" for Enter in this terminal.
# Exit status: ptt-realtime's (2: the key was rejected or an option is wrong).
set -eu
: "${OPENAI_API_KEY:?set OPENAI_API_KEY to an OpenAI key with Realtime access}"
pidfile=${XDG_RUNTIME_DIR:-/tmp}/ptt-listen.pid
# Reach the daemon first (ptt-task starts it when none answers), so the first
# spoken request does not wait for a daemon to start.
ptt-task ping >/dev/null
if [ -n "${PTT_LISTEN_ARGS:-}" ]; then
  # shellcheck disable=SC2086 # PTT_LISTEN_ARGS is a list of options
  ptt-listen $PTT_LISTEN_ARGS | ptt-realtime "$@"
else
  ptt-listen --hotkey signal --pidfile "$pidfile" | ptt-realtime "$@"
fi
