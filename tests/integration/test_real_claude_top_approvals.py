"""`ptt-task top` on a real terminal (tmux) answers a task's permission question: the pinned
Claude Code CLI against the Messages API mock's approval scenario asks before a `curl`
acceptEdits does not allow; top's status bar names the selected task's question with its
keys, `a` allows it (the command runs, the task succeeds) and `d` denies it (the model is
told the dashboard denied it); `a` on a task that asks nothing says so.
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import os
import shutil

from mock_outcome_scenarios import ApprovalScenario
from ptt_harness import Sandbox, expect, skip, wait_until
from real_claude_fixture import mock_work_dir, pending, pinned_cli, start_taskd, status_of
from top_tmux import Tmux

if not shutil.which("tmux"):
    skip("tmux is not installed")

MODEL = "claude-ptt-test-model"

cli = pinned_cli()


messages_api = ApprovalScenario(["curl"]).start()
try:
    with Sandbox("real-claude-top-approvals") as sb:
        work = mock_work_dir(sb, messages_api)
        daemon = start_taskd(sb, cli)

        def ask(n):
            page = sb.path(f"page{n}.txt")
            with open(page, "w") as f:
                f.write(f"PTT-TOP-{n}\n")
            messages_api.commands = [f"curl -s file://{page}"]
            task_id = sb.run(["ptt-task", "spawn", "--cwd", work, "--model", MODEL, "--permission-mode",
                              "acceptEdits", f"fetch page {n}"], check=0).stdout.strip()
            wait_until(lambda: [q for q in pending(sb) if str(q["task"]) == task_id], timeout=120,
                       what=f"task {task_id}'s question")
            return task_id

        tmux = Tmux(sb)
        try:
            first = ask(0)
            tmux.start_top("top")
            tmux.wait_for("top", lambda s: f"task {first} asks: Bash: curl -s file://" in s and "a allow · d deny" in s,
                          "the question in top's status bar")
            tmux.keys("top", "a")
            tmux.wait_for("top", lambda s: f"allowed task {first}'s call" in s, "top saying it allowed the call")
            r = sb.run(["ptt-task", "wait", first], timeout=180)
            expect(r.returncode == 0, f"the task allowed in top: {status_of(sb, first)}")
            expect(messages_api.outcomes[-1] == (True, "PTT-TOP-0"), f"the command's result: {messages_api.outcomes}")
            tmux.keys("top", "a")
            tmux.wait_for("top", lambda s: f"task {first} asks nothing" in s, "`a` on a task that asks nothing")
            print(f"ok: `a` in top allowed task {first}'s call; the command ran and the task succeeded")

            second = ask(1)
            # Once top shows the new task waiting (rows in id order), j selects it.
            tmux.wait_for("top", lambda s: any(l.split()[:1] == [second] and "waiting" in l for l in s.splitlines()),
                          "the second task's row, waiting")
            tmux.keys("top", "j")
            tmux.wait_for("top", lambda s: f"task {second} asks: Bash: curl -s file://" in s.splitlines()[-1],
                          "the second task's question in top's status bar")
            tmux.keys("top", "d")
            tmux.wait_for("top", lambda s: f"denied task {second}'s call" in s, "top saying it denied the call")
            sb.run(["ptt-task", "wait", second], timeout=180)
            ran, text = messages_api.outcomes[-1]
            expect(not ran and "denied this tool call (dashboard)" in text, f"the denied call's result: {(ran, text)}")
            expect(pending(sb) == [], f"still pending: {pending(sb)}")
            print(f"ok: `d` in top denied task {second}'s call; the model was told {text!r}")
        finally:
            tmux.kill()
        expect(not messages_api.errors, f"claude sent what the mock did not expect: {messages_api.errors}")
        daemon.terminate()
        daemon.wait()
finally:
    messages_api.stop()
