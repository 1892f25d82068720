"""Real git repositories for the worktree tests (docs/taskd.md, "Worktrees"): one place for
the git helper, the committer identity and the first commit every such test makes."""
import os
import subprocess

from ptt_harness import expect

IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}


def git(repo, *args, program="git"):
    """Runs git in `repo`; fails the test unless it exits 0; returns its stdout."""
    r = subprocess.run([program, "-C", repo, *args], capture_output=True, text=True, timeout=30)
    expect(r.returncode == 0, f"git {' '.join(args)} exited {r.returncode}: {r.stderr}")
    return r.stdout


def checkout_state(repo):
    """What must not change when a merge is refused: the status (untracked files too) and HEAD."""
    return git(repo, "status", "--porcelain", "--untracked-files=all"), git(repo, "rev-parse", "HEAD")


def make_repo(sb, name="project", files=None):
    """A repository at sb.path(name) on branch main with one commit of `files` ({path: text};
    default a README). The committer identity goes into sb.env (for the daemon and ptt-task,
    which commit on merge) and this process's environment. Returns its real path."""
    sb.env.update(IDENTITY)
    os.environ.update(IDENTITY)
    repo = os.path.realpath(sb.path(name))
    os.makedirs(repo)
    git(repo, "init", "-q", "-b", "main")
    for path, text in (files or {"README": "hello\n"}).items():
        with open(os.path.join(repo, path), "w") as f:
            f.write(text)
        git(repo, "add", path)
    git(repo, "commit", "-q", "-m", "start")
    return repo
