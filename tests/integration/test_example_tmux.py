"""examples/tmux/ptt-status.sh prints the status-line segment: running, queued, and
recently finished tasks by outcome, in tmux colour markup; nothing without a daemon."""
import os

from example_fixture import FakeBin, example, run_script
from ptt_harness import Sandbox, expect
from taskd_fixture import Taskd, spawn, wait_state, wait_tasks

SCRIPT = example("tmux", "ptt-status.sh")

with Sandbox("ex-tmux") as sb:
    env = FakeBin(sb).env(sb, PTT_NO_AUTOSTART="1")
    r = run_script([SCRIPT], env)
    expect(r.returncode == 0 and r.stdout == "" and r.stderr == "", f"no daemon: {r.returncode} {r.stdout!r} {r.stderr!r}")
    expect(not os.path.exists(sb.socket), "the status segment started a daemon")

    taskd = Taskd(sb, "--max-running", "1")
    r = run_script([SCRIPT], env)
    expect(r.returncode == 0 and r.stdout == "", f"no tasks: {r.stdout!r} {r.stderr!r}")

    c = taskd.client()
    gate = sb.path("go")
    running = spawn(c, f"wait-file {gate}; result success done", sb.root)
    queued = spawn(c, "result success later", sb.root)
    wait_state(c, running, "running")
    r = run_script([SCRIPT], env)
    expect(r.stdout == "ptt #[fg=yellow]1 running#[default] 1 queued\n", f"while running: {r.stdout!r} {r.stderr!r}")

    open(gate, "w").close()
    wait_tasks(c, [running, queued])
    failed = spawn(c, "result error_max_turns out of turns", sb.root)
    wait_tasks(c, [failed])
    r = run_script([SCRIPT], env)
    expect(r.stdout == "ptt #[fg=green]2 ok#[default] #[fg=red,bold]1 failed#[default]\n",
           f"finished: {r.stdout!r} {r.stderr!r}")
    # Finished tasks drop out of the segment after the window.
    r = run_script([SCRIPT], dict(env, PTT_STATUS_WINDOW="-5"))
    expect(r.stdout == "", f"outside the window: {r.stdout!r}")
print("ok: tmux segment for running, queued and finished tasks")
