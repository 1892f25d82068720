"""cancel through the real daemon: a running task, and all; idle means no wake-ups;
clean forgets finished tasks and ids are never reused."""
import os
import time

from ptt_harness import Sandbox, expect, wait_until
from taskd_fixture import get, pid_alive, spawn, supervisor_status, wait_tasks
from taskd_ops_fixture import OpsDaemon

with Sandbox("taskd-ops-cancel") as sb:
    ops = OpsDaemon(sb)
    d, c, work = ops.d, ops.c, ops.work

    t1 = spawn(c, "result success first", work)
    wait_tasks(c, [t1])
    # cancel: a running task and --all.
    t8 = spawn(c, "sleep 30", work)
    wait_until(lambda: get(c, t8)["pid"] is not None, what="the task running")
    r = c.request("cancel", task=t8)
    expect(r["ok"] and r["cancelled"] == [t8], str(r))
    expect(wait_tasks(c, [t8])[t8]["state"] == "cancelled", "cancel did not cancel")
    t9 = spawn(c, "sleep 30", work)
    # Running (its agent started), so the cancel goes to the agent; one while starting
    # ends the task at once, and its stopped start would wake the daemon below.
    wait_until(lambda: get(c, t9)["state"] == "running", what="task 9's agent to start")
    r = c.request("cancel", all=True)
    expect(r["cancelled"] == [t9], str(r))
    rec9 = wait_tasks(c, [t9])[t9]
    expect(rec9["reason"] == "cancelled", f"cancel --all: {rec9}")
    expect(c.request("cancel", task=t9)["cancelled"] == [], "a finished task cannot be cancelled again")

    # Idle means idle: no timer wakes the daemon while nothing runs.
    def switches():
        with open(f"/proc/{d.proc.pid}/status") as f:
            return sum(int(l.split()[1]) for l in f if "ctxt_switches" in l)
    # First let the cancelled task's agent group be gone (the supervisor kills it last).
    agent9 = supervisor_status(sb.state_dir, t9)["agent"]
    wait_until(lambda: not pid_alive(agent9), what="the cancelled agent to be reaped")
    before = switches()
    time.sleep(1.0)  # a measurement window, not a wait for readiness
    expect(switches() - before <= 1, f"the idle daemon woke up {switches() - before} times in 1 s")

    # clean forgets finished tasks; ids are never reused.
    r = c.request("clean")
    expect(sorted(r["removed"]) == [t1, t8, t9], str(r))
    expect(c.request("list")["tasks"] == [], "clean left tasks")
    expect(not os.path.exists(os.path.join(sb.state_dir, "logs", str(t1))), "clean left logs")
    t10 = spawn(c, "result success again", work)
    expect(t10 == t9 + 1, f"id {t10} reused or skipped")
    wait_tasks(c, [t10])
    ops.shutdown()
print("ok: cancel one and all, an idle daemon sleeps, clean, ids not reused")
