"""A permission question of a task on another host, announced and answered by voice (issue 22).

The task runs on devbox's daemon (the pinned Claude Code CLI against the Messages API mock's
approval scenario), reached only through a real sshd and `ptt-task dial-stdio`; the voice
project is on devbox alone, so answer_permission without a host goes there. The question is
announced naming the host ("Task 1 on devbox wants to run curl ..."), the model's answer on
its own is refused, and the answer after the user's turn reaches devbox's daemon: the
command runs there and the task succeeds.
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import json
import os

from mock_outcome_scenarios import ApprovalScenario
from ptt_harness import Sandbox, expect
from real_claude_fixture import mock_work_dir, pinned_cli
from realtime_fixture import MockServer, Realtime
from ssh_fixture import SshServer, remote_command, remote_env, write_hosts_config

MODEL = "claude-ptt-test-model"

cli = pinned_cli()

messages_api = ApprovalScenario(["curl"]).start()
try:
    with Sandbox("real-claude-voice-remote-question") as sb, SshServer(sb) as sshd:
        work = mock_work_dir(sb, messages_api)
        page = sb.path("page.txt")
        with open(page, "w") as f:
            f.write("PTT-VOICE-PAGE\n")
        command = f"curl -s file://{page}"
        messages_api.commands = [command]
        remote = remote_env(sb)
        # devbox's daemon, with the test's environment (its Claude settings point at the mock).
        daemon = sb.start(["ptt-taskd", "--claude", cli, "--socket", remote["PTT_SOCKET"],
                           "--state-dir", remote["PTT_STATE_DIR"]])
        sb.wait_for_socket(remote["PTT_SOCKET"], proc=daemon)
        on_devbox = ["ptt-task", "--socket", remote["PTT_SOCKET"], "--no-autostart"]

        def pending():
            return json.loads(sb.run([*on_devbox, "pending", "--json"], check=0).stdout)["questions"]

        config = write_hosts_config(sb.path("config.toml"), {"devbox": (sshd.url, remote_command(remote))})
        env = dict(sb.env, PTT_CONFIG=config, PTT_SSH=sshd.ptt_ssh)
        mock = MockServer(sb, "--answer-permission", "allow")
        rt = Realtime(sb, mock.url, f"--project=demo=devbox:{work}", env=env)
        rt.wait_type("session", state="ready")
        rt.wait_type("daemon", state="connected", host="devbox")

        task_id = sb.run([*on_devbox, "spawn", "--cwd", work, "--model", MODEL, "--permission-mode", "acceptEdits",
                          "fetch the page"], check=0).stdout.strip()

        said = mock.wait_for(lambda e: "[task question]" in json.dumps(e.get("received", {})), timeout=120,
                             what="the question's announcement")
        text = said[0]["received"]["item"]["content"][0]["text"]
        expect(f"Task {task_id} on devbox wants to run {command}." in text, f"the announcement: {text!r}")

        first = mock.wait_for(lambda e: e.get("received", {}).get("item", {}).get("type") == "function_call_output",
                              what="the output of the model's own answer_permission")[0]["received"]["item"]
        refusal = json.loads(first["output"])
        expect(refusal.get("ok") is False and "question on my own" in refusal.get("error", ""),
               f"the model's own answer: {refusal}")
        expect(len(pending()) == 1, f"the refused answer changed devbox's question: {pending()}")

        rt.send({"type": "text", "text": "yes, allow it"})
        accepted = rt.wait_line(lambda l: l.get("type") == "tool_result" and l.get("name") == "answer_permission"
                                and l.get("call_id") != first["call_id"], timeout=60,
                                what="the answer_permission after the user's turn")["output"]
        expect(accepted.get("ok") is True, f"the user's answer: {accepted}")
        r = sb.run([*on_devbox, "wait", task_id], timeout=180)
        expect(r.returncode == 0, f"the task allowed by voice on devbox: {r.stdout} {r.stderr}")
        expect(messages_api.outcomes == [(True, "PTT-VOICE-PAGE")], f"the command's result: {messages_api.outcomes}")
        answered = rt.wait_line(lambda l: l.get("event") == "permission_answered", what="permission_answered")
        expect(answered["task"].get("host") == "devbox" and answered.get("by") == "voice",
               f"permission_answered on ptt-realtime's stdout: {answered}")
        done = rt.wait_line(lambda l: l.get("type") == "announcement" and "[task update]" in l.get("text", ""),
                            timeout=60, what="the finish announcement")
        expect(f"task {task_id} on devbox succeeded" in done["text"], f"announcement: {done}")

        rt.close_stdin()
        expect(rt.wait_exit(timeout=60) == 0, f"ptt-realtime's exit; stderr: {rt.stderr()}")
        mock.expect_clean()
        expect(not messages_api.errors, f"claude sent what the mock did not expect: {messages_api.errors}")
        daemon.terminate()
        daemon.wait()
        expect(not os.path.exists(sb.socket), "this machine's daemon was started")
finally:
    messages_api.stop()
print("ok: devbox's task's question was announced with its host and answered there by voice")
