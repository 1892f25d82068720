"""Cancel sends SIGTERM to the task's process group and SIGKILL after --kill-grace;
grandchildren die too, also when the agent exits on its own."""
import json
import time

from ptt_harness import Sandbox, expect, wait_until
from taskd_fixture import Taskd, get, log_lines, pid_alive, spawn, wait_tasks


def grandchild_pid(c, task):
    def find():
        for e in log_lines(c, task):
            if e["line"].startswith("{") and json.loads(e["line"]).get("type") == "fake_grandchild":
                return json.loads(e["line"])["pid"]
        return None
    return wait_until(find, what=f"task {task}'s grandchild")


with Sandbox("taskd-cancel") as sb:
    d = Taskd(sb, "--kill-grace", "0.5")
    c = d.client()

    # A polite agent: SIGTERM ends it and its grandchild.
    t1 = spawn(c, "grandchild; sleep 60", sb.root)
    gc1 = grandchild_pid(c, t1)
    expect(pid_alive(gc1), "grandchild not running")
    c.request("cancel", task=t1)
    rec = wait_tasks(c, [t1])[t1]
    expect(rec["state"] == "cancelled" and rec["reason"] == "cancelled", str(rec))
    expect(rec["exit_code"] == 128 + 15, f"agent should have died of SIGTERM: {rec}")
    wait_until(lambda: not pid_alive(gc1), 5, "the grandchild to die")

    # A stubborn agent ignores SIGTERM: SIGKILL follows after the grace period.
    t2 = spawn(c, "ignore-term; grandchild; sleep 60", sb.root)
    gc2 = grandchild_pid(c, t2)
    started = time.monotonic()
    c.request("cancel", task=t2)
    rec = wait_tasks(c, [t2])[t2]
    took = time.monotonic() - started
    expect(rec["state"] == "cancelled" and rec["exit_code"] == 128 + 9, f"SIGKILL expected: {rec}")
    # Not before the grace (a lower bound, less libuv's cached loop time: load only makes
    # it later); how late is bounded by wait's timeout.
    expect(took >= 0.4, f"SIGKILL came after {took:.2f}s, before the 0.5 s grace")
    wait_until(lambda: not pid_alive(gc2), 5, "the stubborn grandchild to die")

    # An agent that finishes normally does not leave its grandchildren behind.
    t3 = spawn(c, "grandchild; result success done", sb.root)
    rec = wait_tasks(c, [t3])[t3]
    expect(rec["state"] == "succeeded", str(rec))
    gc3 = grandchild_pid(c, t3)
    wait_until(lambda: not pid_alive(gc3), 5, "the finished task's grandchild to die")

    # A cancel in the same write as its spawn reaches the daemon before the task's
    # supervisor is started (that follows the spawn's reply): it must still stop it.
    spawn_line = {"id": 901, "op": "spawn", "prompt": "sleep 60; result success not cancelled", "cwd": sb.root,
                  "name": "early"}
    cancel_line = {"id": 902, "op": "cancel", "task": "early"}
    c.send_raw((json.dumps(spawn_line) + "\n" + json.dumps(cancel_line) + "\n").encode())
    replies = {}
    while len(replies) < 2:
        msg = c.read()
        if msg.get("id") in (901, 902):
            replies[msg["id"]] = msg
    t4 = replies[901]["task"]["id"]
    expect(replies[902].get("cancelled") == [t4], f"cancel reply: {replies[902]}")
    rec = wait_tasks(c, [t4], timeout=15)[t4]
    expect(rec["state"] == "cancelled", f"a cancel before the start was lost: {rec}")
    # It ended without ever running: no agent wrote its session line, no exit code.
    expect(rec["session_id"] is None and rec["exit_code"] is None, f"the agent ran anyway: {rec}")
    expect(d.proc.poll() is None, "daemon died")
print("ok: cancel escalates to SIGKILL, no grandchild survives its task, an early cancel holds")
