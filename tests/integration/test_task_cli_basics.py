"""ptt-task against a real ptt-taskd running a scripted agent: ping, spawn (also from
stdin, and with agent options), wait, status, result and logs of a task that succeeds."""
import json
import os

from ptt_harness import PROTOCOL_VERSION, Sandbox, expect
from task_cli_fixture import TaskCli

with Sandbox("task-cli-basics") as sb:
    cli = TaskCli(sb)
    task, spawn, status, work = cli.task, cli.spawn, cli.status, cli.work

    # ping prints the server's version.
    r = task("ping", check=0)
    expect(r.stdout.startswith("ptt-taskd "), f"ping printed {r.stdout!r}")
    hello = json.loads(task("ping", "--json", check=0).stdout)
    expect(hello["version"] == PROTOCOL_VERSION and hello["pid"] == cli.daemon.pid, f"ping --json: {hello}")

    # spawn + wait + status + result + logs for a task that succeeds.
    ok = spawn("--name", "first", "ok all good")
    r = task("wait", ok, check=0)
    expect(r.stdout.startswith(f"{ok} first succeeded"), f"wait printed {r.stdout!r}")
    st = status(ok)
    expect(st["state"] == "succeeded" and st["result"]["text"] == "all good", f"status: {st}")
    expect(st["cwd"] == os.path.realpath(work), f"cwd {st['cwd']!r}")
    r = task("status", "first", check=0)  # names work wherever ids do
    expect(r.stdout.startswith(f"task {ok} (first): succeeded"), f"status by name: {r.stdout!r}")
    expect(task("result", ok, check=0).stdout == "all good\n", "result text")
    r = task("logs", ok, check=0)
    expect("working on: ok all good" in r.stdout and "✓ success · 1 turn · $0.0125" in r.stdout,
           f"readable logs: {r.stdout!r}")
    raw = task("logs", ok, "--raw", check=0).stdout.splitlines()
    expect([json.loads(l)["type"] for l in raw] == ["system", "user", "assistant", "result"], f"raw logs: {raw}")

    # A line too big to relay is named, with where the whole line is.
    big = spawn("big 2000000")
    task("wait", big, check=0)
    r = task("logs", big, check=0)
    expect("[a line of " in r.stdout and "bytes is not shown; the raw log" in r.stdout and "✓ success" in r.stdout,
           f"logs of a huge line: {r.stdout[:300]!r}")
    r = task("logs", big, "--raw", check=0)
    expect("is not shown" in r.stderr and len(r.stdout.splitlines()) == 3, f"raw logs of a huge line: {r.stderr!r}")

    # The prompt from stdin; --wait gives the outcome as the exit status.
    r = task("spawn", "--cwd", work, "--wait", "-", input="ok from stdin", check=0)
    expect(task("result", r.stdout.strip(), check=0).stdout == "from stdin\n", "stdin prompt")
    task("spawn", "--cwd", work, "-", input="  \n", check=2)

    # Agent options reach the agent's command line.
    argv_task = spawn("--model", "m-1", "--max-turns", "3", "--budget", "0.5", "--permission-mode", "acceptEdits",
                      "--allowed-tools", "Bash,Edit", "argv")
    task("wait", argv_task, check=0)
    argv = json.loads(status(argv_task)["result"]["text"])
    for flag, value in [("--model", "m-1"), ("--max-turns", "3"), ("--permission-mode", "acceptEdits")]:
        expect(flag in argv and argv[argv.index(flag) + 1] == value, f"{flag} {value} not in {argv}")
    expect("--max-budget-usd" in argv, f"budget not passed: {argv}")
print("ok: ptt-task ping, spawn, wait, status, result and logs")
