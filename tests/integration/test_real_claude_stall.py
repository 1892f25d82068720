"""The stall watchdog with the real Claude Code CLI: the Messages API mock stops its
stream mid-turn and keeps the connection open (StalledStreamApi), so the CLI writes
nothing while it lives.

- With `--stall-action kill` (daemon-wide) the task is cancelled with reason `stalled`
  after --stall-timeout, and subscribers get a `stalled` event first.
- With the default action (report) and a per-task `--stall-timeout 4s` (the daemon's
  is 10 min), the task gets a `stalled` event and its activity says so in `list`; when
  the stream goes on, its activity is back and it succeeds.
"""
import json

from mock_messages_api import FINAL_TEXT, StalledStreamApi
from ptt_harness import PROTOCOL_VERSION, TIMEOUT_FACTOR, NdjsonClient, Sandbox, expect, wait_until
from real_claude_fixture import pinned_cli, mock_work_dir, start_taskd

MODEL = "claude-ptt-test-model"
# Longer than the CLI takes to write its first line on a loaded machine (node loads a
# 10 MB cli.js first): a stall must be the mock's, mid-turn, not a slow start. 2 s was
# too short under `ctest -j2` on two busy cores.
STALL_S = round(4 * TIMEOUT_FACTOR)

cli = pinned_cli()


def subscribe(sb):
    c = NdjsonClient(sb.socket, timeout=60)
    c.send({"id": 1, "op": "hello", "version": PROTOCOL_VERSION})
    expect(c.read()["ok"], "hello refused")
    c.send({"id": 2, "op": "subscribe"})
    expect(c.read()["ok"], "subscribe refused")
    return c


def events_until(c, task_id, name):
    """The events about task_id up to and including the first `name` one."""
    seen = []
    while True:
        e = c.read()
        if e.get("event") and e.get("task", {}).get("id") == task_id:
            seen.append(e)
            if e["event"] == name:
                return seen


def run(sb, mock, daemon_args, spawn_args):
    work = mock_work_dir(sb, mock)
    daemon = start_taskd(sb, cli, "--kill-grace", "1", *daemon_args)
    events = subscribe(sb)
    r = sb.run(["ptt-task", "spawn", "--cwd", work, "--model", MODEL, "--permission-mode", "acceptEdits",
                "--allowed-tools", "Bash", *spawn_args, "print the marker"], check=0)
    return int(r.stdout.strip()), events


# 1. --stall-action kill: cancelled, reason stalled.
mock = StalledStreamApi(expect_model=MODEL).start()
try:
    with Sandbox("real-claude-stall-kill") as sb:
        task_id, events = run(sb, mock, ["--stall-timeout", str(STALL_S), "--stall-action", "kill"], [])
        seen = events_until(events, task_id, "stalled")
        expect(mock.stalling.is_set(), "the task stalled before the mock stopped its stream")
        stalled = seen[-1]["task"]
        expect(stalled["activity"].startswith("stalled: no output for"), f"stalled event: {stalled}")
        finished = events_until(events, task_id, "finished")[-1]["task"]
        expect(finished["state"] == "cancelled" and finished["reason"] == "stalled",
               f"a killed stall ended {finished['state']} ({finished.get('reason')}): {finished}")
        r = sb.run(["ptt-task", "wait", str(task_id)])
        expect(r.returncode != 0, f"wait on a stalled task exited 0: {r.stdout}")
        status = json.loads(sb.run(["ptt-task", "status", str(task_id), "--json"], check=0).stdout)
        expect(status["state"] == "cancelled" and status["reason"] == "stalled", f"status: {status}")
        print(f"ok: with --stall-action kill, task {task_id} ended cancelled (stalled); wait exited {r.returncode}")
finally:
    mock.stop()

# 2. report (the default), with a per-task stall timeout: the task is told stalled and goes on.
mock = StalledStreamApi(expect_model=MODEL).start()
try:
    with Sandbox("real-claude-stall-report") as sb:
        task_id, events = run(sb, mock, [], ["--stall-timeout", f"{STALL_S}s"])
        seen = events_until(events, task_id, "stalled")
        activity = seen[-1]["task"]["activity"]
        expect(activity == f"stalled: no output for {STALL_S} s", f"stalled activity {activity!r}")
        listed = sb.run(["ptt-task", "list"], check=0).stdout
        expect(f"stalled: no output for {STALL_S} s" in listed, f"`list` does not show the stall:\n{listed}")
        status = json.loads(sb.run(["ptt-task", "status", str(task_id), "--json"], check=0).stdout)
        expect(status["state"] == "running", f"a reported stall is still running: {status['state']}")
        expect(status["options"].get("stall_timeout") == STALL_S, f"the task's own timeout: {status['options']}")
        mock.release()
        after = events_until(events, task_id, "finished")
        activities = [e["task"].get("activity") for e in after if e["event"] == "activity"]
        expect(activities and not activities[0].startswith("stalled"),
               f"the activity was not given back when output came again: {activities}")
        finished = after[-1]["task"]
        expect(finished["state"] == "succeeded", f"task ended {finished['state']} ({finished.get('reason')})")
        expect(finished["result"]["text"] == FINAL_TEXT, f"result {finished['result']}")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
        print(f"ok: task {task_id} was reported stalled ({activity!r}) and then succeeded")
finally:
    mock.stop()
