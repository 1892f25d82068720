"""A follow-up of a worktree task runs in its parent's worktree and gets its own change
summary, counted when it ends (docs/taskd.md, "Worktrees"): the parent changed one file
(its --setup wrote it), the follow-up's agent waits while the test writes a second one in
the worktree, and the follow-up's record then says 2 files; the parent's still says 1.
Before the fix the follow-up inherited the parent's count and kept it."""
import os

from git_repo import make_repo
from ptt_harness import Sandbox, expect
from taskd_fixture import Taskd, get, spawn, wait_tasks


with Sandbox("worktree-follow-up") as sb:
    repo = make_repo(sb)

    taskd = Taskd(sb)
    c = taskd.client()
    parent = spawn(c, "result success first", repo, worktree=True, setup="echo one > one.txt")
    first = wait_tasks(c, [parent])[parent]
    expect(first["state"] == "succeeded" and first["worktree"]["changes"]["files"] == 1, f"parent: {first}")

    go = sb.path("go")
    reply = c.request("follow_up", task=parent, prompt=f"wait-file {go}; result success second")
    expect(reply["ok"], f"follow_up: {reply}")
    child = reply["task"]["id"]
    with open(os.path.join(first["worktree"]["path"], "two.txt"), "w") as f:
        f.write("two\n")
    open(go, "w").close()
    second = wait_tasks(c, [child])[child]
    expect(second["state"] == "succeeded", f"follow-up: {second}")
    expect(second["worktree"]["path"] == first["worktree"]["path"], "the parent's worktree")
    expect(second["worktree"]["changes"]["files"] == 2, f"the follow-up's own count: {second['worktree']}")
    expect(get(c, parent)["worktree"]["changes"]["files"] == 1, "the parent's count is its own")
    print("ok")
