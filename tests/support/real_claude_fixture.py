"""What every real-CLI test (tests/integration/test_real_claude*.py) does first: find the
pinned Claude Code CLI, or skip, and point a sandbox's daemon and its agents at a mock
Messages API."""
import json
import os

from ptt_harness import skip


def pinned_cli():
    """The pinned Claude Code CLI (PTT_CLAUDE_CLI); skips the test when it is missing (a
    failure under CI: ptt_harness.skip)."""
    cli = os.environ.get("PTT_CLAUDE_CLI", "")
    if not cli or not os.access(cli, os.X_OK):
        skip(f"the pinned Claude Code CLI is not installed (PTT_CLAUDE_CLI={cli!r}); run `make -f Makefile.dist claude-cli`")
    return cli


def mock_work_dir(sb, mock):
    """Gives the sandbox's daemon the mock's address and the sandbox HOME (a task inherits
    the daemon's environment: docs/taskd.md, "Environment of a task"), and returns the
    tasks' work dir, made."""
    sb.env.update(mock.agent_env(sb.home))
    work = sb.path("work")
    os.makedirs(work, exist_ok=True)
    return work


def start_taskd(sb, cli, *flags):
    """ptt-taskd running `cli` as its agent, once it listens."""
    daemon = sb.start(["ptt-taskd", "--claude", cli, *flags])
    sb.wait_for_socket(proc=daemon)
    return daemon


def status_of(sb, task_id):
    """`ptt-task status TASK --json` of the sandbox's daemon, read (whatever its exit status)."""
    return json.loads(sb.run(["ptt-task", "status", task_id, "--json"], check=0).stdout)


def pending(sb):
    """The open permission questions of the sandbox's daemon (`ptt-task pending --json`)."""
    return json.loads(sb.run(["ptt-task", "--no-autostart", "pending", "--json"], check=0).stdout)["questions"]
