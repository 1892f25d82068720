"""`ptt-task top` with the daemon stopped (SIGSTOP): the dashboard keeps serving keys and
says in its status bar that ptt-taskd does not answer (it pings a quiet daemon after the
reply timeout, here --timeout 1 through PTT_TIMEOUT), and says when it answers again
after SIGCONT; q still quits at once."""
import os
import shutil
import signal

from ptt_harness import Sandbox, expect, skip
from taskd_fixture import Taskd, spawn, wait_tasks
from top_tmux import Tmux

if not shutil.which("tmux"):
    skip("tmux is not installed")

with Sandbox("top-stopped") as sb:
    taskd = Taskd(sb)
    c = taskd.client()
    first = spawn(c, "result success first done", sb.root, name="first")
    wait_tasks(c, [first])
    c.close()

    tmux = Tmux(sb)
    try:
        tmux.start_top("main", {"PTT_TIMEOUT": "1"})
        tmux.wait_for("main", lambda s: "first" in s and "succeeded" in s and "q quit" in s, "the table")
        pid = taskd.proc.pid
        os.kill(pid, signal.SIGSTOP)
        try:
            screen = tmux.wait_for(
                "main", lambda s: f"ptt-taskd (pid {pid}) did not answer within 1 s: it is stopped" in s,
                "the not-answering notice")
            expect("first" in screen, f"the table went away:\n{screen}")
            tmux.keys("main", "c")  # refused while the daemon does not answer; no question asked
            tmux.keys("main", "k")
            # Handled while it is stopped: a key handled after SIGCONT and the answer to
            # top's ping would set its own note over "answers again", awaited below.
            tmux.wait_keys_taken("main")
            screen = tmux.screen("main")
            expect("Cancel task" not in screen, f"a cancel was offered to a stopped daemon:\n{screen}")
        finally:
            os.kill(pid, signal.SIGCONT)
        tmux.wait_for("main", lambda s: "ptt-taskd answers again" in s, "the notice that it answers again")
        tmux.keys("main", "q")
        tmux.wait_for("main", lambda s: "TOP-EXITED rc=0" in s, "top to quit")
    finally:
        tmux.kill()
print("ok: top says a stopped daemon does not answer, stays usable, and sees it answer again")
