"""`ptt-task top` on a real terminal (tmux): the table appears, a task spawned elsewhere
shows up within 200 ms, j/k select, Enter follows the log and q/Ctrl-C come back, c+y
cancels, f sends a follow-up, r retries, a resize redraws at the new width, a daemon that
goes away is said and picked up again when it is back, q, Ctrl-C and SIGTERM restore the
terminal, NO_COLOR holds, and a pipe is refused."""
import os
import re
import shlex
import shutil
import subprocess
import time

from ptt_harness import Sandbox, binary, expect, skip, wait_until
from taskd_fixture import Taskd, get, spawn, wait_state, wait_tasks
from top_tmux import PTT_TASK, Tmux

if not shutil.which("tmux"):
    skip("tmux is not installed")


def child_of(pid):
    """The one child process of pid (top under the pane's shell)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                return int(entry)
    return None


def colours(painted):
    """The foreground/background colours set in a `capture-pane -e` screen (39/49 are the defaults)."""
    found = set()
    for seq in re.findall(r"\x1b\[([0-9;]*)m", painted):
        found |= {p for p in seq.split(";") if p[:1] in "34" and len(p) == 2 and p not in ("39", "49")}
    return found


def detail_header(screen):
    return next((l for l in screen.splitlines() if l.startswith("── task ")), "")


with Sandbox("task-top") as sb:
    # Not a terminal: refused, pointing at the pipe-friendly commands.
    r = sb.run(["ptt-task", "--no-autostart", "top"])
    expect(r.returncode == 2 and "ptt-task list" in r.stderr and "watch --json" in r.stderr,
           f"top in a pipe: {r.returncode} {r.stderr!r}")

    taskd = Taskd(sb)
    c = taskd.client()
    first = spawn(c, "result success first done", sb.root, name="first")
    wait_tasks(c, [first])
    gate = sb.path("gate")
    long_one = spawn(c, f"tool Bash make all; wait-file {gate}; result success long", sb.root, name="long-one")
    wait_state(c, long_one, "running")

    tmux = Tmux(sb)
    try:
        tmux.start_top("main")
        screen = tmux.wait_for("main", lambda s: "ID" in s and "long-one" in s and "q quit" in s, "the table")
        expect("first" in screen and "succeeded" in screen and "running" in screen, screen)
        expect(tmux.alternate_on("main"), "top is not on the alternate screen")
        painted = tmux.screen("main", escapes=True)
        expect(colours(painted) == set(), f"colour despite NO_COLOR: {colours(painted)}")

        # A task spawned from outside shows up by itself (top follows the daemon's events).
        # How fast is a figure for a benchmark, not a bound for a test: it is printed only.
        late = spawn(c, f"wait-file {gate}; result success late", sb.root, name="late-arrival")
        replied = time.monotonic()
        tmux.wait_for("main", lambda s: "late-arrival" in s, "the spawned task")
        print(f"a spawned task showed up {(time.monotonic() - replied) * 1000:.0f} ms after spawn's reply", flush=True)

        # The newest task is selected; k and j move the selection (the detail pane follows).
        tmux.wait_for("main", lambda s: "── task 3 (late-arrival)" in detail_header(s), "task 3 selected")
        tmux.keys("main", "k")
        screen = tmux.wait_for("main", lambda s: "── task 2 (long-one)" in detail_header(s), "k selects task 2")
        tmux.wait_for("main", lambda s: "→ Bash: make all" in s, "task 2's log in the detail pane")
        tmux.keys("main", "j")
        tmux.wait_for("main", lambda s: "── task 3 (late-arrival)" in detail_header(s), "j selects task 3")
        # Enter follows the selected (running) task's log on the normal screen; q comes
        # back, and so does Ctrl-C (which leaves top running).
        for leave in ("q", "C-c"):
            tmux.keys("main", "Enter")
            tmux.wait_for("main", lambda s: "ptt-task logs -f 3 · q or Ctrl-C returns to top" in s, "logs -f")
            expect(not tmux.alternate_on("main"), "logs -f runs on the alternate screen")
            tmux.wait_for("main", lambda s: "● session" in s, "the followed log")
            tmux.keys("main", leave)
            tmux.wait_for("main", lambda s: "q quit" in s and "── task 3 (late-arrival)" in detail_header(s),
                          f"the dashboard again after {leave}")
            expect(tmux.alternate_on("main"), f"the dashboard is not on the alternate screen after {leave}")
        tmux.keys("main", "Up")
        tmux.wait_for("main", lambda s: "── task 2 (long-one)" in detail_header(s), "Up selects task 2")

        # c asks; n keeps the task; c then y cancels it.
        tmux.keys("main", "c")
        tmux.wait_for("main", lambda s: "Cancel task 2 (long-one)? [y/n]" in s, "the cancel question")
        tmux.keys("main", "n")
        tmux.wait_for("main", lambda s: "not cancelled" in s, "n answered")
        expect(get(c, long_one)["state"] == "running", "n cancelled the task")
        tmux.keys("main", "c")
        tmux.wait_for("main", lambda s: "Cancel task 2 (long-one)? [y/n]" in s, "the cancel question again")
        tmux.keys("main", "y")
        rec = wait_tasks(c, [long_one])[long_one]
        expect(rec["state"] == "cancelled", f"c+y did not cancel: {rec}")
        tmux.wait_for("main", lambda s: any("long-one" in l and "cancelled" in l for l in s.splitlines()),
                      "the cancelled state in the table")

        # f + text + Enter sends a follow-up of the selected task (1: it has a session).
        tmux.keys("main", "k")
        tmux.wait_for("main", lambda s: "── task 1 (first)" in detail_header(s), "task 1 selected")
        tmux.keys("main", "f")
        tmux.wait_for("main", lambda s: "Follow-up to task 1" in s, "the follow-up input")
        tmux.keys("main", "result success followed up", literal=True)
        tmux.wait_for("main", lambda s: "followed up" in s.splitlines()[-1], "the typed prompt")
        tmux.keys("main", "Enter")
        tmux.wait_for("main", lambda s: "a follow-up of task 1" in s, "the follow-up's confirmation")
        tasks = {t["id"]: t for t in c.request("list")["tasks"]}
        follow = [t for t in tasks.values() if t["parent"] == first]
        expect(len(follow) == 1 and follow[0]["prompt"] == "result success followed up", f"follow-ups: {follow}")
        wait_tasks(c, [follow[0]["id"]])

        # r retries the selected task (now the follow-up): a new task with its prompt.
        tmux.keys("main", "r")
        tmux.wait_for("main", lambda s: "a retry of task" in s, "the retry's confirmation")
        retried = [t for t in c.request("list")["tasks"] if t["id"] > max(tasks)]
        expect(len(retried) == 1 and retried[0]["prompt"] == follow[0]["prompt"]
               and retried[0].get("retry_of") == follow[0]["id"], f"retry made {retried}")

        # A resize redraws at the new width: the detail rule spans exactly the new width.
        expect(len(detail_header(tmux.screen("main"))) == 120, detail_header(tmux.screen("main")))
        tmux.run("resize-window", "-t", "main", "-x", "80", "-y", "30")
        tmux.wait_for("main", lambda s: len(detail_header(s)) == 80 and len(s.splitlines()) <= 30,
                      "the redraw at 80 columns")

        # The daemon goes away: said in the status bar; a new one is picked up by itself.
        open(gate, "w").close()
        wait_tasks(c, [late])
        c.request("shutdown")
        taskd.wait_exit()
        tmux.wait_for("main", lambda s: "ptt-taskd is gone; reconnecting…" in s, "the reconnecting notice")
        taskd = Taskd(sb)
        c = taskd.client()
        tmux.wait_for("main", lambda s: "ptt-taskd is back" in s and "late-arrival" in s, "the reconnected table")
        again = spawn(c, "result success after restart", sb.root, name="after-restart")
        tmux.wait_for("main", lambda s: "after-restart" in s, "an event from the new daemon")

        # q quits and gives the terminal back.
        tmux.keys("main", "q")
        screen = tmux.wait_for("main", lambda s: "TOP-EXITED rc=0" in s, "top to exit on q")
        expect(not tmux.alternate_on("main"), "the alternate screen is still on after q")
        expect("ptt-task top ·" not in screen, f"the dashboard is still shown:\n{screen}")

        # SIGTERM restores the terminal too (colour on here: NO_COLOR unset).
        tmux.start_top("term", {"NO_COLOR": None})
        tmux.wait_for("term", lambda s: "after-restart" in s and "q quit" in s, "the second dashboard")
        expect(colours(tmux.screen("term", escapes=True)), "no colour without NO_COLOR")
        shell = int(tmux.run("display-message", "-p", "-t", "term", "#{pane_pid}").strip())
        top = wait_until(lambda: child_of(shell), 5, "top's pid")
        os.kill(top, 15)
        tmux.wait_for("term", lambda s: "TOP-EXITED rc=130" in s, "top to exit on SIGTERM")
        expect(not tmux.alternate_on("term"), "the alternate screen is still on after SIGTERM")

        # Ctrl-C on the dashboard quits it (130) and restores the terminal as well.
        tmux.start_top("intr")
        tmux.wait_for("intr", lambda s: "after-restart" in s and "q quit" in s, "the third dashboard")
        tmux.keys("intr", "C-c")
        tmux.wait_for("intr", lambda s: "TOP-EXITED rc=130" in s, "top to exit on Ctrl-C")
        expect(not tmux.alternate_on("intr"), "the alternate screen is still on after Ctrl-C")
    finally:
        tmux.kill()
print("ok: top shows tasks live, keys act, resize redraws, reconnects, and restores the terminal")
