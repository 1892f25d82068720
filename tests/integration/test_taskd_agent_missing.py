"""The agent binary is missing (--claude names a path that does not exist) or cannot be
run (not executable): the task fails with reason `agent_missing`, its record says which
path and why, `ptt-task status`, `logs` and `wait` show it with what to do (install
claude or set PTT_CLAUDE, restart the daemon), and the daemon goes on serving.
(test_taskd_failures.py covers the same through PTT_CLAUDE.)
ptt-supervise missing: the daemon refuses to start and says so; found in ../libexec/ptt
(the installed layout), tasks run."""
import json
import os
import shutil
import subprocess

from ptt_harness import Sandbox, binary, expect
from taskd_fixture import Taskd, spawn, wait_tasks

with Sandbox("taskd-agent-missing") as sb:
    cases = {
        "missing": (sb.path("no", "such", "claude"), "No such file or directory", {}),
        "not executable": (sb.path("claude-not-executable"), "Permission denied", {}),
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
        # Each says what to do next, not only what went wrong (README, Troubleshooting).
        expect("PTT_CLAUDE" in status and "`ptt-task shutdown`" in status,
               f"{what}: `ptt-task status` does not say what to do:\n{status}")
        logs = sb.run(["ptt-task", "logs", str(tid)], check=0).stdout
        expect(f"cannot run the agent {agent}" in logs and "PTT_CLAUDE" in logs,
               f"{what}: `ptt-task logs` does not say what to do:\n{logs}")
        waited = sb.run(["ptt-task", "wait", str(tid)], check=1)
        expect(waited.stderr.startswith("ptt-task: error: ptt-taskd cannot run its agent:")
               and "PTT_CLAUDE" in waited.stderr, f"{what}: `ptt-task wait` says nothing to do: {waited.stderr!r}")
        js = json.loads(sb.run(["ptt-task", "--json", "wait", str(tid)], check=1).stdout.splitlines()[0])
        expect(js["reason"] == "agent_missing", f"{what}: wait --json: {js}")
        # The daemon is fine and a later spawn fails the same way, not worse.
        again = spawn(c, "again", sb.root)
        expect(wait_tasks(c, [again])[again]["reason"] == "agent_missing", f"{what}: second task")
        expect(d.proc.poll() is None, f"{what}: the daemon died")
        expect(f"task {tid}: cannot run the agent {agent}: {why}" in d.log(), f"{what}: not in the daemon's log:\n"
               + d.log())
        expect(c.request("shutdown")["ok"], "shutdown")
        d.wait_exit()
        print(f"{what}: task {tid} failed (agent_missing): {tail.strip()}")
print("ok: a missing or non-executable agent fails the task with agent_missing and says why")

with Sandbox("taskd-supervisor-location") as sb:
    bare = sb.path("bare", "bin", "ptt-taskd")
    os.makedirs(os.path.dirname(bare))
    shutil.copy2(binary("ptt-taskd"), bare)
    r = subprocess.run([bare], env=sb.env, capture_output=True, text=True, timeout=30)
    expect(r.returncode == 1, f"a daemon without ptt-supervise must not start: {r.returncode}, {r.stderr}")
    expect(r.stderr.startswith("ptt-taskd: error: ptt-supervise is missing") and "reinstall ptt" in r.stderr,
           f"unclear error: {r.stderr!r}")
    expect(not os.path.exists(sb.socket), "it left a socket behind")

    installed = sb.path("prefix", "bin", "ptt-taskd")
    os.makedirs(os.path.dirname(installed))
    os.makedirs(sb.path("prefix", "libexec", "ptt"))
    shutil.copy2(binary("ptt-taskd"), installed)
    shutil.copy2(binary("ptt-supervise"), sb.path("prefix", "libexec", "ptt", "ptt-supervise"))
    d = Taskd(sb, daemon=installed)
    c = d.client()
    tid = spawn(c, "result success from libexec", sb.root)
    t = wait_tasks(c, [tid])[tid]
    expect(t["state"] == "succeeded" and t["result"]["text"] == "from libexec", str(t))
    print("ok: no ptt-supervise: refused with a clear error; ../libexec/ptt/ptt-supervise: tasks run")
