"""ptt-task list over a long history: the table shows every unfinished task and only the
newest 100 finished ones, and says on stderr how many it left out; --all shows every
task, --last N the newest N finished ones (with --json too, which otherwise prints all)."""
import json
import os

from ptt_harness import Sandbox, expect
from task_cli_fixture import TaskCli
from taskd_fixture import Taskd, records_on_disk

NOTE = "older finished tasks not shown; `ptt-task list --all` shows every task"


def table_ids(out):
    """The ids of a table's rows (the header line is not one)."""
    return [int(line.split()[0]) for line in out.splitlines() if line.split() and line.split()[0].isdigit()]


def json_ids(out):
    return [json.loads(line)["id"] for line in out.splitlines()]


with Sandbox("task-cli-list-window") as sb:
    cli = TaskCli(sb)
    task, spawn = cli.task, cli.spawn
    done = [spawn(f"ok result {i}") for i in range(3)]
    task("wait", *done, check=0)
    flag = sb.path("release")
    blocked = spawn("block", flag)
    finished, unfinished = [int(t) for t in done], int(blocked)

    # A short history: the table shows it all and notes nothing.
    r = task("list", check=0)
    expect(table_ids(r.stdout) == [*finished, unfinished] and r.stderr == "", f"list: {r.stdout!r} {r.stderr!r}")
    # --last N: every unfinished task and the newest N finished ones, asked for: no note.
    r = task("list", "--last", "1", check=0)
    expect(table_ids(r.stdout) == [finished[-1], unfinished] and r.stderr == "",
           f"list --last 1: {r.stdout!r} {r.stderr!r}")
    r = task("list", "--last", "0", "--json", check=0)
    expect(json_ids(r.stdout) == [unfinished], f"list --last 0 --json: {r.stdout!r}")
    r = task("list", "--state", "succeeded", "--last", "2", check=0)
    expect(table_ids(r.stdout) == finished[-2:], f"list --state succeeded --last 2: {r.stdout!r}")
    expect(json_ids(task("list", "--json", check=0).stdout) == [*finished, unfinished], "list --json: all")
    # Usage errors: exit 2, and what to do instead.
    for bad in (["--all", "--last", "1"], ["--last", "-1"], ["--last", "many"]):
        r = task("list", *bad, check=2)
        expect(r.stderr.startswith("ptt-task: ") and "--last" in r.stderr, f"list {bad}: {r.stderr!r}")

    # A long history: 120 more finished tasks, copies of one record as a daemon wrote it.
    open(flag, "w").close()
    task("wait", blocked, check=0)
    task("shutdown", check=0)
    cli.daemon.wait(timeout=30)
    template = records_on_disk(sb.state_dir)[finished[0]]
    first_copy = unfinished + 1
    copies = list(range(first_copy, first_copy + 120))
    with open(os.path.join(sb.state_dir, "tasks.ndjson"), "a") as f:
        for tid in copies:
            f.write("\n" + json.dumps(dict(template, id=tid, name=None), separators=(",", ":")) + "\n")
    with open(os.path.join(sb.state_dir, "next_id"), "w") as f:
        f.write(f"{copies[-1] + 1}\n")
    Taskd(sb, "--max-running", "2", claude="")
    everything = [*finished, unfinished, *copies]  # the blocked task has finished too

    r = task("list", check=0)
    expect(table_ids(r.stdout) == everything[-100:], f"list shows the newest 100: {table_ids(r.stdout)[:3]}…")
    omitted = len(everything) - 100
    expect(r.stderr == f"{omitted} {NOTE}\n", f"the note on stderr: {r.stderr!r}")
    r = task("list", "--all", check=0)
    expect(table_ids(r.stdout) == everything and r.stderr == "", f"list --all: {len(table_ids(r.stdout))} rows")
    expect(json_ids(task("list", "--json", check=0).stdout) == everything, "list --json prints every task")
    r = task("list", "--state", "succeeded", "--last", "5", "--json", check=0)
    expect(json_ids(r.stdout) == everything[-5:], f"list --state succeeded --last 5 --json: {r.stdout[:200]!r}")
print("ok: list shows the newest 100 finished tasks and says how many it left out; --all, --last N")
