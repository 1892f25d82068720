#!/usr/bin/env python3
"""A task whose exit the supervisor cannot record (its file size limit lowered to 0,
a full disk for that one process) is reported by the supervisor over its socket: the
daemon ends it failed with reason supervisor_lost and the supervisor's words, instead
of leaving it running forever. The supervisor goes on serving the next task."""
import shutil
import subprocess

from ptt_harness import Sandbox, expect, skip, wait_until
from taskd_fixture import Taskd, get, parent_pid, spawn, supervisor_status, wait_tasks

if not shutil.which("prlimit"):
    skip("prlimit (util-linux) is not installed")

with Sandbox("taskd-supervisor-report") as sb:
    d = Taskd(sb)
    c = d.client()
    gate = sb.path("gate")
    t = spawn(c, f"wait-file {gate}; result success never recorded", sb.root)
    agent = wait_until(lambda: get(c, t)["pid"], what="the agent")
    server = parent_pid(agent)
    subprocess.run(["prlimit", f"--pid={server}", "--fsize=0:"], check=True)
    open(gate, "w").close()
    rec = wait_tasks(c, [t])[t]
    expect(rec["state"] == "failed" and rec["reason"] == "supervisor_lost", str(rec))
    expect("cannot write its exit status: File too large" in (rec.get("stderr_tail") or ""), str(rec))
    expect(d.proc.poll() is None, "the daemon died")

    subprocess.run(["prlimit", f"--pid={server}", "--fsize=unlimited:"], check=True)
    t2 = spawn(c, "result success recorded again", sb.root)
    rec2 = wait_tasks(c, [t2])[t2]
    expect(rec2["state"] == "succeeded" and supervisor_status(sb.state_dir, t2)["server"] == server,
           f"the same supervisor runs on: {rec2}")
print("ok: a task the supervisor cannot record is reported and ends supervisor_lost; the supervisor goes on")
