"""ptt-task interrupt with the real Claude Code CLI against the Messages API mock
(docs/taskd.md, "Interrupts"):

- interrupt mid-turn: the CLI answers the control_request and ends the turn
  (error_during_execution); the task stays running, waiting for a message; a later send is
  the next turn and the task succeeds with its answer.
- interrupt and no message: once the task's stall timeout has passed its input is closed
  and it ends failed (the interrupted turn's result: aborted_streaming), its activity saying
  why; a finished task
  refuses an interrupt (exit 1).
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import json
import os

from mock_message_scenarios import MessageTurnsApi, noted
from ptt_harness import Sandbox, expect, wait_until
from real_claude_fixture import mock_work_dir, pinned_cli, start_taskd, status_of

MODEL = "claude-ptt-test-model"

cli = pinned_cli()


def start_daemon(sb):
    return start_taskd(sb, cli, "--kill-grace", "2")


def agent_args(sb, mock):
    return ["--cwd", mock_work_dir(sb, mock), "--model", MODEL, "--permission-mode", "acceptEdits",
            "--allowed-tools", "Bash"]


def stream_of(sb, task_id):
    path = os.path.join(sb.state_dir, "logs", task_id, "stream.ndjson")
    return open(path).read() if os.path.exists(path) else ""


def interrupt_mid_turn(sb, args, mock, *extra):
    task_id = sb.run(["ptt-task", "spawn", *args, *extra, "print the marker"], check=0).stdout.strip()
    wait_until(mock.stalling.is_set, timeout=60, what="the agent's first turn")
    wait_until(lambda: '"command_lifecycle"' in stream_of(sb, task_id), timeout=30, what="the CLI to read its prompt")
    # The line is in the file before the daemon has read it; until then it refuses, "in a moment".
    def attempt():
        r = sb.run(["ptt-task", "interrupt", task_id], timeout=30)
        return None if r.returncode != 0 and "has not taken its prompt yet" in r.stderr else r
    r = wait_until(attempt, 30, "the daemon to see the CLI take its prompt")
    expect(r.returncode == 0 and r.stdout.startswith(f"interrupted task {task_id}"),
           f"interrupt: exit {r.returncode}, {r.stdout!r} {r.stderr!r}")
    wait_until(lambda: "waiting for a message" in (status_of(sb, task_id).get("activity") or ""), timeout=60,
               what="the interrupted turn's end")
    stream = stream_of(sb, task_id)
    expect('"type":"control_response"' in stream and '"subtype":"error_during_execution"' in stream,
           "the CLI did not answer the interrupt and end the turn")
    expect(status_of(sb, task_id)["state"] == "running", "the interrupted turn's result ended the task")
    return task_id


# 1. interrupt mid-turn, then a message: the next turn, and the task succeeds.
mock = MessageTurnsApi(expect_model=MODEL).start()
try:
    with Sandbox("real-claude-interrupt") as sb:
        args = agent_args(sb, mock)
        start_daemon(sb)
        task_id = interrupt_mid_turn(sb, args, mock)
        message = "ptt-message: do the docs instead"
        r = sb.run(["ptt-task", "send", task_id, message], timeout=30)
        expect(r.returncode == 0, f"send after the interrupt: {r.returncode} {r.stderr!r}")
        r = sb.run(["ptt-task", "wait", task_id], timeout=120)
        status = status_of(sb, task_id)
        expect(r.returncode == 0 and status["state"] == "succeeded" and status["result"]["text"] == noted(message),
               f"after the interrupt and a message: wait {r.returncode}, {status}; answered {mock.answered}")
        expect(mock.answered == [message], f"the mock answered {mock.answered}")
        print(f"ok: task {task_id}'s turn was interrupted; the message sent then was its next turn")
        r = sb.run(["ptt-task", "interrupt", task_id], timeout=30)
        expect(r.returncode == 1 and "finished" in r.stderr, f"interrupt of a finished task: {r.returncode} {r.stderr!r}")
finally:
    mock.stop()

# 2. interrupt and no message: the session ends once the stall timeout has passed.
mock = MessageTurnsApi(expect_model=MODEL).start()
try:
    with Sandbox("real-claude-interrupt-idle") as sb:
        args = agent_args(sb, mock)
        start_daemon(sb)
        task_id = interrupt_mid_turn(sb, args, mock, "--stall-timeout", "3s")
        r = sb.run(["ptt-task", "wait", task_id], timeout=120)
        status = status_of(sb, task_id)
        expect(r.returncode != 0 and status["state"] == "failed" and status["reason"] == "aborted_streaming"
               and status["result"]["subtype"] == "error_during_execution"
               and status["activity"] == "interrupted: no message came within 3 s",
               f"an interrupted task with no message: {status}")
        print(f"ok: task {task_id} waited 3 s for a message after its interrupt, then ended: {status['activity']}")
finally:
    mock.stop()
