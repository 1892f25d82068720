"""ptt-task cancel (one and --all), follow-up (continues the session with --resume and
links the tasks) and clean (forgets finished tasks)."""
import json

from ptt_harness import Sandbox, expect
from task_cli_fixture import TaskCli

with Sandbox("task-cli-cancel") as sb:
    cli = TaskCli(sb)
    task, spawn, status, work = cli.task, cli.spawn, cli.status, cli.work
    ok = cli.finished_task()

    gate2 = sb.path("gate2")
    long1, long2 = spawn(f"block {gate2}"), spawn(f"block {gate2}")
    r = task("cancel", long1, check=0)
    expect(r.stdout == f"cancelled {long1}\n", f"cancel printed {r.stdout!r}")
    r = task("wait", long1, check=1)
    expect("cancelled" in r.stdout, f"wait after cancel: {r.stdout!r}")
    cancelled = json.loads(task("cancel", "--all", "--json", check=0).stdout)["cancelled"]
    expect(int(long2) in cancelled, f"cancel --all did not cancel {long2}: {cancelled}")

    # follow-up continues the session with --resume and links the tasks.
    r = task("follow-up", ok, "argv", check=0)
    child = r.stdout.strip()
    task("wait", child, check=0)
    st = status(child)
    argv = json.loads(st["result"]["text"])
    expect(st["parent"] == int(ok), f"follow-up parent {st['parent']}")
    expect("--resume" in argv and argv[argv.index("--resume") + 1].startswith("sess-"), f"no --resume: {argv}")

    # clean forgets finished tasks.
    ids = [str(json.loads(l)["id"]) for l in task("list", "--json", check=0).stdout.splitlines()]
    task("wait", *ids)  # the probes, too, must have finished to be cleaned
    before = len(ids)
    r = task("clean", check=0)
    expect(r.stdout == f"removed {before} finished tasks\n", f"clean printed {r.stdout!r} with {before} tasks")
    expect(task("list", "--json", check=0).stdout == "", "tasks left after clean")
    task("status", ok, check=4)
print("ok: ptt-task cancel, follow-up and clean")
