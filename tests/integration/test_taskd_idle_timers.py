"""The runner's timers (the stall watchdog, the wait for an agent's exit after its
result) run only while tasks run: an idle daemon configured with a 1 s stall timeout and
a 1 s kill grace, after tasks that armed both, wakes up 0 times (its context switches,
as bench/idle_wakeups.py counts them, over a window longer than both timers).

The same count during a quiet running task with a stall timeout is above 0, so the
measurement can fail.
"""
import os
import time

from ptt_harness import Sandbox, expect, switches, wait_asleep_in_epoll
from taskd_fixture import Taskd, spawn, wait_tasks

WINDOW_S = 2.5  # longer than the 1 s timers: any of them still armed would fire in it


def wakeups_over_window(pid):
    # Under load the daemon was still handling the end of the last task (the inotify
    # watch it removed queues one last event) when a window opened at the reply.
    wait_asleep_in_epoll(pid)
    before = switches(pid)
    time.sleep(WINDOW_S)  # a measurement window, not a wait for readiness
    return switches(pid) - before


with Sandbox("taskd-idle-timers") as sb:
    work = sb.path("work")
    os.makedirs(work)
    taskd = Taskd(sb, "--stall-timeout", "1", "--kill-grace", "1")
    c = taskd.client(timeout=30)
    # A task that stalls (1.5 s without output), then goes on and ends with a result; and
    # one that hangs after its result (its agent is ended after the grace).
    stalled = spawn(c, "sleep 1.5; result success late", work)
    hangs = spawn(c, "linger; result success early", work)
    done = wait_tasks(c, [stalled, hangs], timeout=60)
    expect(done[stalled]["state"] == "succeeded", f"stalled task: {done[stalled]}")
    expect(done[hangs]["state"] == "succeeded", f"task that hung after its result: {done[hangs]}")
    log = taskd.log()
    expect(f"task {stalled}: stalled" in log, f"the watchdog did not fire:\n{log}")
    expect(f"task {hangs}: its agent has not exited" in log, f"the grace timer did not fire:\n{log}\n{done}")

    # Running and quiet: the stall timer wakes the daemon (the measurement can fail).
    # (One connection throughout: a client closing would wake the daemon too.)
    flag = sb.path("go-on")
    quiet = spawn(c, f"wait-file {flag}; result success", work)
    busy = wakeups_over_window(taskd.proc.pid)
    expect(busy > 0, "a daemon with a running quiet task and a 1 s stall timeout never woke up")
    open(flag, "w").close()
    wait_tasks(c, [quiet], timeout=30)

    idle = wakeups_over_window(taskd.proc.pid)
    expect(idle == 0, f"the idle daemon woke up {idle} times in {WINDOW_S} s (a timer is still armed)")
    print(f"ok: idle daemon with --stall-timeout 1: {idle} wake-ups in {WINDOW_S} s (running: {busy})")
