"""The real Claude Code CLI, driven by the real ptt-taskd and ptt-task, against the
Messages API mock on loopback (tests/support/mock_messages_api.py).

- a task that runs one Bash tool call ends succeeded, with its result text and cost;
- a --max-turns 1 run ends failed with reason error_max_turns.
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import json

from mock_messages_api import FINAL_TEXT, MARKER, MockMessagesApi
from ptt_harness import Sandbox, expect
from real_claude_fixture import pinned_cli, mock_work_dir, start_taskd

MODEL = "claude-ptt-test-model"

cli = pinned_cli()

mock = MockMessagesApi(expect_model=MODEL).start()
try:
    with Sandbox("real-claude") as sb:
        # The task inherits the daemon's environment (docs: "Environment of a task"),
        # so the mock's address and the sandbox HOME are set on the daemon.
        work = mock_work_dir(sb, mock)
        daemon = start_taskd(sb, cli)
        agent = ["--cwd", work, "--model", MODEL, "--permission-mode", "acceptEdits", "--allowed-tools", "Bash"]

        # 1. One Bash tool call, then the final text.
        r = sb.run(["ptt-task", "--no-autostart", "spawn", "--wait", *agent, "print the marker"], timeout=180)
        expect(r.returncode == 0, f"spawn --wait exited {r.returncode}: {r.stdout} {r.stderr}")
        task_id = r.stdout.strip()
        expect(task_id.isdigit(), f"spawn printed {r.stdout!r}, wanted a task id")
        status = json.loads(sb.run(["ptt-task", "status", task_id, "--json"], check=0).stdout)
        expect(status["state"] == "succeeded", f"task ended {status['state']} ({status.get('reason')}): {status}")
        expect(status["result"]["text"] == FINAL_TEXT, f"result text {status['result']['text']!r}")
        expect(status["result"]["cost_usd"] > 0, f"no cost recorded: {status['result']}")
        expect(status["result"]["num_turns"] >= 2, f"turns: {status['result']}")
        expect(status["session_id"], "no session id recorded")
        expect(status["model"] == MODEL, f"model recorded as {status['model']!r}")
        r = sb.run(["ptt-task", "result", task_id], check=0)
        expect(r.stdout.strip() == FINAL_TEXT, f"`result` printed {r.stdout!r}")
        r = sb.run(["ptt-task", "logs", task_id], check=0)
        expect(f"→ Bash: echo {MARKER}" in r.stdout, f"readable log lacks the tool call: {r.stdout}")
        expect(f"← {MARKER}" in r.stdout, f"readable log lacks the tool result: {r.stdout}")
        expect(any(MARKER in t for t in mock.tool_results), f"the mock never saw the tool_result: {mock.tool_results}")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
        print(f"ok: task {task_id} ran Bash through the real claude and succeeded, cost ${status['result']['cost_usd']}")

        # 2. --max-turns 1 stops after the tool call.
        requests_before = len(mock.requests)
        r = sb.run(["ptt-task", "spawn", "--wait", "--max-turns", "1", *agent, "print the marker again"], timeout=180)
        expect(r.returncode == 1, f"a max-turns run should exit 1, got {r.returncode}: {r.stdout} {r.stderr}")
        task_id = r.stdout.strip()
        status = json.loads(sb.run(["ptt-task", "status", task_id, "--json"], check=0).stdout)
        expect(status["state"] == "failed", f"max-turns task ended {status['state']}")
        expect(status["reason"] == "error_max_turns", f"reason {status['reason']!r}, wanted error_max_turns")
        expect(len(mock.requests) == requests_before + 1, "a --max-turns 1 run asked the API more than once")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
        print(f"ok: task {task_id} with --max-turns 1 failed with error_max_turns")
finally:
    mock.stop()
