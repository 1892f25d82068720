"""ptt-task watch (--json and the human lines) sees a task's life; logs -f follows a
task until it ends; --after holds a task until its dependencies finish."""
import json
import select
import subprocess

from ptt_harness import Sandbox, expect, readline, wait_until
from task_cli_fixture import TaskCli

with Sandbox("task-cli-watch") as sb:
    cli = TaskCli(sb)
    task, spawn, status, work = cli.task, cli.spawn, cli.status, cli.work
    ok = cli.finished_task()

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
    live = readline(follow.stdout, what="logs -f's first line") + readline(follow.stdout, what="logs -f's second line")
    expect("→ Bash: wait-for" in live, f"logs -f shows live lines: {live!r}")
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
        line = readline(watch.stdout, what="watch --json's next event")
        expect(line, f"watch --json ended early: {seen}")
        seen.append(json.loads(line))
    kinds = [(e["event"], e["task"]["id"]) for e in seen if e["event"] != "activity"]
    for want in [("created", int(blocked)), ("started", int(blocked)), ("finished", int(blocked)),
                 ("created", int(dependent)), ("finished", int(dependent))]:
        expect(want in kinds, f"watch missed {want}: {kinds}")
    watch.kill()
    lines = []
    while not any(f" finished  {dependent} succeeded" in l for l in lines):
        lines.append(readline(human.stdout, what="watch's next line"))
        expect(lines[-1], f"watch ended early: {lines}")
    expect(any(f"created   {blocked} blocker  block " in l for l in lines), f"human watch: {lines}")
    expect(any(f"{blocked} blocker  Bash: wait-for" in l for l in lines), f"human watch: {lines}")
    human.kill()
print("ok: ptt-task watch, logs -f and --after")
