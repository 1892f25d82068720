"""ptt-task in pipelines and under Ctrl-C: `list | head -1` ends quietly with 0,
and a blocking `wait` interrupted by SIGINT exits 130."""
import os
import signal
import subprocess

from ptt_harness import SOURCE_DIR, Sandbox, binary, expect, wait_until

AGENT = os.path.join(SOURCE_DIR, "tests", "support", "script_agent.py")

with Sandbox("task-signals") as sb:
    sb.env["PTT_CLAUDE"] = AGENT
    daemon = sb.start(["ptt-taskd"])
    sb.wait_for_socket(proc=daemon)
    task = binary("ptt-task")
    # Long prompts make `list --json` far larger than a pipe buffer, so the
    # writer really meets a closed pipe.
    for i in range(8):
        sb.run(["ptt-task", "spawn", "--wait", "ok " + "x" * 20000], check=0)
    for args in ("list", "list --json"):
        r = subprocess.run(["bash", "-c", f"set -o pipefail; {task} {args} | head -c 5 >/dev/null; "
                                          f"echo ${{PIPESTATUS[0]}}"],
                           env=sb.env, capture_output=True, text=True, timeout=30)
        expect(r.stdout.strip() == "0", f"`ptt-task {args} | head` exited {r.stdout.strip()}")
        expect(r.stderr == "", f"`ptt-task {args} | head` printed {r.stderr!r}")
    r = subprocess.run(["bash", "-c", f"{task} list | head -1"], env=sb.env, capture_output=True, text=True)
    expect(r.stdout.split() == ["ID", "NAME", "STATE", "TIME", "ACTIVITY", "COST"], f"head -1: {r.stdout!r}")

    gate = sb.path("never")
    tid = sb.run(["ptt-task", "spawn", f"block {gate}"], check=0).stdout.strip()
    waiter = subprocess.Popen([task, "wait", tid], env=sb.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Signal only once wait holds its socket: its handlers are installed by then.
    def has_socket():
        fds = f"/proc/{waiter.pid}/fd"
        return any(os.readlink(os.path.join(fds, fd)).startswith("socket:") for fd in os.listdir(fds))

    wait_until(has_socket, what="ptt-task wait to connect")
    waiter.send_signal(signal.SIGINT)
    expect(waiter.wait(timeout=10) == 130, f"interrupted wait exited {waiter.returncode}")
    sb.run(["ptt-task", "cancel", "--all"], check=0)
print("ok: SIGPIPE-safe output and exit 130 on SIGINT")
