"""examples/notify/ptt-notify.sh: each finished task becomes one notify-send call (a
recording fake on PATH) with the task's id, name, state and result; failures are critical."""
import os
import subprocess

from example_fixture import FakeBin, example
from ptt_harness import Sandbox, expect, wait_until
from taskd_fixture import Taskd, spawn, wait_tasks

with Sandbox("ex-notify") as sb:
    taskd = Taskd(sb)
    fakes = FakeBin(sb)
    fakes.add("notify-send", read_stdin=False)
    env = fakes.env(sb, PTT_NO_AUTOSTART="1")
    watcher = sb.start([example("notify", "ptt-notify.sh")], env=env, stdout=subprocess.DEVNULL,
                       stderr=open(sb.path("notify.err"), "w"), start_new_session=True)
    c = taskd.client()

    # The watcher is subscribed once a finished task is seen: spawn probes until one shows.
    def probe_seen():
        expect(watcher.poll() is None, f"ptt-notify.sh exited {watcher.returncode}: {open(sb.path('notify.err')).read()}")
        if fakes.calls():
            return True
        wait_tasks(c, [spawn(c, "result success probe", sb.root)])
        return bool(fakes.calls())

    wait_until(probe_seen, 20, "the watcher to notify about a probe task")

    ok = spawn(c, "tool Bash make; result success built it", sb.root, name="build")
    bad = spawn(c, "result error_during_execution the tests fail", sb.root)
    wait_tasks(c, [ok, bad])
    def ours():
        return [c for c in fakes.calls() if c["argv"][2].startswith((f"ptt: task {ok} ", f"ptt: task {bad} "))]

    calls = wait_until(lambda: ours() if len(ours()) >= 2 else None, 10, "two notifications")
    expect(len(calls) == 2, f"calls: {calls}")
    by_title = {c["argv"][2]: c["argv"] for c in calls}
    good = by_title.get(f"ptt: task {ok} (build) succeeded")
    expect(good == ["--app-name=ptt", "--urgency=normal", f"ptt: task {ok} (build) succeeded", "built it"],
           f"success notification: {calls}")
    failed = by_title.get(f"ptt: task {bad} failed")
    expect(failed is not None and failed[1] == "--urgency=critical" and failed[3] == "the tests fail",
           f"failure notification: {calls}")
    os.killpg(watcher.pid, 15)
    watcher.wait(timeout=10)
print("ok: finished tasks become notifications")
