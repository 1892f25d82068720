"""Poisoned state never stops the daemon from starting.

- An agent prints one 2 MB stream line whose tool_use input is 1,000,000 levels deep.
  The daemon reads it live and again at each restart (it re-adopts the running task
  and re-reads its stream): neither may crash it. The line stays in the raw log, is not
  read, and the task goes on to its real outcome.
- A line of tasks.ndjson nested a million deep is reported and skipped, as a torn record.
- A task whose stream log cannot be read at all (here: a FIFO where the file was, which
  would block a plain open) ends `failed` with reason `stream_unreadable`, and the daemon
  starts and serves the others."""
import os

from ptt_harness import Sandbox, expect, wait_until
from taskd_fixture import Taskd, get, pid_alive, spawn, wait_tasks

DEPTH = 1_000_000

with Sandbox("taskd-poisoned-state") as sb:
    d = Taskd(sb)
    c = d.client()
    gate = sb.path("gate")
    t = spawn(c, f"tool Bash before; deep-tool {DEPTH}; tool Bash after the poison; wait-file {gate}; "
                 "result success lived", sb.root)
    stream = os.path.join(sb.state_dir, "logs", str(t), "stream.ndjson")
    wait_until(lambda: get(c, t)["activity"] == "Bash: after the poison", what="the line after the deep one")
    expect(os.path.getsize(stream) > 2 * DEPTH, "the raw log lost the deep line")
    expect(d.proc.poll() is None, "the daemon died reading the deep line")

    # Each restart re-adopts the task and reads its whole stream again.
    for restart in range(2):
        d.kill9()
        d = Taskd(sb)
        c = d.client()
        wait_until(lambda: get(c, t)["activity"] == "Bash: after the poison", what=f"re-read after restart {restart}")
        expect(get(c, t)["state"] == "running", str(get(c, t)))

    # A deep record in tasks.ndjson (here appended behind the daemon's back, while it is down).
    d.kill9()
    with open(os.path.join(sb.state_dir, "tasks.ndjson"), "a") as f:
        f.write('\n{"id":' + "[" * DEPTH + "]" * DEPTH + "}\n")
    d = Taskd(sb)
    expect("torn or corrupt task record (JSON nested deeper than 512 levels); skipped" in d.log(),
           "the deep record was not reported:\n" + d.log()[-2000:])
    c = d.client()
    open(gate, "w").close()
    rec = wait_tasks(c, [t])[t]
    expect(rec["state"] == "succeeded" and rec["result"]["text"] == "lived", str(rec))

    # A stream log that cannot be read: the task fails with a reason, the daemon goes on.
    gate2 = sb.path("gate2")
    u = spawn(c, f"tool Bash waiting; wait-file {gate2}; result success never read", sb.root)
    wait_until(lambda: get(c, u)["activity"] == "Bash: waiting", what="task u to start")
    agent = get(c, u)["pid"]
    d.kill9()
    stream_u = os.path.join(sb.state_dir, "logs", str(u), "stream.ndjson")
    os.rename(stream_u, stream_u + ".moved")  # the agent keeps writing to the moved file
    os.mkfifo(stream_u)
    d = Taskd(sb)
    c = d.client()
    rec = wait_tasks(c, [u])[u]
    expect(rec["state"] == "failed" and rec["reason"] == "stream_unreadable", str(rec))
    expect("not a regular file" in (rec.get("stderr_tail") or ""), str(rec))
    wait_until(lambda: not pid_alive(agent), 5, "the agent of the unreadable task to be stopped")
    expect("task {}: its stream log".format(u) in d.log(), d.log()[-2000:])
    n = spawn(c, "result success after", sb.root)
    expect(wait_tasks(c, [n])[n]["state"] == "succeeded", "the daemon does not run new tasks")
print("ok: a deep agent line, a deep record and an unreadable stream never stop the daemon")
