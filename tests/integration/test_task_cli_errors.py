"""ptt-task's exit codes (1 for a failed task, 4 not found, 2 usage) and list: the
table and --json, filtered by state."""
import json

from ptt_harness import Sandbox, expect
from task_cli_fixture import TaskCli

with Sandbox("task-cli-errors") as sb:
    cli = TaskCli(sb)
    task, spawn, status, work = cli.task, cli.spawn, cli.status, cli.work
    ok = cli.finished_task()

    # Failures: exit 1 from wait, spawn --wait and result; reasons shown.
    bad = spawn("fail")
    r = task("wait", bad, check=1)
    expect("failed" in r.stdout, f"wait on a failed task printed {r.stdout!r}")
    r = task("result", bad, check=1)
    expect(r.stdout == "it broke\n" and "failed" in r.stderr, f"result of a failed task: {r.stdout!r} {r.stderr!r}")
    crash = task("spawn", "--cwd", work, "--wait", "crash", check=1).stdout.split()[0]
    r = task("wait", ok, bad, check=1)
    expect(len(r.stdout.splitlines()) == 2, f"wait on two tasks: {r.stdout!r}")

    # Not found → 4; usage errors → 2.
    for args in (["status", "999"], ["result", "nosuchname"], ["logs", "999"], ["wait", "999"], ["cancel", "999"]):
        r = task(*args, check=4)
        expect(r.stderr.startswith("ptt-task: error: "), f"{args}: {r.stderr!r}")
    task("list", "--state", "bogus", check=2)
    r = task("pending", check=0)  # none: nothing on stdout for a script, a word for a person on stderr
    expect(r.stdout == "" and r.stderr == "no task waits for an answer\n", f"pending with none: {r}")
    # The words STATE shows for running tasks are no states to filter on: say which one is.
    for shown in ("waiting", "cancelling"):
        r = task("list", "--state", shown, check=2)
        expect(r.stderr.startswith(f"ptt-task: error: '{shown}' is a running task") and "--state running" in r.stderr,
               f"list --state {shown}: {r.stderr!r}")
    task("spawn", "--cwd", sb.path("missing"), "ok", check=2)
    task("cancel", check=2)
    task("frobnicate", check=2)

    # list: the table and NDJSON, filtered by state.
    r = task("list", check=0)
    lines = r.stdout.splitlines()
    expect(lines[0].split() == ["ID", "NAME", "STATE", "TIME", "ACTIVITY", "COST"], f"header: {lines[0]!r}")
    expect(any(l.split()[:3] == [ok, "first", "succeeded"] for l in lines[1:]), f"table: {r.stdout}")
    expect(any(l.split()[:3] == [crash, '"crash"', "failed"] and "exit code 3" in l for l in lines[1:]),
           f"the crashed task's row: {r.stdout}")
    expect("\033[" not in r.stdout, "colour with NO_COLOR set / off a TTY")
    records = [json.loads(l) for l in task("list", "--json", check=0).stdout.splitlines()]
    expect(len(records) == len(lines) - 1, "--json lists as many tasks as the table")
    failed = [json.loads(l) for l in task("list", "--state", "failed", "--json", check=0).stdout.splitlines()]
    expect(failed and all(t["state"] == "failed" for t in failed), f"--state failed: {failed}")
print("ok: ptt-task exit codes and list")
