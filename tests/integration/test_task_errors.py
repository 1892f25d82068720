"""Errors a person understands: a misspelt subcommand or flag gets the nearest real one,
unquoted prompt words are the prompt, numeric ranges read as ranges, and permission
modes are checked (by ptt-task and by the daemon) against what the agent accepts."""
import json
import os
import re
import subprocess

from ptt_harness import NdjsonClient, Sandbox, binary, expect, skip_part

# lib/protocol/permission_modes.h
MODES = ["acceptEdits", "auto", "bypassPermissions", "default", "dontAsk", "manual", "plan"]

with Sandbox("task-errors") as sb:
    sb.env["PTT_CLAUDE"] = binary("fake-agent")
    daemon = sb.start(["ptt-taskd"])
    sb.wait_for_socket(proc=daemon)
    work = sb.path("work")
    os.makedirs(work)

    def task(*args, check=None, input=None):
        return sb.run(["ptt-task", "--no-autostart", *args], check=check, input=input)

    def error_of(r):
        lines = r.stderr.splitlines()
        expect(len(lines) == 1 and lines[0].startswith("ptt-task: error: "), f"not one error line: {r.stderr!r}")
        return lines[0][len("ptt-task: error: "):]

    # A misspelt subcommand: the nearest one, and where to look.
    r = task("spwan", "fix it", check=2)
    expect(error_of(r) == "unknown command 'spwan'; did you mean 'spawn'? see `ptt-task --help`",
           f"spwan: {r.stderr!r}")
    r = task("retyr", "3", check=2)
    expect("did you mean 'retry'?" in r.stderr, f"retyr: {r.stderr!r}")
    r = task("deploy", check=2)  # no near word: no guess
    expect(error_of(r) == "unknown command 'deploy'; see `ptt-task --help`", f"deploy: {r.stderr!r}")
    # A misspelt flag, global or the subcommand's own, before or after the subcommand.
    for args in (["--jsno", "list"], ["list", "--jsno"]):
        r = task(*args, check=2)
        expect(error_of(r).startswith("unknown option '--jsno'; did you mean '--json'?"), f"{args}: {r.stderr!r}")
    r = task("spawn", "--nmae", "x", "hello", check=2)
    expect(error_of(r) == "unknown option '--nmae'; did you mean '--name'? see `ptt-task spawn --help`",
           f"--nmae: {r.stderr!r}")
    r = task("list", "--state=running", "--verbose", check=2)
    expect(error_of(r) == "unknown option '--verbose'; see `ptt-task list --help`", f"--verbose: {r.stderr!r}")
    r = sb.run(["ptt-taskd", "--max-runing", "2"], check=2)
    expect("unknown option '--max-runing'; did you mean '--max-running'?" in r.stderr, f"taskd: {r.stderr!r}")

    # Unquoted words are the prompt, in order, joined with spaces; so for follow-up.
    r = task("spawn", "--cwd", work, "--wait", "fix", "the", "failing", "tests", check=0)
    first = r.stdout.strip()
    rec = json.loads(task("status", first, "--json", check=0).stdout)
    expect(rec["prompt"] == "fix the failing tests", f"prompt {rec['prompt']!r}")
    r = task("follow-up", first, "now", "the", "docs", check=0)
    rec = json.loads(task("status", r.stdout.strip(), "--json", check=0).stdout)
    expect(rec["prompt"] == "now the docs", f"follow-up prompt {rec['prompt']!r}")
    r = task("spawn", "--cwd", work, "-", input="from stdin", check=0)  # '-' alone still reads stdin
    rec = json.loads(task("status", r.stdout.strip(), "--json", check=0).stdout)
    expect(rec["prompt"] == "from stdin", f"stdin prompt {rec['prompt']!r}")

    # Ranges read as ranges, never CLI11's 300 digits.
    cases = [
        (["ptt-task", "spawn", "--max-turns", "0", "x"], "--max-turns must be at least 1 (not 0)"),
        (["ptt-task", "spawn", "--max-turns", "2.5", "x"], "--max-turns must be a whole number, not '2.5'"),
        (["ptt-task", "spawn", "--budget", "0", "x"], "--budget must be more than 0 (not 0)"),
        (["ptt-task", "follow-up", "--budget", "abc", "1", "x"], "--budget must be a number, not 'abc'"),
        (["ptt-taskd", "--max-running", "0"], "--max-running must be between 1 and 1000 (not 0)"),
        (["ptt-taskd", "--kill-grace", "4000"], "--kill-grace must be between 0 and 3600 (not 4000)"),
        (["ptt-taskd", "--default-max-turns", "0"], "--default-max-turns must be at least 1 (not 0)"),
        (["ptt-listen", "--chunk-ms", "1"], "--chunk-ms must be between 5 and 1000 (not 1)"),
        (["ptt-realtime", "--drain-timeout", "99"], "--drain-timeout must be between 0 and 60 (not 99)"),
    ]
    for args, want in cases:
        r = sb.run(args, check=2)
        expect(want in r.stderr and not re.search(r"\d{12}", r.stderr), f"{args}: {r.stderr!r}")
        # ...and points at the help of the (sub)command that refused it.
        helps = " ".join(a for a in args[:2] if not a.startswith("-")) + " --help"
        expect(r.stderr.rstrip().endswith(f"; see `{helps}`"), f"{args}: no pointer to {helps}: {r.stderr!r}")

    # Permission modes: ptt-task refuses an unknown one before asking the daemon,
    # naming the ones there are; the daemon refuses it too (for every client).
    r = task("spawn", "--cwd", work, "--permission-mode", "yolo", "x", check=2)
    expect("unknown mode 'yolo'; use one of " + ", ".join(MODES) in r.stderr, f"yolo: {r.stderr!r}")
    r = task("follow-up", "--permission-mode", "accept", first, "x", check=2)
    expect("unknown mode 'accept'" in r.stderr, f"follow-up yolo: {r.stderr!r}")
    r = sb.run(["ptt-taskd", "--default-permission-mode", "yolo"], check=2)
    expect("unknown mode 'yolo'" in r.stderr, f"taskd yolo: {r.stderr!r}")
    c = NdjsonClient(sb.socket)
    for op, fields in (("spawn", {"prompt": "x", "cwd": work}), ("follow_up", {"task": int(first), "prompt": "x"})):
        reply = c.request(op, options={"permission_mode": "yolo"}, **fields)
        expect(not reply["ok"] and reply["error"]["code"] == "invalid_argument"
               and ", ".join(MODES) in reply["error"]["message"], f"daemon {op} yolo: {reply}")
    c.close()
    r = task("spawn", "--cwd", work, "--wait", "--permission-mode", "dontAsk", "ok", check=0)
    rec = json.loads(task("status", r.stdout.strip(), "--json", check=0).stdout)
    expect(rec["options"]["permission_mode"] == "dontAsk", f"dontAsk: {rec['options']}")

    # The list is the pinned agent's: every choice its --help names is one we accept.
    cli = os.environ.get("PTT_CLAUDE_CLI", "")
    if cli and os.access(cli, os.X_OK):
        out = subprocess.run([cli, "--help"], capture_output=True, text=True, timeout=60,
                             env=dict(sb.env, HOME=sb.home)).stdout
        m = re.search(r"--permission-mode <mode>.*?\(choices: ([^)]*)\)", out, re.S)
        expect(m, f"claude --help names no permission-mode choices: {out[:2000]}")
        choices = re.findall(r'"([A-Za-z]+)"', m.group(1))
        expect(choices and set(choices) <= set(MODES), f"claude's choices {choices} vs ours {MODES}")
    else:
        skip_part(f"no pinned Claude CLI (PTT_CLAUDE_CLI={cli!r}); its mode list is not compared", "claude-modes")
