#!/usr/bin/python3
"""A scripted stand-in for `claude -p PROMPT --output-format stream-json --verbose`,
for ptt-task's CLI tests and benchmarks. The prompt says what to do:

  ok [TEXT]        init, one assistant line, result success with TEXT (default "done")
  fail             init, result error_during_execution, exit 1
  crash            prints garbage to stdout and stderr, exits 3 without a result line
  block FILE       init, a Bash tool_use, waits until FILE exists, then succeeds
  argv             succeeds with the JSON of its own argv as the result text
  big BYTES        one assistant line of about BYTES bytes, then succeeds
"""
import json
import os
import sys
import time

argv = sys.argv[1:]
prompt = argv[argv.index("-p") + 1] if "-p" in argv else ""
words = prompt.split(None, 1)
verb, rest = (words[0], words[1] if len(words) > 1 else "") if words else ("ok", "")
session = f"sess-{os.getpid()}"
model = argv[argv.index("--model") + 1] if "--model" in argv else "script-agent"


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def result(text, subtype="success", is_error=False, code=0):
    emit({"type": "result", "subtype": subtype, "is_error": is_error, "result": text, "session_id": session,
          "total_cost_usd": 0.0125, "num_turns": 1, "duration_ms": 12})
    sys.exit(code)


if verb == "crash":
    print("this is not json")
    print("agent exploded", file=sys.stderr)
    sys.exit(3)
emit({"type": "system", "subtype": "init", "session_id": session, "model": model, "cwd": os.getcwd()})
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
