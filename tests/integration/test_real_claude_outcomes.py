"""Honest outcomes with the real Claude Code CLI against the Messages API mock
(tests/support/mock_outcome_scenarios.py):

- a Bash `curl` refused in acceptEdits (asked about, and denied by --approval-timeout) ends the task failed with reason permission_denied
  (the CLI itself says success), and status, result, logs, list and watch --json name the
  refused command; spawn --wait and wait exit 1;
- a --max-turns 1 run shows Claude's errors[] text as its failure message;
- a follow-up's cost is its own, not the session's running total, which status shows too.
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import json
import select
import subprocess

from mock_outcome_scenarios import REFUSED_FINAL_TEXT, RefusedCommandScenario, TextOnlyScenario
from ptt_harness import Sandbox, expect, readline, wait_until
from real_claude_fixture import pinned_cli, mock_work_dir, start_taskd

MODEL = "claude-ptt-test-model"

cli = pinned_cli()


def status_of(sb, task_id):
    return json.loads(sb.run(["ptt-task", "status", task_id, "--json"]).stdout)


def daemon_with(sb, mock):
    work = mock_work_dir(sb, mock)
    # The agent asks before the curl (docs/taskd.md, Approvals); nobody answers here, so the
    # daemon's --approval-timeout denies it at once: the call is refused as before.
    daemon = start_taskd(sb, cli, "--approval-timeout", "1")
    return ["--cwd", work, "--model", MODEL, "--permission-mode", "acceptEdits"]


# 1. A refused curl: the CLI ends `success` with the call in permission_denials.
refused_command = "curl -s http://127.0.0.1:9/ptt-refused"
mock = RefusedCommandScenario(refused_command).start()
try:
    with Sandbox("real-claude-refused") as sb:
        agent = daemon_with(sb, mock)
        watch = sb.start(["ptt-task", "--no-autostart", "watch", "--json"], stdout=subprocess.PIPE, text=True)

        def watch_subscribed():
            # Events flow only once watch has subscribed: a probe task shows it.
            sb.run(["ptt-task", "spawn", *agent, "--allowed-tools", "Bash(echo:*)", "probe"])
            return bool(select.select([watch.stdout], [], [], 0.5)[0])

        wait_until(watch_subscribed, timeout=60, what="watch --json to subscribe")
        r = sb.run(["ptt-task", "--no-autostart", "spawn", "--wait", *agent, "--allowed-tools", "Bash(echo:*)",
                    "fetch the page"], timeout=180)
        expect(r.returncode == 1, f"spawn --wait of a refused run exited {r.returncode}: {r.stdout} {r.stderr}")
        task_id = r.stdout.strip()
        expect(task_id.isdigit(), f"spawn printed {r.stdout!r}")
        expect(mock.refusals, f"the agent's command was not refused: {mock.errors}")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")

        status = status_of(sb, task_id)
        expect(status["state"] == "failed", f"refused run ended {status['state']}: {status}")
        expect(status["reason"] == "permission_denied", f"reason {status['reason']!r}")
        denials = status["result"]["permission_denials"]
        expect(len(denials) == 1 and denials[0]["tool"] == "Bash", f"denials: {denials}")
        expect(refused_command in denials[0]["description"], f"denial does not name the command: {denials}")
        expect(status["result"]["text"] == REFUSED_FINAL_TEXT, f"result text {status['result']['text']!r}")

        r = sb.run(["ptt-task", "wait", task_id])
        expect(r.returncode == 1, f"wait of a refused task exited {r.returncode}")
        r = sb.run(["ptt-task", "status", task_id])
        expect(f"refused:   Bash: {refused_command}" in r.stdout, f"status does not name the refusal:\n{r.stdout}")
        r = sb.run(["ptt-task", "result", task_id])
        expect(r.returncode == 1, f"result of a refused task exited {r.returncode}")
        expect(refused_command in r.stderr and "permission" not in r.stdout,
               f"result does not name the refusal: {r.stdout!r} {r.stderr!r}")
        r = sb.run(["ptt-task", "logs", task_id])
        last = r.stdout.rstrip("\n").splitlines()[-1]
        expect("failed" in last and f"refused Bash: {refused_command}" in last, f"logs' last line: {last!r}")
        r = sb.run(["ptt-task", "list"])
        row = [line for line in r.stdout.splitlines() if line.split()[:1] == [task_id]]
        expect(row and f"refused Bash: {refused_command}"[:40] in row[0], f"list row: {row}")

        def finished_event():
            line = readline(watch.stdout, timeout=60, what="the refused task's finished event")
            event = json.loads(line)
            return event if event.get("event") == "finished" and str(event["task"]["id"]) == task_id else None

        event = None
        while event is None:
            event = finished_event()
        expect(event["task"]["reason"] == "permission_denied", f"watch --json: {event}")
        expect(refused_command in event["task"]["result"]["permission_denials"][0]["description"],
               f"watch --json does not name the refusal: {event}")
        print(f"ok: task {task_id}'s refused curl ended it failed (permission_denied), named everywhere")
finally:
    mock.stop()

# 2. errors[] as the failure message, and 3. a follow-up's own cost.
mock = TextOnlyScenario("Hello from the mock.").start()
try:
    with Sandbox("real-claude-errors-cost") as sb:
        agent = daemon_with(sb, mock)
        r = sb.run(["ptt-task", "--no-autostart", "spawn", "--wait", *agent, "say hello"], timeout=180)
        expect(r.returncode == 0, f"a text-only run exited {r.returncode}: {r.stdout} {r.stderr}")
        first = status_of(sb, r.stdout.strip())
        expect(first["result"]["cost_usd"] > 0, f"first run's cost: {first['result']}")
        expect(first["result"]["session_cost_usd"] == first["result"]["cost_usd"], f"{first['result']}")
        model_usage = first["result"]["model_usage"]
        expect(model_usage[MODEL]["inputTokens"] > 0, f"model_usage: {model_usage}")
        expect(first["result"]["usage"]["input_tokens"] > 0, f"usage: {first['result']}")

        r = sb.run(["ptt-task", "follow-up", "--wait", str(first["id"]), "say hello again"], timeout=180)
        expect(r.returncode == 0, f"follow-up exited {r.returncode}: {r.stdout} {r.stderr}")
        second = status_of(sb, r.stdout.strip())
        own, total = second["result"]["cost_usd"], second["result"]["session_cost_usd"]
        expect(abs(total - 2 * first["result"]["cost_usd"]) < 1e-9, f"the CLI's session total: {second['result']}")
        expect(abs(own - first["result"]["cost_usd"]) < 1e-9, f"the follow-up's own cost: {second['result']}")
        expect(second["result"]["model_usage"][MODEL]["inputTokens"] == model_usage[MODEL]["inputTokens"],
               f"the follow-up's own tokens: {second['result']['model_usage']}")
        r = sb.run(["ptt-task", "status", str(second["id"])])
        expect(f"(session total ${total:.4f})" in r.stdout, f"status lacks the chain total:\n{r.stdout}")
        print(f"ok: follow-up {second['id']} cost ${own} of the session's ${total}")

        mock.text_only = False  # a Bash call: the one turn --max-turns 1 allows
        r = sb.run(["ptt-task", "spawn", "--wait", "--max-turns", "1", *agent, "--allowed-tools", "Bash",
                    "print the marker"], timeout=180)
        expect(r.returncode == 1, f"a max-turns run exited {r.returncode}")
        task_id = r.stdout.strip()
        status = status_of(sb, task_id)
        expect(status["reason"] == "error_max_turns", f"reason {status['reason']!r}")
        errors = status["result"]["errors"]
        expect(errors and "maximum number of turns" in errors[0], f"errors: {status['result']}")
        r = sb.run(["ptt-task", "result", task_id])
        expect(errors[0] in r.stderr, f"result does not show Claude's error: {r.stderr!r}")
        r = sb.run(["ptt-task", "logs", task_id])
        expect(errors[0] in r.stdout.splitlines()[-1], f"logs' last line: {r.stdout.splitlines()[-1]!r}")
        r = sb.run(["ptt-task", "status", task_id])
        expect(f"error:     {errors[0]}" in r.stdout, f"status lacks the error:\n{r.stdout}")
        print(f"ok: task {task_id} shows {errors[0]!r} as its failure")
finally:
    mock.stop()
