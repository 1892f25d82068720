"""Tasks in their own git worktrees (docs/taskd.md, "Worktrees"), with the real Claude Code
CLI against the Messages API mock, whose Bash call here writes a file in the agent's cwd:

- the file appears in the task's worktree (branch ptt/<id>-<name>, under the state dir),
  never in the main checkout, whose `git status --porcelain` and HEAD stay as they were;
  `status` names worktree, branch and base commit;
- `.worktreeinclude` copies an untracked, ignored `.env` into the new worktree;
- a follow-up runs in its parent's worktree; a retry gets a fresh one;
- a failing `--setup` command fails the task (reason setup_failed) with its output;
- `--worktree` outside a git repository is refused with a clear error.
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import json
import os

from git_repo import checkout_state, git, make_repo
from mock_messages_api import MARKER, MockMessagesApi
from ptt_harness import Sandbox, expect, wait_until
from real_claude_fixture import pinned_cli

MODEL = "claude-ptt-test-model"

cli = pinned_cli()


# The agent writes a file in its cwd, and says which task it is.
mock = MockMessagesApi(command=f"echo \"written by task $PTT_TASK_ID\" > notes.txt && cat .env 2>/dev/null; echo {MARKER}").start()
try:
    with Sandbox("real-claude-worktrees") as sb:
        sb.env.update(mock.agent_env(sb.home))
        repo = make_repo(sb, files={"README": "hello\n", ".gitignore": ".env\n", ".worktreeinclude": ".env\n"})
        with open(os.path.join(repo, ".env"), "w") as f:
            f.write("SECRET_SETTING=from-dotenv\n")
        before = checkout_state(repo)

        daemon = sb.start(["ptt-taskd", "--claude", cli])
        sb.wait_for_socket(proc=daemon)
        agent = ["--model", MODEL, "--permission-mode", "acceptEdits", "--allowed-tools", "Bash"]

        def status(task_id):
            return json.loads(sb.run(["ptt-task", "status", str(task_id), "--json"]).stdout)

        r = sb.run(["ptt-task", "--no-autostart", "spawn", "--cwd", repo, "--worktree", "--name", "notes",
                    "--wait", *agent, "write the notes"], timeout=180)
        expect(r.returncode == 0, f"the task exited {r.returncode}: {r.stdout} {r.stderr}")
        task = status(1)
        wt = task["worktree"]
        expect(wt["branch"] == "ptt/1-notes", f"the branch: {wt}")
        expect(wt["path"].startswith(sb.path("")) and os.path.basename(wt["path"]) == "project-1",
               f"the worktree lives under the state dir: {wt}")
        expect(wt["base_commit"] == before[1].strip() and wt["base_branch"] == "refs/heads/main", f"the base: {wt}")
        with open(os.path.join(wt["path"], "notes.txt")) as f:
            expect(f.read() == "written by task 1\n", "the file the agent wrote")
        expect("from-dotenv" in json.dumps(mock.tool_results), f".env copied in: {mock.tool_results}")
        expect(not os.path.exists(os.path.join(repo, "notes.txt")), "the file is not in the main checkout")
        expect(checkout_state(repo) == before, f"the main checkout changed: {checkout_state(repo)} {before}")
        expect("ptt/1-notes" in git(wt["path"], "branch", "--show-current"), "the worktree's branch")
        shown = sb.run(["ptt-task", "status", "1"]).stdout
        for words in (f"worktree:  {wt['path']}", "branch:    ptt/1-notes", f"base:      {wt['base_commit'][:12]} (main)"):
            expect(words in shown, f"status shows {words!r}: {shown}")

        # diff: what the task changed since its base (here an untracked new file; the
        # copied, ignored .env is no change), as git shows it; no colour in a pipe.
        r = sb.run(["ptt-task", "diff", "1"])
        expect(r.returncode == 0 and "+written by task 1" in r.stdout and "b/notes.txt" in r.stdout
               and "\x1b[" not in r.stdout and ".env" not in r.stdout, f"diff: {r.returncode} {r.stdout} {r.stderr}")
        r = sb.run(["ptt-task", "diff", "notes", "--name-only"])
        expect(r.returncode == 0 and r.stdout == "notes.txt\n", f"diff --name-only: {r.stdout!r} {r.stderr}")
        r = sb.run(["ptt-task", "diff", "1", "--stat"])
        expect("notes.txt | 1 +" in r.stdout and "1 file changed" in r.stdout, f"diff --stat: {r.stdout!r}")
        expect("changes:   changed 1 file, +1 \u22120" in shown,
               f"status shows the change summary: {shown}")
        expect(git(wt["path"], "status", "--porcelain") == "?? notes.txt\n", "diff left the worktree as it was")
        # The daemon counted the changes when the agent ended: in the record and list's table view.
        expect(wt.get("changes") == {"files": 1, "insertions": 1, "deletions": 0}, f"the recorded changes: {wt}")
        table = json.loads(sb.run(["ptt-task", "list", "--json"]).stdout.splitlines()[0])
        expect(table["worktree"]["changes"]["files"] == 1, f"list --json: {table}")

        # A follow-up goes on in the same worktree; a retry gets a fresh one.
        r = sb.run(["ptt-task", "follow-up", "--wait", "1", "once more"], timeout=180)
        expect(r.returncode == 0, f"the follow-up exited {r.returncode}: {r.stdout} {r.stderr}")
        follow = status(2)
        expect(follow["worktree"]["path"] == wt["path"] and follow["worktree"]["branch"] == wt["branch"],
               f"the follow-up's worktree: {follow['worktree']}")
        with open(os.path.join(wt["path"], "notes.txt")) as f:
            expect(f.read() == "written by task 2\n", "the follow-up wrote in the parent's worktree")
        r = sb.run(["ptt-task", "retry", "--wait", "1"], timeout=180)
        expect(r.returncode == 0, f"the retry exited {r.returncode}: {r.stdout} {r.stderr}")
        retry = status(3)["worktree"]
        expect(retry["path"] != wt["path"] and retry["branch"] == "ptt/3", f"the retry's worktree: {retry}")
        with open(os.path.join(retry["path"], "notes.txt")) as f:
            expect(f.read() == "written by task 3\n", "the retry wrote in its own worktree")

        # A setup command that fails fails the task with its output; the agent never runs.
        asked = len(mock.requests)
        r = sb.run(["ptt-task", "spawn", "--cwd", repo, "--worktree", "--setup", "echo installing; echo broken >&2; exit 3",
                    "--wait", *agent, "never runs"], timeout=60)
        failed = status(4)
        expect(r.returncode != 0 and failed["state"] == "failed" and failed["reason"] == "setup_failed",
               f"the failed setup: {failed}")
        expect("exited with status 3" in failed["stderr_tail"] and "broken" in failed["stderr_tail"]
               and "installing" in failed["stderr_tail"], f"its output: {failed['stderr_tail']}")
        expect(len(mock.requests) == asked, "the agent ran despite the failed setup")
        # Its worktree exists (the setup command ran there): its base is recorded, so diff works.
        expect(failed["worktree"].get("base_commit") == before[1].strip(), f"task 4's base: {failed['worktree']}")
        r = sb.run(["ptt-task", "diff", "4"])
        expect(r.returncode == 0 and r.stdout == "", f"diff of task 4: {r.returncode} {r.stdout} {r.stderr}")

        # A setup command that works runs in the new worktree before the agent.
        r = sb.run(["ptt-task", "spawn", "--cwd", repo, "--setup", "touch set-up-here", "--wait", *agent, "go"],
                   timeout=180)
        expect(r.returncode == 0, f"the set-up task exited {r.returncode}: {r.stdout} {r.stderr}")
        expect(os.path.exists(os.path.join(status(5)["worktree"]["path"], "set-up-here")), "setup ran in the worktree")

        # A bad base is the task's failure, named.
        r = sb.run(["ptt-task", "spawn", "--cwd", repo, "--base", "no-such-branch", "--wait", *agent, "x"], timeout=60)
        bad = status(6)
        expect(bad["reason"] == "worktree_failed" and "no-such-branch" in bad["stderr_tail"], f"a bad base: {bad}")

        # Cancelled while its worktree is made (the setup command runs): worktree and branch go.
        r = sb.run(["ptt-task", "spawn", "--cwd", repo, "--worktree", "--name", "slow",
                    "--setup", "touch made-here; sleep 60", *agent, "never runs"])
        slow_id = r.stdout.split()[0] if r.stdout.split() else "?"
        slow_path = status(slow_id)["worktree"]["path"]
        wait_until(lambda: os.path.exists(os.path.join(slow_path, "made-here")), what="the slow setup to start")
        sb.run(["ptt-task", "cancel", slow_id])
        wait_until(lambda: not os.path.exists(slow_path), what="the cancelled task's worktree to go")
        wait_until(lambda: git(repo, "branch", "--list", f"ptt/{slow_id}-slow") == "",
                   what="the cancelled task's branch to go")
        expect(status(slow_id)["state"] == "cancelled", f"the slow task: {status(slow_id)}")

        # Outside a git repository --worktree is refused.
        plain = sb.path("plain")
        os.makedirs(plain)
        r = sb.run(["ptt-task", "spawn", "--cwd", plain, "--worktree", *agent, "x"])
        expect(r.returncode != 0 and "not in a git repository" in r.stderr, f"a non-git cwd: {r.returncode} {r.stderr}")

        expect(checkout_state(repo) == before, f"the main checkout changed: {checkout_state(repo)} {before}")

        # An uncommitted file in the main checkout that the task changed too: refused, untouched.
        with open(os.path.join(repo, "notes.txt"), "w") as f:
            f.write("my own notes\n")
        dirty = checkout_state(repo)
        r = sb.run(["ptt-task", "merge", "1"])
        expect(r.returncode == 1 and "uncommitted changes to files task 1 changed: notes.txt" in r.stderr,
               f"merge over a dirty checkout: {r.returncode} {r.stderr}")
        expect(checkout_state(repo) == dirty, f"a refused merge changed the main checkout: {checkout_state(repo)}")
        os.remove(os.path.join(repo, "notes.txt"))

        # merge: task 1's branch (with its follow-up's work, uncommitted until now) onto main.
        r = sb.run(["ptt-task", "merge", "1"])
        expect(r.returncode == 0 and "merged task 1 (ptt/1-notes) into main" in r.stdout, f"merge: {r.returncode} {r.stdout} {r.stderr}")
        with open(os.path.join(repo, "notes.txt")) as f:
            expect(f.read() == "written by task 2\n", "the merge brought the file to the main checkout")
        expect(git(repo, "status", "--porcelain") == "", "the merge left the main checkout clean")
        expect("ptt task 1: write the notes" in git(repo, "log", "--format=%s", "-3"), "the task's commit")
        # The daemon knows: list says merged; status says merged, and how the task ended.
        expect(status(1)["worktree"]["resolution"] == "merged", f"the record: {status(1)['worktree']}")
        row = [line for line in sb.run(["ptt-task", "list"]).stdout.splitlines() if line.split()[:1] == ["1"]]
        expect(row and " merged " in row[0], f"list says merged: {row}")
        expect("task 1 (notes): merged (succeeded)" in sb.run(["ptt-task", "status", "1"]).stdout,
               "status says merged")
        # Task 3 (the retry) wrote the same file from the same base: its merge is refused,
        # naming the file, and the main checkout stays exactly as it was.
        merged = checkout_state(repo)
        r = sb.run(["ptt-task", "merge", "3"])
        expect(r.returncode == 1 and "conflict with main in: notes.txt" in r.stderr and retry["path"] in r.stderr,
               f"the conflicting merge: {r.returncode} {r.stdout} {r.stderr}")
        expect(checkout_state(repo) == merged, f"a refused merge changed the main checkout: {checkout_state(repo)}")
        # discard: asks on a terminal only; --yes removes worktree and branch.
        r = sb.run(["ptt-task", "discard", "3"])
        expect(r.returncode == 2 and "--yes" in r.stderr and os.path.isdir(retry["path"]), f"discard without --yes: {r.stderr}")
        r = sb.run(["ptt-task", "discard", "3", "--yes"])
        expect(r.returncode == 0 and not os.path.exists(retry["path"]) and "ptt/3" not in git(repo, "branch", "--list", "ptt/3"),
               f"discard: {r.returncode} {r.stdout} {r.stderr}")
        expect(status(3)["worktree"]["resolution"] == "discarded", f"discard recorded: {status(3)['worktree']}")
        expect("changes:   changed 1 file, +1 \u22120" in sb.run(["ptt-task", "status", "3"]).stdout,
               "a discarded task's status still says what it changed (from its record)")
        # clean --worktrees lists what is left; clean removes the merged one, saying what it freed.
        r = sb.run(["ptt-task", "clean", "--worktrees"])
        expect(r.returncode == 0 and "merged" in r.stdout and wt["path"] in r.stdout and "project-5" in r.stdout,
               f"clean --worktrees: {r.stdout} {r.stderr}")
        r = sb.run(["ptt-task", "clean", "--state", "cancelled"])
        expect(r.returncode == 0 and "removed 1 merged worktree" in r.stdout and "freed" in r.stdout, f"clean: {r.stdout} {r.stderr}")
        expect(not os.path.exists(wt["path"]) and git(repo, "branch", "--list", "ptt/1-notes") == "", "the merged worktree is gone")
        expect(os.path.isdir(status(5)["worktree"]["path"]), "an unmerged worktree stays")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
finally:
    mock.stop()
print("ok")
