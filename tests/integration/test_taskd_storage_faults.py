"""The state dir is full or unwritable: a spawn that cannot be recorded gets a clear
`storage_error` reply, never an id; nothing acknowledged is lost (every id handed out
has its record on disk once space is back, with its latest state, and a restart after
kill -9 lists them all with those states); the daemon lives on.

Disk full is a 1 MiB tmpfs mounted on the state dir (needs root and mount(2); where that
is refused, the unwritable half runs and then the test skips, exit 77).
Unwritable: the records file (tasks.ndjson) is made read-only and the daemon runs without
CAP_DAC_OVERRIDE (setpriv), so root is held to the mode bits too."""
import os
import shutil
import subprocess

from ptt_harness import Sandbox, expect, skip, wait_until
from taskd_fixture import Taskd, get, records_on_disk, spawn, tasks_before_a_fault, wait_tasks


def fill(path, byte=b"\0"):
    """Writes until not one more byte fits (halving the chunk at each ENOSPC)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    size = 1 << 16
    while size >= 1:
        try:
            os.write(fd, byte * size)
        except OSError:
            size //= 2
    os.close(fd)


def fill_records_file(state_dir):
    """Fills the slack in the last page of tasks.ndjson with newlines (empty lines are
    skipped when read): a small append would still fit there on a full tmpfs."""
    fill(os.path.join(state_dir, "tasks.ndjson"), b"\n")


def refused(c, sb, code_word):
    before = {t["id"] for t in c.request("list")["tasks"]}
    r = c.request("spawn", prompt="result success never", cwd=sb.root)
    expect(not r["ok"], f"a spawn that cannot be recorded got an id: {r}")
    expect(r["error"]["code"] == "storage_error", f"error code: {r}")
    expect(code_word in r["error"]["message"], f"the message does not say why: {r}")
    after = {t["id"] for t in c.request("list")["tasks"]}
    expect(after == before, f"a refused spawn left a task behind: {after - before}")
    return r["error"]["message"]


def disk_full():
    with Sandbox("taskd-disk-full") as sb:
        os.makedirs(sb.state_dir, mode=0o700)
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", sb.state_dir],
                           capture_output=True, text=True)
        if r.returncode != 0:
            return f"cannot mount a tmpfs ({r.stderr.strip()}): the disk-full half did not run"
        try:
            d = Taskd(sb)
            c = d.client()
            # Both agents have written their first lines before the disk fills.
            held = tasks_before_a_fault(c, sb, "finished after")
            done, running, blocker, queued = held["done"], held["running"], held["blocker"], held["queued"]
            gate, queued_gate = held["gate"], held["queued_gate"]

            filler = os.path.join(sb.state_dir, "filler")
            fill(filler)
            fill_records_file(sb.state_dir)
            message = refused(c, sb, "No space left")
            # A state change while full (cancel) is acknowledged; it must reach the disk later.
            r = c.request("cancel", task=queued)
            expect(r.get("cancelled") == [queued], f"cancel while full: {r}\n{get(c, queued)}\n{d.log()}")
            expect(get(c, queued)["state"] == "cancelled", "the cancel did not take")
            expect("No space left" in d.log(), "the daemon log does not say the disk is full:\n" + d.log())
            expect(d.proc.poll() is None, "the daemon died on a full disk")

            os.unlink(filler)
            ok = spawn(c, "result success after space came back", sb.root)
            open(gate, "w").close()
            open(queued_gate, "w").close()
            final = wait_tasks(c, [running, blocker, ok])
            expect(final[running]["state"] == "succeeded", f"the running task: {final[running]}")
            disk = records_on_disk(sb.state_dir)
            for t in (done, running, blocker, queued, ok):
                expect(t in disk, f"task {t} was acknowledged but has no record on disk")
            expect(disk[queued]["state"] == "cancelled", f"the cancel made while full was lost: {disk[queued]}")
            expect(disk[running]["state"] == "succeeded", f"record of the running task: {disk[running]}")
            expect(len(disk) == 5, f"a refused spawn left a record: {sorted(disk)}")
            expect("record written after an earlier failure" in d.log(), "no retry logged:\n" + d.log())
            d.kill9()
            c = Taskd(sb).client()
            states = {t["id"]: t["state"] for t in c.request("list")["tasks"]}
            expect(states == {t: disk[t]["state"] for t in disk}, f"after restart: {states}, on disk before: "
                   f"{ {t: disk[t]['state'] for t in disk} }")
            print(f"disk full: spawn refused with: {message}")
        finally:
            for p in sb.procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            subprocess.run(["umount", "-l", sb.state_dir], capture_output=True)
    return None


def unwritable():
    prefix = ()
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            skip("setpriv (util-linux) is not installed")
        # Root ignores mode bits unless it lacks CAP_DAC_OVERRIDE (and _READ_SEARCH).
        prefix = ("/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search",
                  "--inh-caps=-dac_override,-dac_read_search")
    with Sandbox("taskd-unwritable") as sb:
        d = Taskd(sb, prefix=prefix)
        c = d.client()
        first = spawn(c, "result success recorded", sb.root)
        wait_tasks(c, [first])
        gate = sb.path("gate")
        running = spawn(c, f"tool Bash working; wait-file {gate}; result success finished while read-only", sb.root)
        wait_until(lambda: get(c, running)["activity"] == "Bash: working", what="the running task's agent")
        records = os.path.join(sb.state_dir, "tasks.ndjson")
        os.chmod(records, 0o400)
        try:
            message = refused(c, sb, "Permission denied")
            expect("Permission denied" in d.log(), "the daemon log does not say why:\n" + d.log())
            expect(c.request("get", task=first)["ok"], "reads stopped working")
            # Acknowledged while the dir is read-only: the outcome waits in memory.
            open(gate, "w").close()
            expect(wait_tasks(c, [running])[running]["state"] == "succeeded", "the running task")
            # Its record as written at spawn: starting (the start itself is in supervisor.ndjson).
            expect(records_on_disk(sb.state_dir)[running]["state"] == "starting", "a write got through a read-only file?")
        finally:
            os.chmod(records, 0o600)
        wait_until(lambda: records_on_disk(sb.state_dir)[running]["state"] == "succeeded", 10,
                   "the outcome to reach the disk once the dir is writable")
        second = spawn(c, "result success writable again", sb.root)
        expect(wait_tasks(c, [second])[second]["state"] == "succeeded", "spawn after the dir is writable again")
        expect(sorted(records_on_disk(sb.state_dir)) == [first, running, second], f"records: {sorted(records_on_disk(sb.state_dir))}")
        expect(d.proc.poll() is None, "the daemon died")
        # A restart finds every acknowledged task with its outcome.
        d.kill9()
        c = Taskd(sb, prefix=prefix).client()
        states = {t["id"]: t["state"] for t in c.request("list")["tasks"]}
        expect(states == {first: "succeeded", running: "succeeded", second: "succeeded"},
               f"after restart: {states}")
        print(f"unwritable: spawn refused with: {message}")


unwritable()
not_run = disk_full()
if not_run:
    skip(not_run, "mount")
print("ok: a full or unwritable state dir refuses spawns clearly and loses nothing acknowledged")
