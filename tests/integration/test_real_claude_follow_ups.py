"""Two follow-ups of one Claude session at once, with the real Claude Code CLI against the
Messages API mock (tests/support/mock_messages_api.py):

- the second waits for the first (`waits for task N (same session)`) and then resumes the
  session with the first's turn in it: the mock sees its request carry the first
  follow-up's prompt and answer, a linear history, never the two interleaved;
- each follow-up's cost is its own, and so is a retried follow-up's, whose session holds
  the turns of the runs before it.
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import json

from mock_messages_api import FINAL_TEXT, MARKER, MockMessagesApi
from ptt_harness import Sandbox, expect, wait_until
from real_claude_fixture import pinned_cli, mock_work_dir, start_taskd

MODEL = "claude-ptt-test-model"
FIRST, SECOND = "first follow-up ptt-alpha", "second follow-up ptt-beta"

cli = pinned_cli()


def texts(message):
    content = message.get("content")
    if isinstance(content, str):
        return [content]
    return [b.get("text", "") for b in content or [] if isinstance(b, dict) and b.get("type") == "text"]


def said(message, words):
    return any(words in text for text in texts(message))


mock = MockMessagesApi(expect_model=MODEL).start()
try:
    with Sandbox("real-claude-follow-ups") as sb:
        work = mock_work_dir(sb, mock)
        daemon = start_taskd(sb, cli)
        agent = ["--cwd", work, "--model", MODEL, "--permission-mode", "acceptEdits", "--allowed-tools", "Bash"]

        def status(task_id):
            return json.loads(sb.run(["ptt-task", "status", str(task_id), "--json"]).stdout)

        r = sb.run(["ptt-task", "--no-autostart", "spawn", "--wait", *agent, "print the marker"], timeout=180)
        expect(r.returncode == 0, f"the parent exited {r.returncode}: {r.stdout} {r.stderr}")
        parent = status(r.stdout.strip())
        session, unit = parent["session_id"], parent["result"]["cost_usd"]
        expect(session and unit > 0, f"the parent: {parent}")

        # The first follow-up's Bash call holds until the gate exists, so the second is
        # seen waiting; both are asked for at once.
        gate = sb.path("gate")
        mock.command = f"until [ -e {gate} ]; do sleep 0.05; done; echo {MARKER}"
        first = sb.run(["ptt-task", "follow-up", str(parent["id"]), FIRST]).stdout.strip()
        second = sb.run(["ptt-task", "follow-up", str(parent["id"]), SECOND]).stdout.strip()
        wait_until(lambda: (status(first).get("activity") or "").startswith("Bash: until"), timeout=60,
                   what="the first follow-up's Bash call")
        waiting = status(second)
        expect(waiting["state"] == "queued" and waiting["activity"] == f"waits for task {first} (same session)",
               f"the second follow-up while the first runs: {waiting}")
        open(gate, "w").close()
        r = sb.run(["ptt-task", "wait", first, second], timeout=180)
        expect(r.returncode == 0, f"wait exited {r.returncode}: {r.stdout} {r.stderr}")
        one, two = status(first), status(second)
        expect(two["started_at"] >= one["finished_at"], f"the second started before the first ended: {one} {two}")
        expect(one["session_id"] == session and two["session_id"] == session,
               f"sessions: {session} {one['session_id']} {two['session_id']}")

        # What the mock was asked: the first follow-up's turns know nothing of the second;
        # the second's carry the first's prompt and answer before its own prompt.
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
        agent_turns = [b for b in mock.requests if "Bash" in [t.get("name") for t in b.get("tools") or []]]

        def asked(body, words):
            return [i for i, m in enumerate(body["messages"]) if m.get("role") == "user" and said(m, words)]

        firsts = [b for b in agent_turns if asked(b, FIRST) and not asked(b, SECOND)]
        seconds = [b for b in agent_turns if asked(b, SECOND)]
        expect(firsts and seconds, f"agent turns: {len(firsts)} of the first follow-up, {len(seconds)} of the second")
        for body in seconds:
            at_first, at_second = asked(body, FIRST), asked(body, SECOND)
            answered = [m for m in body["messages"][at_first[0]:at_second[0]] if at_first
                        and m.get("role") == "assistant" and said(m, FINAL_TEXT)]
            expect(at_first and at_first[0] < at_second[0] and answered,
                   f"the second follow-up's request lacks the first's turn: "
                   f"{[(m.get('role'), texts(m)) for m in body['messages']]}")
        print(f"ok: follow-up {second} waited for {first} and resumed session {session} with its turn")

        # Costs: each run of the session costs the same here (the mock's fixed usage).
        expect(abs(one["result"]["cost_usd"] - unit) < 1e-9, f"the first follow-up's own cost: {one['result']}")
        expect(abs(two["result"]["cost_usd"] - unit) < 1e-9, f"the second follow-up's own cost: {two['result']}")
        expect(abs(two["result"]["session_cost_usd"] - 3 * unit) < 1e-9, f"the session's total: {two['result']}")
        r = sb.run(["ptt-task", "retry", "--wait", first], timeout=180)
        expect(r.returncode == 0, f"retry exited {r.returncode}: {r.stdout} {r.stderr}")
        again = status(r.stdout.strip())
        expect(again["retry_of"] == int(first) and again["session_id"] == session, f"the retry: {again}")
        expect(abs(again["result"]["session_cost_usd"] - 4 * unit) < 1e-9, f"the retry's session: {again['result']}")
        expect(abs(again["result"]["cost_usd"] - unit) < 1e-9, f"the retried follow-up's own cost: {again['result']}")
        expect(again["result"]["model_usage"][MODEL]["inputTokens"] ==
               parent["result"]["model_usage"][MODEL]["inputTokens"],
               f"the retried follow-up's own tokens: {again['result']['model_usage']}")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
        print(f"ok: follow-ups and the retried follow-up {again['id']} cost ${unit} each, "
              f"session total ${again['result']['session_cost_usd']}")
finally:
    mock.stop()
