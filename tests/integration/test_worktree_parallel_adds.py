"""Worktree tasks of one repository spawned back to back (docs/taskd.md, "Worktrees"): each
gets its worktree, and the daemon makes one repository's worktrees one at a time, because
two `git worktree add`s of one repository at once race inside git ("fatal: failed to read
.git/worktrees/NAME/commondir"). The race itself is rare, so the test widens the window:
the daemon's PATH has a `git` that logs when each `worktree add` starts and ends and holds
it 0.3 s; no two may overlap (before the fix all four did), and every task succeeds. Tasks
of another repository are not held back by them (their adds may overlap the first's)."""
import os
import subprocess

from ptt_harness import Sandbox, expect
from taskd_fixture import Taskd, spawn, wait_tasks

TASKS = 4
REAL_GIT = "/usr/bin/git"


def git(repo, *args):
    r = subprocess.run([REAL_GIT, "-C", repo, *args], capture_output=True, text=True, timeout=30)
    expect(r.returncode == 0, f"git {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return r.stdout


def make_repo(path):
    os.makedirs(path)
    git(path, "init", "-q", "-b", "main")
    with open(os.path.join(path, "README"), "w") as f:
        f.write("hello\n")
    git(path, "add", "README")
    git(path, "commit", "-q", "-m", "start")
    return path


with Sandbox("worktree-parallel") as sb:
    for k, v in {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                 "GIT_COMMITTER_EMAIL": "t@example.com"}.items():
        sb.env[k] = v
        os.environ[k] = v
    repos = [make_repo(sb.path("project")), make_repo(sb.path("other"))]
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
