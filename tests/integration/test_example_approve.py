"""examples/notify/ptt-approve.sh: a task's permission question (the pinned Claude Code CLI
against the Messages API mock's approval scenario: a `curl` acceptEdits does not allow)
becomes one notify-send call with Allow and Deny actions, whether it was open before the
script started (found with `pending`) or asked while it runs (`watch --json`); a stand-in notify-send on PATH
records its arguments and "clicks" the action the test picks by printing it, and the script
answers exactly that question: Allow runs the command, Deny tells the model why.
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import json
import os
import subprocess

from example_fixture import FakeBin, example
from mock_outcome_scenarios import ApprovalScenario
from ptt_harness import Sandbox, expect, wait_until
from real_claude_fixture import mock_work_dir, pending, pinned_cli, start_taskd, status_of

MODEL = "claude-ptt-test-model"

cli = pinned_cli()


messages_api = ApprovalScenario(["curl"]).start()
try:
    with Sandbox("ex-approve") as sb:
        work = mock_work_dir(sb, messages_api)
        daemon = start_taskd(sb, cli)
        fakes = FakeBin(sb)
        # The stand-in records its arguments as FakeBin's fakes do and "clicks" the action
        # named in the file `click`: libnotify prints the chosen action's name on stdout.
        click = sb.path("click")
        with open(os.path.join(fakes.dir, "notify-send"), "w") as f:
            f.write(f"""#!/usr/bin/python3
import json, sys
with open({fakes.record!r}, "a") as out:
    out.write(json.dumps({{"prog": "notify-send", "argv": sys.argv[1:], "stdin": None}}) + "\\n")
print(open({click!r}).read().strip())
""")
        os.chmod(os.path.join(fakes.dir, "notify-send"), 0o755)
        env = fakes.env(sb, PTT_NO_AUTOSTART="1")
        approver = None

        def ask(n, action, start_approver=False):
            """A task whose question is clicked `action`; with start_approver the script starts
            only once the question is open (it must find it with `pending`)."""
            global approver
            page = sb.path(f"page{n}.txt")
            with open(page, "w") as f:
                f.write(f"PTT-APPROVE-{n}\n")
            command = f"curl -s file://{page}"
            messages_api.commands = [command]
            with open(click, "w") as f:
                f.write(action)
            before = len(fakes.calls("notify-send"))
            task_id = sb.run(["ptt-task", "spawn", "--cwd", work, "--model", MODEL, "--permission-mode",
                              "acceptEdits", f"fetch page {n}"], check=0).stdout.strip()
            if start_approver:
                wait_until(lambda: [q for q in pending(sb) if str(q["task"]) == task_id], timeout=120,
                           what=f"task {task_id}'s question")
                approver = sb.start([example("notify", "ptt-approve.sh")], env=env, stdout=subprocess.DEVNULL,
                                    stderr=open(sb.path("approve.err"), "w"), start_new_session=True)
            calls = wait_until(lambda: fakes.calls("notify-send")[before:] or None, timeout=120,
                               what=f"the notification of task {task_id}'s question")
            expect(approver.poll() is None, f"ptt-approve.sh exited: {open(sb.path('approve.err')).read()}")
            expect(calls[0]["argv"] == ["--app-name=ptt", "--urgency=critical", "--action=allow=Allow",
                                        "--action=deny=Deny", f"ptt: task {task_id} asks to use Bash", command],
                   f"notify-send's arguments: {calls}")
            r = sb.run(["ptt-task", "wait", task_id], timeout=180)
            expect(len(fakes.calls("notify-send")) == before + 1, f"notifications: {fakes.calls('notify-send')}")
            return task_id, r.returncode

        # A question asked before the script started: found with `pending`.
        task_id, rc = ask(0, "allow", start_approver=True)
        expect(rc == 0, f"the task allowed from the notification: {status_of(sb, task_id)}")
        expect(messages_api.outcomes[-1] == (True, "PTT-APPROVE-0"), f"the command's result: {messages_api.outcomes}")
        print(f"ok: Allow in the notification of task {task_id}'s question (open before the script) ran the command")

        # One asked while it runs: from `watch --json`.
        task_id, rc = ask(1, "deny")
        ran, text = messages_api.outcomes[-1]
        expect(not ran and "denied from the desktop notification" in text,
               f"the denied call's result: {messages_api.outcomes[-1]}")
        print(f"ok: Deny in the notification of task {task_id}'s question told the model {text!r}")

        expect(not messages_api.errors, f"claude sent what the mock did not expect: {messages_api.errors}")
        os.killpg(approver.pid, 15)
        approver.wait(timeout=10)
        daemon.terminate()
        daemon.wait()
finally:
    messages_api.stop()
