"""Rate limits with the real Claude Code CLI against the Messages API mock
(tests/support/mock_outcome_scenarios.py, RateLimitedScenario). The pinned CLI 2.1.330 does
write `rate_limit_event` offline: for a claude.ai login (CLAUDE_CODE_OAUTH_TOKEN; with an API
key it ignores the headers) it reads the mock's anthropic-ratelimit-unified-* headers, and a
429 with status `rejected` gives `rate_limit_event` {status: rejected, resetsAt} before the
run fails. No fake agent is needed.

- a refused task holds the queue: a task spawned then stays queued (list, status and top's
  title bar say why, watch --json has queue_held) and starts once the reset has passed (queue_resumed first);
- `ptt-task queue resume` ends a hold at once, and a hold survives a daemon restart;
- with `--rate-limit-hold off` nothing is held.
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import json
import select
import shutil
import subprocess
import time

from mock_outcome_scenarios import RateLimitedScenario
from ptt_harness import Sandbox, expect, readline, skip, wait_until
from real_claude_fixture import pinned_cli, mock_work_dir, start_taskd
from top_tmux import Tmux

MODEL = "claude-ptt-test-model"

cli = pinned_cli()
if not shutil.which("tmux"):
    skip("tmux is not installed (top's title bar is read in it)", "tmux")


def status_of(sb, task_id):
    return json.loads(sb.run(["ptt-task", "status", task_id, "--json"]).stdout)


def start_daemon(sb, mock, *flags):
    work = mock_work_dir(sb, mock)
    daemon = start_taskd(sb, cli, *flags)
    return daemon, ["--cwd", work, "--model", MODEL, "--permission-mode", "acceptEdits",
                    "--allowed-tools", "Bash(echo:*)"]


def spawn(sb, agent, prompt, wait=False):
    r = sb.run(["ptt-task", "--no-autostart", "spawn", *(["--wait"] if wait else []), *agent, prompt], timeout=180)
    task_id = r.stdout.strip()
    expect(task_id.isdigit(), f"spawn printed {r.stdout!r} {r.stderr!r}")
    return r.returncode, task_id


def refused_run(sb, agent):
    """A task whose agent the API refuses for the rate limit: it fails, and holds the queue."""
    rc, task_id = spawn(sb, agent, "print the marker", wait=True)
    expect(rc == 1, f"a rate-limited run's spawn --wait exited {rc}")
    status = status_of(sb, task_id)
    expect(status["state"] == "failed", f"rate-limited run: {status}")
    return task_id


def subscribe_watch(sb, mock, agent):
    watch = sb.start(["ptt-task", "--no-autostart", "watch", "--json"], stdout=subprocess.PIPE, text=True)

    def subscribed():
        # Events flow only once watch has subscribed: a probe task (served, not refused) shows it.
        mock.rejecting = False
        sb.run(["ptt-task", "--no-autostart", "spawn", "--wait", *agent, "probe"], timeout=180)
        return bool(select.select([watch.stdout], [], [], 0.5)[0])

    wait_until(subscribed, timeout=60, what="watch --json to subscribe")
    mock.rejecting = True
    return watch


def events_until(watch, done, what, timeout=120):
    seen = []
    while True:
        event = json.loads(readline(watch.stdout, timeout=timeout, what=what))
        seen.append(event)
        if done(event):
            return seen


# 1. A hold ends by itself at the reset; the task queued meanwhile starts only then.
reset = time.time() + 8
mock = RateLimitedScenario(reset).start()
try:
    with Sandbox("real-claude-rate-limit-reset") as sb:
        daemon, agent = start_daemon(sb, mock)
        watch = subscribe_watch(sb, mock, agent)
        limited = refused_run(sb, agent)
        expect(mock.refused >= 1, "the mock refused no agent turn")
        mock.rejecting = False
        _, queued = spawn(sb, agent, "print the marker")
        status = status_of(sb, queued)
        expect(status["state"] == "queued", f"a task spawned while held is {status['state']}")
        r = sb.run(["ptt-task", "list"])
        first = r.stdout.splitlines()[0]
        expect(first.startswith("queue held until ") and f"rate limited (five_hour, task {limited})" in first,
               f"list's hold line: {r.stdout!r}")
        r = sb.run(["ptt-task", "status", queued])
        expect("queue held until" in r.stdout, f"status of a held task:\n{r.stdout}")

        seen = events_until(watch, lambda e: e.get("event") == "finished" and str(e["task"]["id"]) == queued,
                            "the queued task's finished event")
        names = [(e["event"], str((e.get("task") or {}).get("id", ""))) for e in seen]
        held = [e for e in seen if e["event"] == "queue_held"]
        expect(held and held[0]["hold"]["until"] == int(reset) and held[0]["hold"]["task"] == int(limited)
               and held[0]["hold"]["reason"] == "rate_limited", f"queue_held: {held}")
        resumed = names.index(("queue_resumed", ""))
        started = names.index(("started", queued))
        expect(resumed < started, f"the queued task started before the hold ended: {names}")
        expect([e for e in seen if e["event"] == "queue_resumed"][0]["by"] == "reset", f"{seen}")
        done = status_of(sb, queued)
        expect(done["state"] == "succeeded", f"the queued task: {done}")
        expect(done["started_at"] >= int(reset), f"started {done['started_at']} before the reset {int(reset)}")
        r = sb.run(["ptt-task", "list"])
        expect("queue held" not in r.stdout, f"list after the reset: {r.stdout!r}")
        print(f"ok: task {limited}'s rate limit held task {queued} until the reset")
finally:
    mock.stop()

# 2. A hold survives a restart, and `queue resume` ends it at once.
mock = RateLimitedScenario(time.time() + 3600).start()
try:
    with Sandbox("real-claude-rate-limit-resume") as sb:
        daemon, agent = start_daemon(sb, mock)
        limited = refused_run(sb, agent)
        mock.rejecting = False
        _, queued = spawn(sb, agent, "print the marker")
        expect(status_of(sb, queued)["state"] == "queued", "a task spawned while held did not queue")
        sb.run(["ptt-task", "--no-autostart", "shutdown"])
        daemon.wait(timeout=30)
        daemon, agent = start_daemon(sb, mock)
        expect(status_of(sb, queued)["state"] == "queued", "the restarted daemon started the held task")
        r = sb.run(["ptt-task", "list"])
        expect(r.stdout.startswith("queue held until "), f"list after a restart: {r.stdout!r}")
        tmux = Tmux(sb)
        try:
            # top's title bar shows the hold from its first list, and drops it on queue_resumed.
            tmux.start_top("top")
            tmux.wait_for("top", lambda s: "queue held until" in s.splitlines()[0]
                          and f"task {limited})" in s.splitlines()[0], "the hold in top's title bar")
            r = sb.run(["ptt-task", "queue", "resume"])
            expect(r.returncode == 0 and r.stdout.startswith("queue resumed; it was held until "),
                   f"queue resume: {r.returncode} {r.stdout!r} {r.stderr!r}")
            tmux.wait_for("top", lambda s: "queue held" not in s and "q quit" in s, "top's title bar after the resume")
        finally:
            tmux.kill()
        r = sb.run(["ptt-task", "wait", queued], timeout=180)
        expect(r.returncode == 0, f"the released task: {r.stdout} {r.stderr}")
        r = sb.run(["ptt-task", "queue", "resume", "--json"])
        expect(json.loads(r.stdout) == {}, f"a second queue resume: {r.stdout!r}")
        r = sb.run(["ptt-task", "queue", "resume"])
        expect(r.stdout == "the queue was not held\n", f"{r.stdout!r}")
        print(f"ok: the hold outlived a restart; queue resume started task {queued}")
finally:
    mock.stop()

# 3. --rate-limit-hold off: a rate limit holds nothing.
mock = RateLimitedScenario(time.time() + 3600).start()
try:
    with Sandbox("real-claude-rate-limit-off") as sb:
        daemon, agent = start_daemon(sb, mock, "--rate-limit-hold", "off")
        refused_run(sb, agent)
        mock.rejecting = False
        rc, task_id = spawn(sb, agent, "print the marker", wait=True)
        expect(rc == 0, f"with --rate-limit-hold off the next task ended {status_of(sb, task_id)}")
        r = sb.run(["ptt-task", "list"])
        expect("queue held" not in r.stdout, f"list with the hold off: {r.stdout!r}")
        print("ok: --rate-limit-hold off never holds")
finally:
    mock.stop()
