"""Follow-ups of one Claude session at once: ptt runs them one after another in id order
(docs/taskd.md, Follow-ups of one session), never two `--resume` runs of one session side
by side, which interleave into one transcript. A task of another session runs meanwhile;
a queued follow-up's activity says which task it waits for, in list, status and watch;
a daemon killed and restarted keeps the order; a cancel of the earlier task lets the
next one go. (With the real CLI: test_real_claude_follow_ups.py.)
"""
import json
import os
import select
import subprocess

from ptt_harness import Sandbox, expect, readline, wait_until
from taskd_fixture import Taskd, get, spawn, wait_state, wait_tasks


def waits_for(task):
    return f"waits for task {task} (same session)"


with Sandbox("taskd-follow-up-queue") as sb:
    work = sb.path("work")
    os.makedirs(work)
    argv_file = sb.path("argv.ndjson")
    env = dict(sb.env, PTT_FAKE_AGENT_ARGV_FILE=argv_file)
    taskd = Taskd(sb, "--max-running", "4", env=env)
    c = taskd.client(timeout=30)
    parent = spawn(c, "result success first", work)
    session = wait_tasks(c, [parent])[parent]["session_id"]
    expect(session, "the parent has no session")

    watch = sb.start(["ptt-task", "--no-autostart", "watch"], stdout=subprocess.PIPE, text=True)

    def watch_subscribed():
        # Events only flow once watch has subscribed: a probe task shows it.
        spawn(c, "result success probe", work)
        return bool(select.select([watch.stdout], [], [], 0.2)[0])

    wait_until(watch_subscribed, what="watch to subscribe")

    def follow_up(prompt):
        reply = c.request("follow_up", task=parent, prompt=prompt)
        expect(reply["ok"], f"follow_up refused: {reply}")
        return reply["task"]["id"]

    gate_a, gate_b = sb.path("gate-a"), sb.path("gate-b")
    first = follow_up(f"wait-file {gate_a}; result success one")
    second = follow_up(f"wait-file {gate_b}; result success two")
    third = follow_up("result success three")
    other = spawn(c, "result success unrelated", work)

    wait_state(c, first, "running")
    # The unrelated task runs and ends while the second and third follow-ups wait.
    expect(wait_tasks(c, [other])[other]["state"] == "succeeded", "the unrelated task did not run")
    for task, before in ((second, first), (third, second)):
        waiting = get(c, task)
        expect(waiting["state"] == "queued", f"follow-up {task} of session {session} did not wait: {waiting}")
        expect(waiting["activity"] == waits_for(before), f"task {task}'s activity: {waiting['activity']!r}")
    listed = sb.run(["ptt-task", "list"]).stdout
    for task, before in ((second, first), (third, second)):
        row = [line for line in listed.splitlines() if line.split()[:1] == [str(task)]]
        expect(row and waits_for(before) in row[0], f"`list` row of task {task}: {row}\n{listed}")
    status = sb.run(["ptt-task", "status", str(second)]).stdout
    expect(f"activity:  {waits_for(first)}" in status, f"`status`:\n{status}")
    lines = []
    while not any(f"activity  {third}  {waits_for(second)}" in line for line in lines):
        lines.append(readline(watch.stdout, what="watch's line of the third follow-up's wait"))
        expect(lines[-1], f"watch ended early: {lines}")
    watch.kill()

    # A daemon killed and restarted keeps the queue: the first still runs, the rest wait.
    taskd.kill9()
    taskd = Taskd(sb, "--max-running", "4", env=env)
    c = taskd.client(timeout=30)
    expect(get(c, first)["state"] == "running", f"the first follow-up after a restart: {get(c, first)}")
    for task, before in ((second, first), (third, second)):
        waiting = get(c, task)
        expect(waiting["state"] == "queued" and waiting["activity"] == waits_for(before),
               f"task {task} after a restart: {waiting}")

    # A cancel of the first lets the second go; the third waits on for the second.
    expect(c.request("cancel", task=first)["ok"], "cancel refused")
    wait_state(c, second, "running")
    expect(get(c, first)["state"] == "cancelled", f"{get(c, first)}")
    expect(get(c, third)["activity"] == waits_for(second), f"{get(c, third)}")
    expect(get(c, second).get("activity") != waits_for(first), f"a running task keeps its wait: {get(c, second)}")

    open(gate_b, "w").close()
    done = wait_tasks(c, [first, second, third])
    expect(done[second]["state"] == "succeeded" and done[third]["state"] == "succeeded", f"{done}")
    expect(done[second]["started_at"] >= done[first]["finished_at"],
           f"the second follow-up started before the first ended: {done}")
    expect(done[third]["started_at"] >= done[second]["finished_at"],
           f"the third follow-up started before the second ended: {done}")
    # All resumed the parent's session.
    runs = [json.loads(line) for line in open(argv_file) if line.endswith("\n") and line.strip()]
    resumed = [int(r["task_id"]) for r in runs if "--resume" in r["argv"] and session in r["argv"]]
    expect(resumed == [first, second, third], f"--resume runs, in the order they started: {resumed}")
    print(f"ok: follow-ups {first}, {second} and {third} of session {session} ran one after another")
