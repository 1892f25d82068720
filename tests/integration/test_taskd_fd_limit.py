"""Descriptor exhaustion: 100 idle connections to a daemon limited to 64 descriptors
(RLIMIT_NOFILE, as `ulimit -n 64`) must not leave a task `running` for ever.

Before, the idle connections took every descriptor; when the agent exited the daemon
could not open the task's status file (EMFILE), dropped the file event, and the task
(and a `wait` on it) hung for good. Now connections beyond what the limit leaves for
tasks are refused at once with a `busy` reply, the refusal is logged, and the task
ends with its own outcome while the idle connections are still open."""
import json

from fd_exhaustion import answered, fd_limit, flood, served
from ptt_harness import Sandbox, expect, wait_until
from taskd_fixture import Taskd, get, spawn, wait_tasks

LIMIT = 64
IDLE = 100

with Sandbox("taskd-fd-limit") as sb:
    d = Taskd(sb, preexec_fn=fd_limit(LIMIT))
    c = d.client()
    gate = sb.path("gate")
    task = spawn(c, f"tool Bash waiting; wait-file {gate}; result success finished under the limit", sb.root)
    wait_until(lambda: get(c, task)["pid"], what="the agent to run")

    idle = flood(d.proc.pid, sb.socket, IDLE)
    # ptt-task is refused too, and says why.
    r = sb.run(["ptt-task", "list"])
    expect(r.returncode == 3 and "limit of" in r.stderr, f"ptt-task at the connection limit: {r}")
    # A log stream would hold one more descriptor: refused too, the connection lives on.
    logs = c.request("logs", task=task)
    expect(not logs["ok"] and logs["error"]["code"] == "busy", f"logs at the connection limit: {logs}")
    open(gate, "w").close()
    rec = wait_tasks(c, [task], timeout=20)[task]
    expect(rec["state"] == "succeeded" and rec["result"]["text"] == "finished under the limit",
           f"the task's outcome with {IDLE} idle connections open: {rec}\n{d.log()}")

    expect("refused a connection" in d.log(), f"the daemon does not log its refusals\n{d.log()}")
    refused = [s for s in idle if answered(s)]
    expect(0 < len(refused) < IDLE, f"{len(refused)} of {IDLE} connections refused")
    reply = json.loads(refused[0].makefile().readline())
    expect(reply["ok"] is False and reply["error"]["code"] == "busy" and reply["id"] is None,
           f"a refused client is told why: {reply}")
    # A later task runs too, and a client gets in again once the idle ones leave.
    for s in idle:
        s.close()
    wait_until(lambda: served(sb.socket), what="a new client to be served once the idle ones left")
    t2 = spawn(d.client(), "result success after the flood", sb.root)
    expect(wait_tasks(c, [t2], timeout=20)[t2]["state"] == "succeeded", "a task after the flood")
    print(f"{len(refused)} of {IDLE} idle connections refused at a limit of {LIMIT} descriptors")
print("ok: idle connections cannot take the descriptors a task needs")
