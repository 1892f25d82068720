"""Two worktree tasks that change the same line, run truly at the same time (ptt-taskd
--max-running 2), with the real Claude Code CLI against the Messages API mock: the mock
holds each agent's first turn until both agents have asked (so both are running before
either finishes; no sleeps), then each agent's Bash call writes the same line in its own
worktree. Both succeed; the first merges; the second's merge is refused naming the
conflicting file, and the main checkout's `git status --porcelain` and HEAD are exactly
as they were before that merge. CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a
failure there (ptt_harness.skip)."""
import json
import os

from git_repo import checkout_state, git, make_repo
from mock_messages_api import MARKER, HeldFirstTurnsApi
from ptt_harness import Sandbox, expect, wait_until
from real_claude_fixture import mock_work_dir, pinned_cli, start_taskd

MODEL = "claude-ptt-test-model"

cli = pinned_cli()


mock = HeldFirstTurnsApi(command=f"echo \"line of task $PTT_TASK_ID\" > notes.txt; echo {MARKER}").start()
try:
    with Sandbox("real-claude-parallel-merge") as sb:
        mock_work_dir(sb, mock)
        repo = make_repo(sb, files={"notes.txt": "the first line\n"})

        start_taskd(sb, cli, "--max-running", "2")
        agent = ["--model", MODEL, "--permission-mode", "acceptEdits", "--allowed-tools", "Bash"]

        def spawn(name):
            r = sb.run(["ptt-task", "--no-autostart", "spawn", "--cwd", repo, "--worktree", "--name", name,
                        *agent, "write the line"])
            return r.stdout.split()[0]

        def status(task_id):
            return json.loads(sb.run(["ptt-task", "status", task_id, "--json"]).stdout)

        # The second once the first's worktree is made (its agent has started): concurrent
        # `git worktree add` in one repository can fail (git's own race).
        first = spawn("first")
        wait_until(lambda: mock.held == 1, timeout=120, what="the first agent to ask the API")
        second = spawn("second")
        # Both agents wait in their first turn at once: both run, neither has finished.
        wait_until(lambda: mock.held == 2, timeout=120, what="both agents to ask the API")
        states = {t: status(t)["state"] for t in (first, second)}
        expect(states == {first: "running", second: "running"}, f"not both running: {states}")
        mock.release()
        r = sb.run(["ptt-task", "--no-autostart", "wait", first, second], timeout=300)
        expect(r.returncode == 0, f"wait: {r.returncode} {r.stdout} {r.stderr}")
        for t in (first, second):
            rec = status(t)
            expect(rec["state"] == "succeeded", f"task {t}: {rec}")
            with open(os.path.join(rec["worktree"]["path"], "notes.txt")) as f:
                expect(f.read() == f"line of task {t}\n", f"task {t} wrote in its own worktree")
        expect(status(first)["worktree"]["path"] != status(second)["worktree"]["path"], "one worktree each")

        r = sb.run(["ptt-task", "--no-autostart", "merge", first])
        expect(r.returncode == 0 and f"merged task {first} (ptt/{first}-first) into main" in r.stdout,
               f"the first merge: {r.returncode} {r.stdout} {r.stderr}")
        with open(os.path.join(repo, "notes.txt")) as f:
            expect(f.read() == f"line of task {first}\n", "the first merge brought its line")
        before = checkout_state(repo)
        r = sb.run(["ptt-task", "--no-autostart", "merge", second])
        expect(r.returncode == 1 and f"task {second}'s changes conflict with main in: notes.txt" in r.stderr,
               f"the second merge: {r.returncode} {r.stdout} {r.stderr}")
        expect(checkout_state(repo) == before, f"a refused merge changed the main checkout: {checkout_state(repo)} {before}")
        expect(status(second)["worktree"].get("resolution") is None, f"the refused task is marked: {status(second)}")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
finally:
    mock.stop()
print("ok")
