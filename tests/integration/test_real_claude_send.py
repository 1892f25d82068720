"""ptt-task send with the real Claude Code CLI against the Messages API mock
(docs/taskd.md, "Messages"):

- Two messages sent while the agent's first turn is still streaming are both taken (none
  lost though the result may come first): the mock sees them in a user turn after the
  one it was answering, and the task succeeds with the answer to the last one.
- A finished task takes no message: exit 1, and the error names `ptt-task follow-up`.
- kill -9 of the daemon mid-turn, restart: a message sent then still reaches the agent
  (its supervisor held the input open) and the task succeeds with its answer.
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import json
import os

from mock_message_scenarios import MessageTurnsApi, message_texts, noted
from ptt_harness import Sandbox, expect, wait_until
from real_claude_fixture import mock_work_dir, pinned_cli, start_taskd, status_of
from taskd_fixture import supervisor_status

MODEL = "claude-ptt-test-model"

cli = pinned_cli()


def start_daemon(sb):
    return start_taskd(sb, cli, "--kill-grace", "2")


def agent_args(sb, mock):
    return ["--cwd", mock_work_dir(sb, mock), "--model", MODEL, "--permission-mode", "acceptEdits",
            "--allowed-tools", "Bash"]


def took_prompt(sb, task_id):
    stream = os.path.join(sb.state_dir, "logs", task_id, "stream.ndjson")
    return os.path.exists(stream) and "\"command_lifecycle\"" in open(stream).read()


def taken(sb, args, input=None):
    """Runs `ptt-task send|interrupt ...` once the daemon has seen the CLI take its prompt:
    the stream line says so in the file before the daemon has read it (after a restart it
    reads the whole stream again), and until then the daemon refuses, "in a moment"."""
    def attempt():
        r = sb.run(args, input=input, timeout=30)
        return None if r.returncode != 0 and "has not taken its prompt yet" in r.stderr else r
    return wait_until(attempt, 30, "the daemon to see the CLI take its prompt")


def send(sb, task_id, text):
    r = taken(sb, ["ptt-task", "send", task_id, text])
    expect(r.returncode == 0 and r.stdout == f"sent to task {task_id}\n",
           f"send {text!r}: exit {r.returncode}, {r.stdout!r} {r.stderr!r}")


# 1. Messages sent mid-turn are the session's next turn; then the finished task refuses one.
mock = MessageTurnsApi(expect_model=MODEL).start()
try:
    with Sandbox("real-claude-send") as sb:
        args = agent_args(sb, mock)
        start_daemon(sb)
        task_id = sb.run(["ptt-task", "spawn", *args, "print the marker"], check=0).stdout.strip()
        wait_until(mock.stalling.is_set, timeout=60, what="the agent's first turn")
        wait_until(lambda: took_prompt(sb, task_id), timeout=30, what="the CLI to read its prompt")
        first, second = "ptt-message: also update the docs", "ptt-message: and the README"
        send(sb, task_id, first)
        r = taken(sb, ["ptt-task", "send", task_id, "-"], input=second)
        expect(r.returncode == 0, f"send - (stdin): {r.returncode} {r.stderr!r}")
        n_before = len(mock.requests)
        mock.release()
        r = sb.run(["ptt-task", "wait", task_id], timeout=120)
        status = status_of(sb, task_id)
        expect(r.returncode == 0 and status["state"] == "succeeded", f"the task did not succeed: {status}")
        later = [m for b in mock.requests[n_before:] for m in message_texts(b)]
        expect(first in later and second in later, f"the mock did not see both messages: {later}")
        expect(status["result"]["text"] == noted(second), f"the result is not the answer to the last message: "
               f"{status['result']}; answered {mock.answered}")
        expect(supervisor_status(sb.state_dir, task_id)["exit"]["exit_code"] == 0, "claude did not exit 0")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
        print(f"ok: two messages sent mid-turn were taken; task {task_id} succeeded with {status['result']['text']!r}")

        r = sb.run(["ptt-task", "send", task_id, "one more thing"], timeout=30)
        expect(r.returncode == 1 and "follow-up" in r.stderr and "finished" in r.stderr,
               f"send to a finished task: exit {r.returncode}, {r.stderr!r}")
        print(f"ok: a finished task refuses a message: {r.stderr.strip()}")
finally:
    mock.stop()

# 2. kill -9 of the daemon mid-turn; after a restart a message still reaches the agent.
mock = MessageTurnsApi(expect_model=MODEL).start()
try:
    with Sandbox("real-claude-send-kill9") as sb:
        args = agent_args(sb, mock)
        daemon = start_daemon(sb)
        task_id = sb.run(["ptt-task", "spawn", *args, "print the marker"], check=0).stdout.strip()
        wait_until(mock.stalling.is_set, timeout=60, what="the agent's first turn")
        wait_until(lambda: took_prompt(sb, task_id), timeout=30, what="the CLI to read its prompt")
        daemon.kill()
        daemon.wait()
        start_daemon(sb)
        message = "ptt-message: sent after the restart"
        send(sb, task_id, message)
        mock.release()
        r = sb.run(["ptt-task", "wait", task_id], timeout=120)
        status = status_of(sb, task_id)
        expect(r.returncode == 0 and status["state"] == "succeeded" and status["result"]["text"] == noted(message),
               f"after the restart: wait {r.returncode}, {status}; answered {mock.answered}")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
        print(f"ok: a message sent after kill -9 and a restart reached task {task_id}'s agent")
finally:
    mock.stop()
