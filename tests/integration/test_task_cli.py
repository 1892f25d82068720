"""ptt-task against a real ptt-taskd running a scripted agent: every subcommand,
its output (table and --json), and its exit codes."""
import json
import os
import select
import subprocess

from ptt_harness import SOURCE_DIR, Sandbox, expect, wait_until

AGENT = os.path.join(SOURCE_DIR, "tests", "support", "script_agent.py")

with Sandbox("task-cli") as sb:
    sb.env["PTT_CLAUDE"] = AGENT
    daemon = sb.start(["ptt-taskd", "--max-running", "2"])
    sb.wait_for_socket(proc=daemon)
    work = sb.path("work")
    os.makedirs(work)

    def task(*args, check=None, input=None, timeout=60):
        return sb.run(["ptt-task", "--no-autostart", *args], check=check, input=input, timeout=timeout)

    def spawn(*args):
        r = task("spawn", "--cwd", work, *args, check=0)
        expect(r.stdout.strip().isdigit(), f"spawn printed {r.stdout!r}")
        return r.stdout.strip()

    def status(tid):
        return json.loads(task("status", tid, "--json", check=0).stdout)

    # ping prints the server's version.
    r = task("ping", check=0)
    expect(r.stdout.startswith("ptt-taskd "), f"ping printed {r.stdout!r}")
    hello = json.loads(task("ping", "--json", check=0).stdout)
    expect(hello["version"] == 1 and hello["pid"] == daemon.pid, f"ping --json: {hello}")

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
    expect([json.loads(l)["type"] for l in raw] == ["system", "assistant", "result"], f"raw logs: {raw}")

    # A line too big to relay is named, with where the whole line is.
    big = spawn("big 2000000")
    task("wait", big, check=0)
    r = task("logs", big, check=0)
    expect("[a line of " in r.stdout and "bytes is not shown; the raw log" in r.stdout and "✓ success" in r.stdout,
           f"logs of a huge line: {r.stdout[:300]!r}")
    r = task("logs", big, "--raw", check=0)
    expect("is not shown" in r.stderr and len(r.stdout.splitlines()) == 2, f"raw logs of a huge line: {r.stderr!r}")

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

    # watch --json sees a task's life; logs -f follows it until it ends; after + cancel.
    gate = sb.path("gate")
    watch = sb.start(["ptt-task", "--no-autostart", "watch", "--json"], stdout=subprocess.PIPE, text=True)

    human = sb.start(["ptt-task", "--no-autostart", "watch"], stdout=subprocess.PIPE, text=True)

    def watch_subscribed():
        # Events only flow once watch has subscribed: spawn probes until both see one.
        spawn("ok probe")
        return all(select.select([w.stdout], [], [], 0.2)[0] for w in (watch, human))

    wait_until(watch_subscribed, what="watch to subscribe")
    blocked = spawn("--name", "blocker", f"block {gate}")
    dependent = spawn("--after", "blocker", "ok after")
    wait_until(lambda: status(blocked)["state"] == "running", what="the blocking task to run")
    expect(status(dependent)["state"] == "queued", "a task with --after ran before its dependency")
    follow = sb.start(["ptt-task", "--no-autostart", "logs", "-f", blocked], stdout=subprocess.PIPE, text=True)
    expect("→ Bash: wait-for" in follow.stdout.readline() + follow.stdout.readline(), "logs -f shows live lines")
    open(gate, "w").close()
    out, _ = follow.communicate(timeout=30)
    expect(follow.returncode == 0 and "✓ success" in out, f"logs -f did not end with the task: {out!r}")
    task("wait", dependent, check=0)
    both = spawn("--after", f"{ok},{dependent}", "--after", "first", "ok three deps")
    expect(status(both)["after"] == [int(ok), int(dependent), int(ok)] or
           sorted(set(status(both)["after"])) == sorted({int(ok), int(dependent)}),
           f"--after lists: {status(both)['after']}")
    task("wait", both, check=0)
    seen = []
    while not any(e.get("event") == "finished" and e["task"]["id"] == int(dependent) for e in seen):
        seen.append(json.loads(watch.stdout.readline()))
    kinds = [(e["event"], e["task"]["id"]) for e in seen if e["event"] != "activity"]
    for want in [("created", int(blocked)), ("started", int(blocked)), ("finished", int(blocked)),
                 ("created", int(dependent)), ("finished", int(dependent))]:
        expect(want in kinds, f"watch missed {want}: {kinds}")
    watch.kill()
    lines = []
    while not any(f" finished  {dependent} succeeded" in l for l in lines):
        lines.append(human.stdout.readline())
    expect(any(f"created   {blocked} blocker  block " in l for l in lines), f"human watch: {lines}")
    expect(any(f"{blocked} blocker  Bash: wait-for" in l for l in lines), f"human watch: {lines}")
    human.kill()

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

print("ok: ptt-task subcommands, output and exit codes against a real ptt-taskd")
