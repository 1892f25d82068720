"""The `worktree` event (docs/protocol.md, "Events"): when `ptt-task merge` or `discard`
records what became of a finished worktree task (`resolve_worktree`), every subscriber hears
it at once: a raw subscriber gets the task's worktree whole, `watch` and `watch --json` print
a line, and an open `ptt-task top` (tmux) shows the row as merged, then discarded, without a
restart. The fake agent runs the tasks; each one's --setup command writes its change."""
import json
import select
import shutil
import subprocess

from git_repo import make_repo
from ptt_harness import Sandbox, expect, readline, skip, wait_until
from taskd_fixture import Taskd, spawn, wait_tasks
from top_tmux import Tmux

if not shutil.which("tmux"):
    skip("tmux is not installed")


def row_of(screen, task_id):
    return next((l for l in screen.splitlines() if l.split()[:1] == [str(task_id)]), "")


with Sandbox("worktree-events") as sb:
    repo = make_repo(sb)
    taskd = Taskd(sb)
    c = taskd.client()

    def worktree_task(name, text):
        return spawn(c, f"result success {name} done", repo, name=name, worktree=True,
                     setup=f"echo {text} > {name}.txt")

    merged_id = worktree_task("keep", "kept")
    discarded_id = worktree_task("drop", "dropped")
    done = wait_tasks(c, [merged_id, discarded_id])
    for t in done.values():
        expect(t["state"] == "succeeded" and t["worktree"]["changes"]["files"] == 1, f"a worktree task: {t}")

    subscriber = taskd.client()
    expect(subscriber.request("subscribe")["ok"], "subscribe")
    watch_json = sb.start(["ptt-task", "--no-autostart", "watch", "--json"], stdout=subprocess.PIPE, text=True)
    watch = sb.start(["ptt-task", "--no-autostart", "watch"], stdout=subprocess.PIPE, text=True)

    def watch_subscribed():
        # Events only flow once watch has subscribed: spawn probes until both print one.
        spawn(c, "result success probe", sb.root)
        return all(select.select([w.stdout], [], [], 0.2)[0] for w in (watch, watch_json))

    wait_until(watch_subscribed, what="watch to subscribe")

    def watch_line(proc, predicate, what):
        while True:
            line = readline(proc.stdout, what=what)
            expect(line != "", f"watch ended before {what}")
            if predicate(line):
                return line

    tmux = Tmux(sb)
    try:
        tmux.start_top("main")
        tmux.wait_for("main", lambda s: "keep" in row_of(s, merged_id) and "succeeded" in row_of(s, merged_id)
                      and "changed 1 file" in row_of(s, merged_id), "task 1 succeeded in top")

        r = sb.run(["ptt-task", "--no-autostart", "merge", str(merged_id)])
        expect(r.returncode == 0 and "merged task 1 (ptt/1-keep) into main" in r.stdout,
               f"merge: {r.returncode} {r.stdout} {r.stderr}")

        def next_worktree_event():
            while True:
                msg = subscriber.read()
                if msg.get("event") == "worktree":
                    return msg

        # A raw subscriber: the event, with the worktree whole (the resolution set).
        event = next_worktree_event()
        task = event["task"]
        expect(task["id"] == merged_id and task["name"] == "keep" and task["state"] == "succeeded"
               and task["worktree"]["resolution"] == "merged" and task["worktree"]["branch"] == "ptt/1-keep"
               and task["worktree"]["changes"] == {"files": 1, "insertions": 1, "deletions": 0}
               and "prompt" not in task, f"the worktree event: {event}")

        line = watch_line(watch_json, lambda l: json.loads(l).get("event") == "worktree", "watch --json's line")
        expect(json.loads(line)["task"]["worktree"]["resolution"] == "merged", f"watch --json: {line}")
        line = watch_line(watch, lambda l: " merged " in l, "watch's merged line")
        expect(f"merged    {merged_id} keep  ptt/1-keep  changed 1 file, +1 \u22120" in line, f"watch: {line!r}")

        # top: the row now says merged, with no key pressed and no reconnection.
        tmux.wait_for("main", lambda s: " merged " in row_of(s, merged_id), "the merged row in top")

        r = sb.run(["ptt-task", "--no-autostart", "discard", "--yes", str(discarded_id)])
        expect(r.returncode == 0, f"discard: {r.returncode} {r.stdout} {r.stderr}")
        event = next_worktree_event()
        expect(event["task"]["id"] == discarded_id and event["task"]["worktree"]["resolution"] == "discarded",
               f"the discard's event: {event}")
        line = watch_line(watch, lambda l: " discarded " in l, "watch's discarded line")
        expect(f"discarded {discarded_id} drop  ptt/2-drop" in line, f"watch: {line!r}")
        tmux.wait_for("main", lambda s: " discarded " in row_of(s, discarded_id), "the discarded row in top")
        expect(" merged " in row_of(tmux.screen("main"), merged_id), "the merged row stays merged")

        # A refused resolve_worktree (still running) sends nothing; the task goes on.
        gate = sb.path("gate")
        running = spawn(c, f"wait-file {gate}; result success late", repo, worktree=True)
        wait_until(lambda: c.request("get", task=running)["task"]["state"] == "running", what="task running")
        reply = c.request("resolve_worktree", task=running, resolution="merged")
        expect(not reply["ok"] and reply["error"]["code"] == "not_finished", f"resolve while running: {reply}")
        open(gate, "w").close()
        wait_tasks(c, [running])
        while True:
            msg = subscriber.read()
            expect(msg.get("event") != "worktree", f"an event for a refused resolve: {msg}")
            if msg.get("event") == "finished" and msg["task"]["id"] == running:
                break
    finally:
        tmux.kill()
print("ok")
