"""The real Claude Code CLI leaves a background Bash command running after its result
(tests/support/mock_messages_api.py, BackgroundCommandApi): `claude -p` 2.1.330 then does
not exit, and the command runs in a session of its own. The task still ends, with the
result's outcome, one grace period (--kill-grace) after the result line, and the command
is killed with the agent.
"""
import json
import os
import random
import time

from mock_messages_api import FINAL_TEXT, BackgroundCommandApi
from ptt_harness import Sandbox, expect, wait_until
from real_claude_fixture import pinned_cli, mock_work_dir, start_taskd

MODEL = "claude-ptt-test-model"

cli = pinned_cli()


def processes_running(needle):
    """Pids whose command line holds `needle` (the background command)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if needle.encode() in f.read().replace(b"\0", b" "):
                    found.append(int(pid))
        except OSError:
            pass
    return found


# A number no other test sleeps for, so the process is recognisably this test's.
seconds = random.randrange(100000, 999999)
command = f"sleep {seconds}"
mock = BackgroundCommandApi(command, expect_model=MODEL).start()
try:
    with Sandbox("real-claude-leftovers") as sb:
        work = mock_work_dir(sb, mock)
        daemon = start_taskd(sb, cli, "--kill-grace", "1")
        agent = ["--cwd", work, "--model", MODEL, "--permission-mode", "acceptEdits", "--allowed-tools", "Bash"]
        started = time.monotonic()
        r = sb.run(["ptt-task", "spawn", "--wait", *agent, "start the command in the background"], timeout=120)
        took = time.monotonic() - started
        expect(r.returncode == 0, f"spawn --wait exited {r.returncode}: {r.stdout} {r.stderr}")
        task_id = r.stdout.strip()
        status = json.loads(sb.run(["ptt-task", "status", task_id, "--json"], check=0).stdout)
        expect(status["state"] == "succeeded", f"task ended {status['state']} ({status.get('reason')}), wanted "
               f"the result's outcome: {status}")
        expect(status["result"]["text"] == FINAL_TEXT, f"result text {status['result']['text']!r}")
        expect(any("running in background" in t for t in mock.tool_results),
               f"the CLI did not run the command in the background: {mock.tool_results}")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
        # The agent was ended, and the command with it (it ran in a session of its own).
        wait_until(lambda: not processes_running(command), 10, f"`{command}` to be gone")
        stream = open(os.path.join(sb.state_dir, "logs", task_id, "stream.ndjson")).read()
        expect('"task_started"' in stream or "background" in stream, "the stream shows no background task")
        print(f"ok: task {task_id} ended {status['state']} {took:.1f} s after spawn, exit_code "
              f"{status.get('exit_code')}; its background `{command}` is gone")
finally:
    mock.stop()
    for pid in processes_running(f"sleep {seconds}"):
        os.kill(pid, 9)
