"""The agent binary is missing (--claude names a path that does not exist) or cannot be
run (not executable): the task fails with reason `agent_missing`, its record says which
path and why, `ptt-task status` shows it, and the daemon goes on serving.
(test_taskd_failures.py covers the same through PTT_CLAUDE.)"""
import json
import os

from ptt_harness import Sandbox, expect
from taskd_fixture import Taskd, spawn, wait_tasks

with Sandbox("taskd-agent-missing") as sb:
    cases = {
        "missing": (sb.path("no", "such", "claude"), "No such file or directory", {}),
        "not executable": (sb.path("claude-not-executable"), "Permission denied", {}),
        # Supervisors started as `ptt-taskd --supervise` instead of by the spawner process.
        "missing, no spawner": (sb.path("gone"), "No such file or directory", {"PTT_TASKD_NO_SPAWNER": "1"}),
    }
    with open(cases["not executable"][0], "w") as f:
        f.write("#!/bin/sh\necho never\n")
    os.chmod(cases["not executable"][0], 0o644)  # no x bit: exec fails even for root
    for what, (agent, why, env) in cases.items():
        d = Taskd(sb, claude=agent, env=dict(sb.env, **env))
        c = d.client()
        tid = spawn(c, "anything", sb.root)
        t = wait_tasks(c, [tid])[tid]
        expect(t["state"] == "failed" and t["reason"] == "agent_missing", f"{what}: {t}")
        tail = t["stderr_tail"] or ""
        expect(f"cannot run the agent {agent}: {why}" in tail, f"{what}: the record does not say why: {tail!r}")
        status = sb.run(["ptt-task", "status", str(tid)], check=0).stdout
        expect("agent_missing" in status and agent in status and why in status,
               f"{what}: `ptt-task status` does not show the reason:\n{status}")
        js = json.loads(sb.run(["ptt-task", "--json", "wait", str(tid)], check=1).stdout.splitlines()[0])
        expect(js["reason"] == "agent_missing", f"{what}: wait --json: {js}")
        # The daemon is fine and a later spawn fails the same way, not worse.
        again = spawn(c, "again", sb.root)
        expect(wait_tasks(c, [again])[again]["reason"] == "agent_missing", f"{what}: second task")
        expect(d.proc.poll() is None, f"{what}: the daemon died")
        expect(c.request("shutdown")["ok"], "shutdown")
        d.wait_exit()
        print(f"{what}: task {tid} failed (agent_missing): {tail.strip()}")
print("ok: a missing or non-executable agent fails the task with agent_missing and says why")
