"""Pid reuse: a restarted daemon never signals a process that merely has a task's old pid.

The daemon and the supervisor are killed -9 while two tasks run; task A's agent then
exits on its own, so nobody records its exit. Pids are reused in the meantime: here an
unrelated `setsid` process (a session and group leader) takes task A's agent pid, and
an unrelated process named ptt-supervise takes the supervisor's pid as task B's status
file records it. Cycling through 4 million pids to get exactly those numbers is too slow
for a test, so the test writes the unrelated processes' pids into the status files
instead, leaving everything else as it was. For the daemon that is the same state as a
real reuse: a recorded pid names a live process that is not the task's, while the start
time recorded beside it (for the agent by the supervisor, for the supervisor by the
daemon) is still that of the task's own process, exactly as after a reuse.

The restarted daemon must leave both unrelated processes alone, end both tasks failed
(supervisor_lost) instead of waiting or claiming success, and still kill task B's agent,
which is provably the task's (alive, with its recorded start time) and would otherwise
run on unsupervised. A cancel of task B after the restart must not reach the impostor."""
import os
import re
import shutil
import signal
import subprocess

from ptt_harness import Sandbox, expect, wait_until
from taskd_fixture import Taskd, get, pid_alive, spawn, supervisor_status, wait_tasks


def rewrite_pid(state_dir, task, key, new_pid):
    path = os.path.join(state_dir, "logs", str(task), "supervisor.ndjson")
    with open(path) as f:
        text = f.read()
    text, n = re.subn(rf'"{key}":\d+', f'"{key}":{new_pid}', text)
    expect(n == 1, f"task {task}'s status file has no single {key} pid: {text!r}")
    with open(path, "w") as f:
        f.write(text)


with Sandbox("taskd-pid-reuse") as sb:
    d = Taskd(sb)
    c = d.client()
    gate_a, gate_b = sb.path("gate-a"), sb.path("gate-b")
    a = spawn(c, f"tool Bash task a; wait-file {gate_a}; result success a finished", sb.root)
    b = spawn(c, f"tool Bash task b; wait-file {gate_b}; result success b finished", sb.root)
    for t in (a, b):
        wait_until(lambda t=t: get(c, t)["activity"], what=f"task {t}'s agent to run")
    agent_a, agent_b = (wait_until(lambda t=t: get(c, t)["pid"], what=f"task {t}'s agent pid") for t in (a, b))
    server = supervisor_status(sb.state_dir, a)["server"]
    expect(server == supervisor_status(sb.state_dir, b)["server"], "one supervisor runs both tasks")

    d.kill9()
    os.kill(server, signal.SIGKILL)
    wait_until(lambda: not pid_alive(server), what="the supervisor to die")
    open(gate_a, "w").close()  # task A's agent exits on its own; its exit is recorded nowhere
    wait_until(lambda: not pid_alive(agent_a), what="task A's agent to exit")
    expect(pid_alive(agent_b), "task B's agent died with its supervisor")

    unrelated = subprocess.Popen(["sleep", "300"], start_new_session=True)  # leads its own group
    impostor_exe = sb.path("ptt-supervise")  # /proc/PID/comm says ptt-supervise
    shutil.copy(shutil.which("sleep"), impostor_exe)
    impostor = subprocess.Popen([impostor_exe, "300"], start_new_session=True)
    try:
        rewrite_pid(sb.state_dir, a, "agent", unrelated.pid)
        rewrite_pid(sb.state_dir, b, "server", impostor.pid)

        d2 = Taskd(sb)
        c2 = d2.client()
        done = wait_tasks(c2, [a], timeout=20)
        c2.request("cancel", task=b)
        done.update(wait_tasks(c2, [b], timeout=20))
        for t in (a, b):
            rec = done[t]
            expect(rec["state"] == "failed" and rec["reason"] == "supervisor_lost",
                   f"task {t} must end failed with supervisor_lost: {rec}\n{d2.log()}")
        expect(pid_alive(unrelated.pid), f"the unrelated group that took task A's pid was killed\n{d2.log()}")
        expect(pid_alive(impostor.pid), f"the process that took the supervisor's pid was signalled\n{d2.log()}")
        wait_until(lambda: not pid_alive(agent_b), what="task B's own agent to be killed")
        expect("not signalled" in d2.log(), f"the daemon does not say why it left task A's pid alone\n{d2.log()}")
    finally:
        for p in (unrelated, impostor):
            p.kill()
            p.wait()
print("ok: a restarted daemon signals only processes that are provably the task's")
