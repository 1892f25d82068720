#!/usr/bin/python3
"""A scripted stand-in for `claude -p PROMPT --output-format stream-json --verbose`,
for ptt-task's CLI tests and benchmarks. The prompt says what to do:

  ok [TEXT]        init, one assistant line, result success with TEXT (default "done")
  fail             init, result error_during_execution, exit 1
  crash            prints garbage to stdout and stderr, exits 3 without a result line
  block FILE       init, a Bash tool_use, waits until FILE exists, then succeeds
  argv             succeeds with the JSON of its own argv as the result text
  big BYTES        one assistant line of about BYTES bytes, then succeeds

With `--input-format stream-json` (as ptt-taskd runs it) the prompt is the first `user`
line on stdin, echoed back (`isReplay`) as with --replay-user-messages; after the result
it waits for the end of stdin (a later message gets an echo and a result of its own).
"""
import json
import os
import select
import sys
import time

argv = sys.argv[1:]
stream_input = "--input-format" in argv and argv[argv.index("--input-format") + 1] == "stream-json"
session = f"sess-{os.getpid()}"


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


buffered = b""


first_echo = []  # the prompt's echo: written after the init line, as the CLI does


def next_message(first=False):
    """The next user message's text on stdin, echoed back; None at its end (or after 120 s
    without a line: an agent whose daemon went away must not wait forever)."""
    global buffered
    while True:
        while b"\n" not in buffered:
            chunk = os.read(0, 65536) if select.select([0], [], [], 120)[0] else b""
            if not chunk:
                return None
            buffered += chunk
        line, buffered = buffered.split(b"\n", 1)
        try:
            m = json.loads(line)
        except ValueError:
            continue
        if m.get("type") == "user":
            echo = {"type": "user", "message": m["message"], "isReplay": True, "uuid": m.get("uuid"),
                    "session_id": session}
            first_echo.append(echo) if first else emit(echo)
            content = m["message"]["content"]
            return content if isinstance(content, str) else "".join(b.get("text", "") for b in content)


if stream_input:
    prompt = next_message(first=True) or ""
else:
    prompt = argv[argv.index("-p") + 1] if "-p" in argv else ""
words = prompt.split(None, 1)
verb, rest = (words[0], words[1] if len(words) > 1 else "") if words else ("ok", "")
model = argv[argv.index("--model") + 1] if "--model" in argv else "script-agent"


def result(text, subtype="success", is_error=False, code=0):
    emit({"type": "result", "subtype": subtype, "is_error": is_error, "result": text, "session_id": session,
          "total_cost_usd": 0.0125, "num_turns": 1, "duration_ms": 12})
    while stream_input:
        later = next_message()
        if later is None:
            break
        emit({"type": "result", "subtype": "success", "is_error": False, "result": f"done: {later}",
              "session_id": session, "total_cost_usd": 0.0125, "num_turns": 1, "duration_ms": 12})
    sys.exit(code)


if verb == "crash":
    print("this is not json")
    print("agent exploded", file=sys.stderr)
    sys.exit(3)
emit({"type": "system", "subtype": "init", "session_id": session, "model": model, "cwd": os.getcwd()})
for echo in first_echo:
    emit(echo)
if verb == "fail":
    result("it broke", "error_during_execution", True, 1)
if verb == "block":
    emit({"type": "assistant", "message": {"content": [
        {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": f"wait-for {rest}"}}]}})
    while not os.path.exists(rest):
        time.sleep(0.01)
    result("unblocked")
if verb == "big":
    emit({"type": "assistant", "message": {"content": [{"type": "text", "text": "x" * int(rest)}]}})
    result("big done")
if verb == "argv":
    result(json.dumps(argv))
emit({"type": "assistant", "message": {"content": [{"type": "text", "text": f"working on: {prompt}"}]}})
result(rest or "done")
