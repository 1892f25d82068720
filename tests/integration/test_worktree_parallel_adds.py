"""Worktree tasks of one repository spawned back to back (docs/taskd.md, "Worktrees"): each
gets its worktree, and the daemon makes one repository's worktrees one at a time, because
two `git worktree add`s of one repository at once race inside git ("fatal: failed to read
.git/worktrees/NAME/commondir"). The race itself is rare, so the test widens the window:
the daemon's PATH has a `git` that logs when each `worktree add` starts and ends and holds
it 0.3 s; no two may overlap (before the fix all four did), and every task succeeds. Tasks
of another repository are not held back by them (their adds may overlap the first's)."""
import os

from git_repo import make_repo
from ptt_harness import Sandbox, expect
from taskd_fixture import Taskd, spawn, wait_tasks

TASKS = 4
REAL_GIT = "/usr/bin/git"


with Sandbox("worktree-parallel") as sb:
    repos = [make_repo(sb, "project"), make_repo(sb, "other")]
    log = sb.path("adds.log")
    bin_dir = sb.path("bin")
    os.makedirs(bin_dir)
    with open(os.path.join(bin_dir, "git"), "w") as f:
        f.write(f"""#!/bin/sh
case " $* " in
*" worktree add "*)
  echo "start $$ $2" >> {log}; sleep 0.3; {REAL_GIT} "$@"; rc=$?; echo "end $$ $2" >> {log}; exit $rc;;
esac
exec {REAL_GIT} "$@"
""")
    os.chmod(os.path.join(bin_dir, "git"), 0o755)
    env = dict(sb.env, PATH=bin_dir + ":" + sb.env.get("PATH", "/usr/bin:/bin"))

    taskd = Taskd(sb, "--max-running", str(2 * TASKS), env=env)
    c = taskd.client()
    ids = [spawn(c, f"result success t{i}", repos[i % 2], worktree=True) for i in range(2 * TASKS)]
    done = wait_tasks(c, ids)
    for t in done.values():
        expect(t["state"] == "succeeded", f"task {t['id']}: {t['state']} {t.get('reason')} {t.get('result')}")
    expect(len({t["worktree"]["path"] for t in done.values()}) == 2 * TASKS, "a worktree each")

    with open(log) as f:
        events = [line.split() for line in f]
    expect(len(events) == 4 * TASKS, f"every add logged: {events}")
    for repo in repos:
        mine = [(kind, pid) for kind, pid, where in events if where == repo]
        for i in range(0, len(mine), 2):  # start, then its own end, before the next start
            expect(mine[i][0] == "start" and mine[i + 1] == ("end", mine[i][1]),
                   f"{repo}: adds overlapped: {mine}")
    print("ok")
