"""Lifecycle commands through the real binaries: cancel of a finished task, the
`cancelling` state, wait with no ids, clean --state/--older-than, retry (and its
protocol reply), and names unique among unfinished tasks."""
import json
import os
import subprocess

from ptt_harness import NdjsonClient, Sandbox, binary, expect, wait_until

with Sandbox("task-lifecycle") as sb:
    sb.env["PTT_CLAUDE"] = binary("fake-agent")
    daemon = sb.start(["ptt-taskd", "--kill-grace", "1"])
    sb.wait_for_socket(proc=daemon)
    work = sb.path("work")
    os.makedirs(work)

    def task(*args, check=None, input=None):
        return sb.run(["ptt-task", "--no-autostart", *args], check=check, input=input)

    def spawn(*args):
        r = task("spawn", "--cwd", work, *args, check=0)
        expect(r.stdout.strip().isdigit(), f"spawn printed {r.stdout!r}")
        return r.stdout.strip()

    def record(ref):
        return json.loads(task("status", ref, "--json", check=0).stdout)

    def gate(name):
        return sb.path(f"gate-{name}")

    # cancel of a finished task: says so, exit 0, cancels nothing.
    done = spawn("--wait", "--name", "done", "result success fine")
    r = task("cancel", done, check=0)
    expect(r.stdout == "" and r.stderr == f"task {done} already succeeded; nothing to cancel\n",
           f"cancel of a finished task: {r.stdout!r} {r.stderr!r}")
    r = task("cancel", "--json", "done", check=0)
    expect(json.loads(r.stdout) == {"cancelled": [], "already_finished": [int(done)]}, f"--json: {r.stdout!r}")

    # A running task being cancelled shows `cancelling` until its agent has exited
    # (this one ignores SIGTERM, so it lasts the daemon's 1 s kill grace).
    stubborn = spawn("--name", "stubborn", "ignore-term; text up; sleep 30")
    # "running" comes before the agent has read its directives: wait for its "up" line,
    # written after it ignores SIGTERM, or the cancel can land first and end it at once.
    wait_until(lambda: '"up"' in task("logs", "--raw", stubborn, check=0).stdout,
               what="the stubborn task to ignore SIGTERM")
    r = task("cancel", stubborn, check=0)
    expect(r.stdout == f"cancelled {stubborn}\n", f"cancel printed {r.stdout!r}")
    rec = record(stubborn)
    expect(rec["state"] == "running" and rec.get("cancel_requested") is True, f"while cancelling: {rec}")
    expect(task("status", stubborn, check=0).stdout.startswith(f"task {stubborn} (stubborn): cancelling\n"),
           "status does not say cancelling")
    row = [line for line in task("list", check=0).stdout.splitlines() if line.split()[0] == stubborn]
    expect(row and row[0].split()[2] == "cancelling", f"list row: {row}")
    r = task("wait", stubborn, check=1)
    expect(r.stdout.startswith(f"{stubborn} stubborn cancelled"), f"after the grace: {r.stdout!r}")
    expect(record(stubborn)["state"] == "cancelled", "not cancelled in the end")

    # wait without ids: nothing unfinished is no error, and a pipe gets no chatter.
    r = task("wait", check=0)
    expect(r.stdout == "" and r.stderr == "", f"wait with nothing to wait for: {r.stdout!r} {r.stderr!r}")
    # It waits for every task queued or running when called.
    a = spawn(f"wait-file {gate('a')}; result success a")
    b = spawn(f"wait-file {gate('b')}; result error_max_turns b")
    waiter = subprocess.Popen([binary("ptt-task"), "--no-autostart", "wait"], env=sb.env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    wait_until(lambda: all(record(t)["state"] == "running" for t in (a, b)), what="both tasks to run")
    open(gate("a"), "w").close()
    wait_until(lambda: record(a)["state"] == "succeeded", what="task a to finish")
    expect(waiter.poll() is None, "wait returned while a task was still running")
    open(gate("b"), "w").close()
    out, err = waiter.communicate(timeout=30)
    expect(waiter.returncode == 1, f"wait exit {waiter.returncode}: {err!r}")
    lines = out.splitlines()
    expect(len(lines) == 2 and lines[0].startswith(f"{a} succeeded") and lines[1].startswith(f"{b} failed"),
           f"wait printed {out!r}")

    # retry: a new task with the same prompt, cwd and options, linked by retry_of;
    # the reply is exactly spawn's ({"ok", "task"}, plus the request id).
    opts = spawn("--model", "m-1", "--max-turns", "3", "--name", "opts", "result success first run")
    task("wait", opts, check=0)
    c = NdjsonClient(sb.socket)
    reply = c.request("retry", task="opts")
    expect(reply["ok"] and set(reply) == {"id", "ok", "task"}, f"retry reply: {reply}")
    again = reply["task"]
    old = record(opts)
    expect(again["retry_of"] == int(opts) and again["id"] > int(opts), f"retry_of: {again}")
    expect(again["prompt"] == old["prompt"] and again["cwd"] == old["cwd"] and again["options"] == old["options"]
           and again["name"] is None, f"retry copied: {again} from {old}")
    spawn_reply = c.request("spawn", prompt="x", cwd=work)
    expect(set(spawn_reply) == set(reply) and set(spawn_reply["task"]) == set(again), "retry's reply is not spawn's")
    reply = c.request("retry", task=10**6)
    expect(not reply["ok"] and reply["error"]["code"] == "not_found", f"retry of no task: {reply}")
    c.close()
    r = task("retry", "--name", "opts-again", "--wait", opts, check=0)
    new = r.stdout.strip()
    expect(new.isdigit() and record("opts-again")["retry_of"] == int(opts), f"retry --wait printed {r.stdout!r}")
    # Retrying what has not finished is refused (exit 1), saying what to do.
    busy = spawn("--name", "busy", f"wait-file {gate('busy')}; result success busy")
    r = task("retry", busy, check=1)
    expect(f"task {busy} is still" in r.stderr and "wait for it or cancel it" in r.stderr, f"retry busy: {r.stderr!r}")

    # A name is one unfinished task's: taken while it runs, free again once it ended.
    r = task("spawn", "--cwd", work, "--name", "busy", "x", check=2)
    expect(f'the name "busy" is taken by task {busy}' in r.stderr, f"name taken: {r.stderr!r}")
    r = task("retry", "--name", "busy", done, check=2)
    expect("is taken by task" in r.stderr, f"retry name taken: {r.stderr!r}")
    open(gate("busy"), "w").close()
    task("wait", busy, check=0)
    reused = spawn("--name", "busy", "--wait", "result success again")
    expect(record("busy")["id"] == int(reused), "a reused name does not mean the newest task")

    # clean: only finished tasks, only in --state, only those --older-than.
    r = task("clean", "--state", "running", check=2)
    expect("--state" in r.stderr and "succeeded" in r.stderr, f"clean --state running: {r.stderr!r}")
    r = task("clean", "--older-than", "5x", check=2)
    expect("--older-than must be a duration like 30s, 10m, 2h or 7d (not '5x')" in r.stderr, f"5x: {r.stderr!r}")
    c = NdjsonClient(sb.socket)
    reply = c.request("clean", state="queued")
    expect(not reply["ok"] and reply["error"]["code"] == "invalid_argument", f"clean state queued: {reply}")
    c.close()
    running = spawn(f"wait-file {gate('last')}; result success last")
    before = {t["id"]: t["state"] for t in map(json.loads, task("list", "--json", check=0).stdout.splitlines())}
    r = task("clean", "--older-than", "1h", check=0)
    expect(r.stdout == "removed 0 finished tasks\n", f"clean --older-than 1h: {r.stdout!r}")
    r = task("clean", "--state", "cancelled", "--json", check=0)
    expect(json.loads(r.stdout)["removed"] == [int(stubborn)], f"clean --state cancelled: {r.stdout!r}")
    r = task("clean", "--state", "failed", "--older-than", "0s", "--json", check=0)
    failed_ids = sorted(i for i, s in before.items() if s == "failed")
    expect(failed_ids and json.loads(r.stdout)["removed"] == failed_ids, f"clean failed: {r.stdout!r} {before}")
    r = task("clean", "--json", check=0)
    after = [t["id"] for t in map(json.loads, task("list", "--json", check=0).stdout.splitlines())]
    expect(after == [int(running)], f"left after clean: {after}")
    open(gate("last"), "w").close()
    task("wait", running, check=0)
