"""Answering a task's permission question by voice, through the real binaries: the mock
Realtime server (--answer-permission allow: a model that answers the question on its own
and again after the user's turn), ptt-realtime, ptt-taskd and the pinned Claude Code CLI
against the Messages API mock's approval scenario (a `curl` acceptEdits does not allow).

- the question is announced: the mock sees a system message naming the task and the command;
- the model's answer_permission in the response to the announcement alone is refused (the
  consent rule): the mock sees the refusal as the call's output, and the question stays
  pending;
- after the user's (typed) turn the model's answer_permission is accepted: the daemon says
  it was answered by voice, the command runs and the task succeeds.
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import json

from mock_outcome_scenarios import ApprovalScenario
from ptt_harness import Sandbox, expect, wait_until
from real_claude_fixture import mock_work_dir, pending, pinned_cli, start_taskd, status_of
from realtime_fixture import MockServer, Realtime

MODEL = "claude-ptt-test-model"

cli = pinned_cli()


messages_api = ApprovalScenario(["curl"]).start()
try:
    with Sandbox("real-claude-voice-approvals") as sb:
        work = mock_work_dir(sb, messages_api)
        page = sb.path("page.txt")
        with open(page, "w") as f:
            f.write("PTT-VOICE-PAGE\n")
        command = f"curl -s file://{page}"
        messages_api.commands = [command]
        daemon = start_taskd(sb, cli)
        mock = MockServer(sb, "--answer-permission", "allow")
        rt = Realtime(sb, mock.url, f"--project=demo={work}", "--socket", sb.socket)
        rt.wait_type("session", state="ready")
        rt.wait_type("daemon", state="connected")

        task_id = sb.run(["ptt-task", "spawn", "--cwd", work, "--model", MODEL, "--permission-mode", "acceptEdits",
                          "fetch the page"], check=0).stdout.strip()

        # The question is announced: a system message naming the task and the command.
        said = mock.wait_for(lambda e: "[task question]" in json.dumps(e.get("received", {})), timeout=120,
                             what="the question's announcement")
        text = said[0]["received"]["item"]["content"][0]["text"]
        expect(f"Task {task_id} wants to run {command}." in text, f"the announcement: {text!r}")
        q = pending(sb)
        expect(len(q) == 1 and str(q[0]["task"]) == task_id, f"pending: {q}")

        # The model answers on its own, in the response to the announcement: refused.
        first = mock.wait_for(lambda e: e.get("received", {}).get("item", {}).get("type") == "function_call_output",
                              what="the output of the model's own answer_permission")[0]["received"]["item"]
        refusal = json.loads(first["output"])
        expect(refusal.get("ok") is False and f"can't answer task {task_id}'s question on my own" in
               refusal.get("error", ""), f"the model's own answer: {refusal}")
        rt.wait_line(lambda l: l.get("type") == "tool_result" and l.get("name") == "answer_permission",
                     what="the refused call on stdout")
        expect(len(pending(sb)) == 1, f"the refused answer changed the question: {pending(sb)}")
        expect(status_of(sb, task_id).get("waiting") == "permission", "the task no longer waits after the refusal")
        expect(messages_api.outcomes == [], f"the command ran without the user: {messages_api.outcomes}")
        print(f"ok: task {task_id}'s question was announced; answer_permission on the model's own was refused")

        # The user answers; the model's answer_permission in that response is accepted.
        rt.send({"type": "text", "text": "yes, allow it"})
        accepted = rt.wait_line(lambda l: l.get("type") == "tool_result" and l.get("name") == "answer_permission"
                                and l.get("call_id") != first["call_id"], timeout=60,
                                what="the answer_permission after the user's turn")["output"]
        expect(accepted.get("ok") is True, f"the user's answer: {accepted}")
        r = sb.run(["ptt-task", "wait", task_id], timeout=180)
        expect(r.returncode == 0, f"the task allowed by voice: {status_of(sb, task_id)}")
        expect(messages_api.outcomes == [(True, "PTT-VOICE-PAGE")], f"the command's result: {messages_api.outcomes}")
        expect(pending(sb) == [], f"still pending: {pending(sb)}")
        answered = [json.loads(line) for line in open(sb.path("realtime.out")) if line.endswith("\n")]
        answered = [l for l in answered if l.get("event") == "permission_answered"]
        expect(answered and answered[-1].get("by") == "voice" and answered[-1].get("allow") is True,
               f"permission_answered on ptt-realtime's stdout: {answered}")
        outputs = mock.received("conversation.item.create")
        expect(sum(1 for e in outputs if e["item"].get("type") == "function_call_output") >= 2,
               "the mock did not see both answers' outputs")
        print(f"ok: the user's answer by voice allowed task {task_id}; the command ran and the task succeeded")

        rt.close_stdin()
        expect(rt.wait_exit(timeout=60) == 0, f"ptt-realtime's exit; stderr: {rt.stderr()}")
        mock.expect_clean()
        expect(not messages_api.errors, f"claude sent what the mock did not expect: {messages_api.errors}")
        daemon.terminate()
        daemon.wait()
finally:
    messages_api.stop()
