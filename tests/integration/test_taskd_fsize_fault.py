"""The daemon's writes fail with EFBIG (RLIMIT_FSIZE lowered to 0 on the running daemon
with prlimit: a disk full that needs no mount and no privilege, so it runs everywhere).
A spawn gets a `storage_error` reply saying why, never an id; the daemon survives
(SIGXFSZ would kill it unless ignored) and logs the cause; changes acknowledged during
the fault (a cancel, a task finishing) reach the disk once writes work again; and a
restart after kill -9 finds every acknowledged task with its outcome.

The daemon logs to a pipe here (as under systemd): a log file would be refused too."""
import os
import shutil
import subprocess
import threading

from ptt_harness import Sandbox, binary, expect, skip, wait_until
from taskd_fixture import Taskd, records_on_disk, spawn, tasks_before_a_fault, wait_tasks

if not shutil.which("prlimit"):
    skip("prlimit (util-linux) is not installed")


def set_fsize(pid, soft):
    # Only the soft limit: lowering and raising it back up to the hard one needs no privilege.
    subprocess.run(["prlimit", f"--pid={pid}", f"--fsize={soft}:"], check=True)


class PipedTaskd(Taskd):
    """A Taskd whose stderr is a pipe drained by a thread into self.lines."""

    def __init__(self, sb):
        self.sb = sb
        self.lines = []
        read_end, write_end = os.pipe()
        cmd = [binary("ptt-taskd"), "--claude", binary("fake-agent"), "--ready-fd", str(write_end)]
        self.proc = sb.start(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(write_end,))
        os.close(write_end)
        threading.Thread(target=self._drain, daemon=True).start()
        self.ready_line = self._read_ready(read_end)
        expect(self.ready_line.startswith("ready "), f"daemon not ready: {self.ready_line!r}\n{self.log()}")

    def _drain(self):
        for line in self.proc.stderr:
            self.lines.append(line.decode(errors="replace"))

    def log(self):
        return "".join(self.lines)


with Sandbox("taskd-fsize") as sb:
    d = PipedTaskd(sb)
    c = d.client()
    held = tasks_before_a_fault(c, sb, "finished during the fault")
    done, running, blocker, queued = held["done"], held["running"], held["blocker"], held["queued"]
    gate, queued_gate = held["gate"], held["queued_gate"]
    acknowledged = {done, running, blocker, queued}

    set_fsize(d.proc.pid, 0)
    before = {t["id"] for t in c.request("list")["tasks"]}
    r = c.request("spawn", prompt="result success never", cwd=sb.root)
    expect(not r["ok"], f"a spawn that cannot be recorded got an id: {r}")
    expect(r["error"]["code"] == "storage_error", f"error code: {r}")
    expect("File too large" in r["error"]["message"], f"the message does not say why: {r}")
    refusal = r["error"]["message"]
    expect({t["id"] for t in c.request("list")["tasks"]} == before, "a refused spawn left a task behind")
    # Acknowledged during the fault: a cancel, and a task that finishes.
    r = c.request("cancel", task=queued)
    expect(r.get("cancelled") == [queued], f"cancel during the fault: {r}")
    open(gate, "w").close()
    expect(wait_tasks(c, [running])[running]["state"] == "succeeded", "the running task did not finish")
    expect(d.proc.poll() is None, f"the daemon died on EFBIG (exit {d.proc.returncode}):\n{d.log()}")
    wait_until(lambda: f"task {running}:" in d.log() and "retrying" in d.log(), 10,
               "the failed outcome write to be logged")
    expect("File too large" in d.log(), "the daemon log does not say why:\n" + d.log())
    disk = records_on_disk(sb.state_dir)
    # Its record as written at spawn: starting (the start itself is in supervisor.ndjson).
    expect(disk[running]["state"] == "starting", f"a write got through during the fault? {disk[running]}")

    set_fsize(d.proc.pid, "unlimited")
    wait_until(lambda: records_on_disk(sb.state_dir).get(running, {}).get("state") == "succeeded", 10,
               "the outcome held in memory to reach the disk")
    wait_until(lambda: records_on_disk(sb.state_dir)[queued]["state"] == "cancelled", 10, "the cancel to reach the disk")
    # The log line follows the write it reports, and comes through a pipe and a thread.
    wait_until(lambda: "record written after an earlier failure" in d.log(), 5, "the retry to be logged")
    open(queued_gate, "w").close()
    wait_tasks(c, [blocker])

    d.kill9()
    d2 = Taskd(sb)
    c2 = d2.client()
    after = {t["id"]: t for t in c2.request("list")["tasks"]}
    expect(set(after) == acknowledged, f"after restart: {sorted(after)}, acknowledged {sorted(acknowledged)}")
    states = {t: after[t]["state"] for t in sorted(after)}
    expect(states == {done: "succeeded", running: "succeeded", blocker: "succeeded", queued: "cancelled"},
           f"outcomes after restart: {states}")
    expect(after[running]["result"]["text"] == "finished during the fault", f"result: {after[running]}")
    fresh = spawn(c2, "result success after restart", sb.root)
    expect(fresh > max(acknowledged), f"id {fresh} reused")
    expect(wait_tasks(c2, [fresh])[fresh]["state"] == "succeeded", "spawn after restart")
    print(f"fsize: spawn refused with: {refusal}")
print("ok: EFBIG refuses spawns clearly, the daemon lives, acknowledged changes land after the fault and a restart")
