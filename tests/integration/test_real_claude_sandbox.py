"""Tasks under Claude Code's own sandbox (docs/taskd.md, "Sandbox"), with the real CLI
against the Messages API mock, whose Bash call writes one file in the agent's cwd and
one in a directory outside it:

- `spawn --sandbox`: the write outside is refused (the file does not exist afterwards,
  and the tool result the CLI sent back says "read-only file system", in bash's or zsh's
  capitals: the CLI runs the user's $SHELL) while the one in
  the cwd is made; the record and `status` say sandbox; a follow-up and a retry run
  sandboxed too; without --sandbox the same command writes outside (the test can fail);
- a daemon run with `--sandbox` sandboxes a plain spawn, and `spawn --no-sandbox` opts out;
- without bubblewrap on the agent's PATH the task fails with reason sandbox_unavailable
  and the CLI's words, and the agent's Bash never runs (this part never skips).

Skipped (SKIP: reason) only where bubblewrap is installed but cannot create namespaces
here; CI (CI=true) must not skip (ptt_harness.skip).
"""
import json
import os
import shutil
import subprocess

from mock_messages_api import MARKER, MockMessagesApi
from ptt_harness import Sandbox, expect, skip
from real_claude_fixture import mock_work_dir, pinned_cli, start_taskd, status_of

MODEL = "claude-ptt-test-model"
AGENT = ["--model", MODEL, "--permission-mode", "acceptEdits", "--allowed-tools", "Bash"]

cli = pinned_cli()


def bwrap_works():
    """None when bubblewrap makes the namespaces Claude Code's sandbox needs, else why not."""
    bwrap = shutil.which("bwrap")
    if not bwrap or not shutil.which("socat"):
        return "bubblewrap or socat is not installed (apt-get install bubblewrap socat)"
    r = subprocess.run([bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all",
                        "--die-with-parent", "true"], capture_output=True, text=True, timeout=30)
    return None if r.returncode == 0 else f"bwrap cannot create namespaces here: {r.stderr.strip()}"


def path_without_bwrap(sb):
    """A PATH holding what the agent needs (its shell, git) but not bwrap or socat."""
    bin_dir = sb.path("bin-without-bwrap")
    os.makedirs(bin_dir)
    for tool in ("sh", "bash", "git", "env", "cat", "echo", "rg"):
        found = shutil.which(tool)
        if found:
            os.symlink(found, os.path.join(bin_dir, tool))
    return bin_dir


def spawn(sb, *args, timeout=180):
    r = sb.run(["ptt-task", "--no-autostart", "spawn", *args], timeout=timeout, check=None)
    task_id = json.loads(sb.run(["ptt-task", "list", "--json"]).stdout.splitlines()[-1])["id"]
    return r, status_of(sb, str(task_id))


with Sandbox("real-claude-sandbox") as sb:
    outside = sb.path("outside")
    os.makedirs(outside)
    target = os.path.join(outside, "escaped.txt")
    # Exit 0 either way (a failing Bash call would be an error result); the output says
    # what happened to the write outside.
    mock = MockMessagesApi(command=f"echo \"task $PTT_TASK_ID\" > inside.txt; "
                                   f"(echo escaped > {target}) 2>&1 || echo refused-outside; echo {MARKER}").start()
    try:
        work = mock_work_dir(sb, mock)

        # Without bubblewrap: a clear failure, never a run without the sandbox.
        no_bwrap = dict(sb.env, PATH=path_without_bwrap(sb))
        daemon = sb.start(["ptt-taskd", "--claude", cli], env=no_bwrap)
        sb.wait_for_socket(proc=daemon)
        r, t = spawn(sb, "--cwd", work, "--sandbox", "--wait", *AGENT, "write the notes")
        expect(r.returncode != 0 and t["state"] == "failed" and t["reason"] == "sandbox_unavailable",
               f"without bwrap: {r.returncode} {t}")
        errors = " ".join(t["result"]["errors"])
        expect("Sandbox required but unavailable" in errors and "bubblewrap" in errors, f"the CLI's words: {errors}")
        expect(not mock.tool_results and not os.path.exists(os.path.join(work, "inside.txt")),
               f"the agent ran without its sandbox: {mock.tool_results}")
        shown = sb.run(["ptt-task", "status", str(t["id"])]).stdout
        expect("reason:    sandbox_unavailable" in shown and "sandbox:   on" in shown, f"status: {shown}")
        sb.run(["ptt-task", "shutdown"])
        daemon.wait(timeout=30)

        why_not = bwrap_works()
        if why_not:
            skip(why_not)

        daemon = start_taskd(sb, cli)
        # Unsandboxed, the same command writes outside: the check below can fail.
        r, t = spawn(sb, "--cwd", work, "--wait", *AGENT, "write the notes")
        expect(r.returncode == 0 and os.path.exists(target), f"unsandboxed: {r.returncode} {r.stderr} {t}")
        expect("sandbox" not in t.get("options", {}), f"an unsandboxed record: {t}")
        os.remove(target)

        r, t = spawn(sb, "--cwd", work, "--sandbox", "--name", "boxed", "--wait", *AGENT, "write the notes")
        expect(r.returncode == 0 and t["state"] == "succeeded", f"sandboxed: {r.returncode} {r.stderr} {t}")
        expect(not os.path.exists(target), "the sandboxed task wrote outside its cwd")
        with open(os.path.join(work, "inside.txt")) as f:
            expect(f.read() == f"task {t['id']}\n", "the write in the cwd")
        seen = mock.tool_results[-1]
        expect("read-only file system" in seen.lower() and "refused-outside" in seen, f"the tool result: {seen!r}")
        expect(t["options"].get("sandbox") is True, f"the record: {t['options']}")
        shown = sb.run(["ptt-task", "status", "boxed"]).stdout
        expect("sandbox:   on (Bash writes only in its cwd" in shown, f"status: {shown}")

        # Follow-ups and retries run as their parent did; a follow-up cannot leave it.
        r = sb.run(["ptt-task", "follow-up", "--wait", "boxed", "once more"], timeout=180)
        follow = status_of(sb, str(t["id"] + 1))
        expect(r.returncode == 0 and follow["options"].get("sandbox") is True and not os.path.exists(target),
               f"the follow-up: {r.returncode} {r.stderr} {follow}")
        r = sb.run(["ptt-task", "retry", "--wait", "boxed"], timeout=180)
        retry = status_of(sb, str(t["id"] + 2))
        expect(r.returncode == 0 and retry["options"].get("sandbox") is True and not os.path.exists(target),
               f"the retry: {r.returncode} {r.stderr} {retry}")
        sb.run(["ptt-task", "shutdown"])
        daemon.wait(timeout=30)

        # The daemon's --sandbox: every spawn is sandboxed unless it says --no-sandbox.
        daemon = start_taskd(sb, cli, "--sandbox")
        r, t = spawn(sb, "--cwd", work, "--wait", *AGENT, "write the notes")
        expect(r.returncode == 0 and t["options"].get("sandbox") is True and not os.path.exists(target),
               f"the daemon's default: {r.returncode} {t}")
        r, t = spawn(sb, "--cwd", work, "--no-sandbox", "--wait", *AGENT, "write the notes")
        expect(r.returncode == 0 and t["options"].get("sandbox") is False and os.path.exists(target),
               f"--no-sandbox: {r.returncode} {t}")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
    finally:
        mock.stop()
print("ok")
