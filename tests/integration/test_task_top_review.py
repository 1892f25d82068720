"""`ptt-task top`'s review keys on a real terminal (tmux), for worktree tasks whose --setup
command wrote their change (the fake agent runs them): D shows the selected task's diff in
the pager (less -R, $PAGER unset) and q comes back to the dashboard; m asks y/n naming the
task, its branch and target, and n changes nothing in the main checkout while y merges
(git in the main checkout shows it); a second task that changed the same line is refused,
the status bar naming the file, and the main checkout is unchanged; x then y removes a
task's worktree and branch. Each outcome shows in the status bar."""
import os
import shutil

from git_repo import IDENTITY, checkout_state, git, make_repo
from ptt_harness import Sandbox, expect, skip
from taskd_fixture import Taskd, spawn, wait_tasks
from top_tmux import Tmux

if not shutil.which("tmux"):
    skip("tmux is not installed")
if not shutil.which("less"):
    skip("less is not installed")


def row_of(screen, task_id):
    return next((l for l in screen.splitlines() if l.split()[:1] == [str(task_id)]), "")


def status_bar(screen):
    lines = screen.rstrip("\n").splitlines()
    return lines[-1] if lines else ""


with Sandbox("task-top-review") as sb:
    repo = make_repo(sb, files={"notes.txt": "first line\n"})

    taskd = Taskd(sb)
    c = taskd.client()

    def worktree_task(name, setup):
        # One at a time: concurrent `git worktree add` in one repository can fail (git's own race).
        task_id = spawn(c, f"result success {name} done", repo, name=name, worktree=True, setup=setup)
        wait_tasks(c, [task_id])
        return task_id

    keep = worktree_task("keep", "echo kept by the task > notes.txt")
    rival = worktree_task("rival", "echo the rival line > notes.txt")
    drop = worktree_task("drop", "echo dropped > drop.txt")
    plain = spawn(c, "result success plain done", sb.root, name="plain")
    for t in wait_tasks(c, [keep, rival, drop, plain]).values():
        expect(t["state"] == "succeeded", f"a task: {t}")
    paths = {t["id"]: t["worktree"]["path"] for t in c.request("list")["tasks"] if t.get("worktree")}
    before = checkout_state(repo)

    tmux = Tmux(sb)
    try:
        tmux.start_top("main", {"PAGER": None, "LESS": None, **IDENTITY})
        # Wide enough for the whole merge question with the sandbox's long paths.
        tmux.run("resize-window", "-t", "main", "-x", "200", "-y", "40")
        tmux.wait_for("main", lambda s: "plain" in row_of(s, plain) and "D diff" in s, "the table and its keys")

        # D on a task that ran in its cwd: said, no pager.
        tmux.wait_for("main", lambda s: f"── task {plain} (plain)" in s, "the newest task selected")
        tmux.keys("main", "D")
        tmux.wait_for("main", lambda s: "not in a worktree of its own; no diff to show" in status_bar(s),
                      "D refused for a task without a worktree")

        # D: the diff in less on the normal screen; q comes back to the dashboard.
        tmux.keys("main", "k", "k", "k")
        tmux.wait_for("main", lambda s: f"── task {keep} (keep)" in s, "task 1 selected")
        tmux.keys("main", "D")
        screen = tmux.wait_for("main", lambda s: "+kept by the task" in s and "-first line" in s
                               and "notes.txt" in s, "the diff in the pager")
        expect("ptt-task top ·" not in screen, f"the dashboard under the pager:\n{screen}")
        tmux.keys("main", "q")
        tmux.wait_for("main", lambda s: "ptt-task top ·" in s and f"── task {keep} (keep)" in s,
                      "the dashboard after the pager")
        expect(tmux.alternate_on("main"), "the dashboard is not on the alternate screen after the pager")

        # m, then n: the question names what would happen; nothing changes.
        tmux.keys("main", "m")
        tmux.wait_for("main", lambda s: f"Merge task {keep} (keep) [y/n]: brings branch ptt/{keep}-keep (changed 1 "
                      f"file, +1 \u22121) into main in {repo}" in status_bar(s), "the merge question")
        tmux.keys("main", "n")
        tmux.wait_for("main", lambda s: "not merged" in status_bar(s), "n answered")
        expect(checkout_state(repo) == before, f"n changed the main checkout: {checkout_state(repo)}")

        # m, then y: merged in the main checkout; the status bar and the row say so.
        tmux.keys("main", "m")
        tmux.wait_for("main", lambda s: "[y/n]" in status_bar(s), "the merge question again")
        tmux.keys("main", "y")
        tmux.wait_for("main", lambda s: f"merged task {keep} (ptt/{keep}-keep) into main" in status_bar(s),
                      "the merge's outcome")
        with open(os.path.join(repo, "notes.txt")) as f:
            expect(f.read() == "kept by the task\n", "the merge did not bring the change")
        expect(git(repo, "status", "--porcelain") == "", f"the merge left the checkout dirty: {git(repo, 'status')}")
        expect(f"ptt task {keep}: result success keep done" in git(repo, "log", "--format=%s", "-3"),
               f"the task's commit: {git(repo, 'log', '--oneline', '-3')}")
        tmux.wait_for("main", lambda s: " merged " in row_of(s, keep), "the merged row")
        merged = checkout_state(repo)

        # The rival changed the same line from the same base: refused, the file named.
        tmux.keys("main", "j")
        tmux.wait_for("main", lambda s: f"── task {rival} (rival)" in s, "task 2 selected")
        tmux.keys("main", "m")
        tmux.wait_for("main", lambda s: "[y/n]" in status_bar(s), "the rival's merge question")
        tmux.keys("main", "y")
        tmux.wait_for("main", lambda s: f"task {rival}'s changes conflict with main in: notes.txt"
                      in status_bar(s), "the refused merge in the status bar")
        expect(checkout_state(repo) == merged, f"a refused merge changed the main checkout: {checkout_state(repo)}")
        expect(" succeeded " in row_of(tmux.screen("main"), rival), "the refused task is not marked")

        # x, then y: worktree and branch removed.
        tmux.keys("main", "j")
        tmux.wait_for("main", lambda s: f"── task {drop} (drop)" in s, "task 3 selected")
        tmux.keys("main", "x")
        tmux.wait_for("main", lambda s: f"Discard task {drop} (drop) [y/n]: deletes its branch ptt/{drop}-drop "
                      "(changed 1 file, +1 \u22120) and worktree" in status_bar(s), "the discard question")
        tmux.keys("main", "y")
        tmux.wait_for("main", lambda s: f"discarded task {drop}: removed {paths[drop]}" in status_bar(s),
                      "the discard's outcome")
        expect(not os.path.exists(paths[drop]), "the worktree is still there")
        expect(git(repo, "branch", "--list", f"ptt/{drop}-drop") == "", "the branch is still there")
        expect(os.path.isdir(paths[rival]), "the rival's worktree went too")
        tmux.wait_for("main", lambda s: " discarded " in row_of(s, drop), "the discarded row")
        expect(checkout_state(repo) == merged, "the discard changed the main checkout")

        tmux.keys("main", "q")
        tmux.wait_for("main", lambda s: "TOP-EXITED rc=0" in s, "top to exit on q")
    finally:
        tmux.kill()
print("ok")
