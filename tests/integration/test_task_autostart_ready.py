"""Auto-start waits for ptt-taskd's --ready-fd line, not for connect() to succeed.

A wrapper around the real ptt-taskd records the arguments it was started with: the
daemon gets --ready-fd and ptt-task's first request is answered. A daemon that dies
at start-up while a child of its own still holds the ready pipe's write end is
reported as dead at once (ptt-task watches the daemon itself, not only the pipe),
not after the 10 s start-up timeout."""
import os
import signal

from ptt_harness import SOURCE_DIR, Sandbox, binary, expect

AGENT = os.path.join(SOURCE_DIR, "tests", "support", "script_agent.py")

with Sandbox("task-ready") as sb:
    sb.env["PTT_CLAUDE"] = AGENT
    args_file = sb.path("taskd-args")
    wrapper = sb.path("ptt-taskd")  # named so, for whoever looks for the daemon by name
    with open(wrapper, "w") as f:
        f.write(f"#!/bin/sh\necho \"$@\" > {args_file}\nexec {binary('ptt-taskd')} \"$@\"\n")
    os.chmod(wrapper, 0o755)
    sb.run(["ptt-task", "ping"], env=dict(sb.env, PTT_TASKD=wrapper), check=0)
    with open(args_file) as f:
        args = f.read().split()
    expect(args[:1] == ["--ready-fd"] and args[1].isdigit() and int(args[1]) > 2, f"daemon args: {args}")
    sb.run(["ptt-task", "shutdown"], check=0)

    grandchild_pid = sb.path("grandchild.pid")
    dying = sb.path("dying-taskd")
    with open(dying, "w") as f:
        f.write(f"#!/bin/sh\nsleep 60 &\necho $! > {grandchild_pid}\necho 'ptt-taskd: error: cannot start' >&2\nexit 1\n")
    os.chmod(dying, 0o755)
    try:
        r = sb.run(["ptt-task", "ping"], env=dict(sb.env, PTT_TASKD=dying), check=3, timeout=8)
        expect("exited at start-up (status 1)" in r.stderr and "cannot start" in r.stderr,
               f"start-up failure: {r.stderr!r}")
    finally:
        if os.path.exists(grandchild_pid):
            with open(grandchild_pid) as f:
                os.kill(int(f.read()), signal.SIGKILL)
print("ok: auto-start passes --ready-fd and sees a daemon's death at start-up at once")
