"""The agent's input channel with the real Claude Code CLI against the Messages API mock:
ptt-taskd runs `claude -p --input-format stream-json` with its stdin a FIFO in the task's
log dir (docs/taskd.md, "The agent's input").

- A 1 MiB prompt (eight times the kernel's limit for one argument) reaches the API whole,
  and the task succeeds as before once its result is in (its input is then closed).
- kill -9 of the daemon mid-turn: the agent goes on (its supervisor holds its input open),
  and a restarted daemon ends its session after the result: the task succeeds.
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import json
import os

from mock_messages_api import FINAL_TEXT, StalledStreamApi
from mock_outcome_scenarios import TextOnlyScenario
from ptt_harness import Sandbox, expect, wait_until
from real_claude_fixture import mock_work_dir, pinned_cli, start_taskd, status_of
from taskd_fixture import supervisor_status

MODEL = "claude-ptt-test-model"

cli = pinned_cli()


def start_daemon(sb):
    daemon = start_taskd(sb, cli, "--kill-grace", "2")
    return daemon


def agent_args(sb, mock):
    work = mock_work_dir(sb, mock)
    return ["--cwd", work, "--model", MODEL, "--permission-mode", "acceptEdits", "--allowed-tools", "Bash"]


def user_texts(body):
    """Every text the request's user and system turns carry."""
    out = []
    for m in body.get("messages") or []:
        content = m.get("content")
        if isinstance(content, str):
            out.append(content)
        elif isinstance(content, list):
            out.extend(b.get("text", "") for b in content if isinstance(b, dict))
    return out


# 1. A 1 MiB prompt: not an argument any more, the first message on stdin.
mock = TextOnlyScenario("Read it all.").start()
try:
    with Sandbox("real-claude-big-prompt") as sb:
        args = agent_args(sb, mock)
        start_daemon(sb)
        prompt = "Summarise this. " + "".join(f"line {i:07d} of the big prompt\n" for i in range(36000))
        prompt = prompt[:1 << 20]
        expect(len(prompt.encode()) == 1 << 20, "the prompt is 1 MiB")
        r = sb.run(["ptt-task", "spawn", "--wait", *args, "-"], input=prompt, timeout=180)
        expect(r.returncode == 0, f"spawn --wait of a 1 MiB prompt exited {r.returncode}: {r.stdout} {r.stderr}")
        task_id = r.stdout.strip()
        agent_turns = [b for b in mock.requests if any(t.get("name") == "Bash" for t in b.get("tools") or [])]
        expect(agent_turns, "no agent turn reached the mock")
        expect(any(prompt in t for t in user_texts(agent_turns[0])),
               f"the mock did not get the prompt whole: {[len(t) for t in user_texts(agent_turns[0])]}")
        status = status_of(sb, task_id)
        expect(status["state"] == "succeeded" and status["result"]["text"] == "Read it all.", f"status: {status}")
        expect(status.get("exit_code") in (0, None), f"claude did not exit 0 once its input closed: {status}")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
        print(f"ok: a 1 MiB prompt reached the API whole; task {task_id} succeeded")
finally:
    mock.stop()

# 2. kill -9 of the daemon mid-turn; a restarted daemon ends the session after the result.
mock = StalledStreamApi(expect_model=MODEL).start()
try:
    with Sandbox("real-claude-input-kill9") as sb:
        args = agent_args(sb, mock)
        daemon = start_daemon(sb)
        task_id = sb.run(["ptt-task", "spawn", *args, "print the marker"], check=0).stdout.strip()
        wait_until(mock.stalling.is_set, timeout=60, what="the agent's first turn")
        agent = supervisor_status(sb.state_dir, task_id).get("agent")
        expect(agent, "no agent pid recorded")
        daemon.kill()
        daemon.wait()
        mock.release()  # the turn goes on with no daemon; its result waits for one
        stream = os.path.join(sb.state_dir, "logs", task_id, "stream.ndjson")
        wait_until(lambda: '"type":"result"' in open(stream).read(), timeout=60, what="the result line")
        expect("exit" not in supervisor_status(sb.state_dir, task_id),
               "claude exited with no daemon to close its input")
        start_daemon(sb)
        r = sb.run(["ptt-task", "wait", task_id], timeout=60)
        status = status_of(sb, task_id)
        expect(r.returncode == 0 and status["state"] == "succeeded" and status["result"]["text"] == FINAL_TEXT,
               f"after the restart: wait {r.returncode}, {status}")
        expect(supervisor_status(sb.state_dir, task_id)["exit"]["exit_code"] == 0, "claude did not exit 0")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
        print(f"ok: task {task_id} survived kill -9 mid-turn; the restarted daemon ended its session")
finally:
    mock.stop()
