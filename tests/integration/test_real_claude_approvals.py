"""Approvals with the real Claude Code CLI against the Messages API mock
(tests/support/mock_outcome_scenarios.py ApprovalScenario): the agent asks before a `curl`
acceptEdits does not allow; its tool result shows whether the command ran.

- allow: the task waits (pending, list --json `waiting`, watch --json permission_requested),
  `ptt-task allow` runs the command and the task succeeds (permission_answered by shell);
- deny: the model is told the reason;
- allow --always: a second curl of the same task is not asked, nor one of its follow-up;
- --approval-timeout: nobody answers, the call is denied (by timeout);
- kill -9 of the daemon while a question is pending: the restarted daemon still lists it,
  allow runs the command and the outcome is recorded.
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import json
import os
import subprocess

from mock_outcome_scenarios import ApprovalScenario
from ptt_harness import Sandbox, expect, readline, wait_until
from real_claude_fixture import pending, pinned_cli, status_of

MODEL = "claude-ptt-test-model"

cli = pinned_cli()


def question_of(sb, task_id):
    def asked():
        qs = [q for q in pending(sb) if str(q["task"]) == task_id]
        return qs[0] if qs else None
    return wait_until(asked, timeout=120, what=f"task {task_id}'s question")


def events_until(watch, pred, what):
    seen = []
    while True:
        event = json.loads(readline(watch.stdout, timeout=120, what=what))
        seen.append(event)
        if pred(event):
            return seen


mock = ApprovalScenario(["curl"]).start()
try:
    with Sandbox("real-claude-approvals") as sb:
        sb.env.update(mock.agent_env(sb.home))
        work = sb.path("work")
        os.makedirs(work, exist_ok=True)
        pages = []
        for n in range(3):
            page = sb.path(f"page{n}.txt")
            with open(page, "w") as f:
                f.write(f"PTT-PAGE-{n}\n")
            pages.append(f"curl -s file://{page}")
        agent = ["--cwd", work, "--model", MODEL, "--permission-mode", "acceptEdits"]

        def start_daemon(*extra):
            d = sb.start(["ptt-taskd", "--claude", cli, *extra])
            sb.wait_for_socket(proc=d)
            return d

        daemon = start_daemon()
        watch = sb.start(["ptt-task", "--no-autostart", "watch", "--json"], stdout=subprocess.PIPE, text=True)

        # 1. allow: the command runs and the task succeeds.
        mock.commands = [pages[0]]
        task_id = sb.run(["ptt-task", "spawn", *agent, "fetch page 0"], check=0).stdout.strip()
        q = question_of(sb, task_id)
        expect(q["tool"] == "Bash" and q["summary"] == pages[0] and q["input"]["command"] == pages[0], f"question {q}")
        seen = events_until(watch, lambda e: e.get("event") == "permission_requested", "permission_requested")
        expect(seen[-1]["request"] == q["request"] and seen[-1]["summary"] == pages[0], f"event {seen[-1]}")
        status = status_of(sb, task_id)
        expect(status["state"] == "running" and status.get("waiting") == "permission", f"status {status}")
        listed = [json.loads(line) for line in sb.run(["ptt-task", "list", "--json"], check=0).stdout.splitlines()]
        row = [t for t in listed if str(t["id"]) == task_id]
        expect(row and row[0].get("waiting") == "permission", f"list --json: {row}")
        r = sb.run(["ptt-task", "pending"], check=0)
        expect(task_id in r.stdout and pages[0] in r.stdout, f"pending:\n{r.stdout}")
        # stdout is the table alone (a script reads it); what to do next goes to stderr.
        rows = r.stdout.splitlines()
        expect(rows[0].split()[:3] == ["TASK", "TOOL", "WAITED"] and len(rows) == 2 and rows[1].startswith(task_id),
               f"pending's stdout is not the table alone:\n{r.stdout}")
        expect(r.stderr.startswith("answer with `ptt-task allow ID"), f"pending's hint: {r.stderr!r}")
        r = sb.run(["ptt-task", "allow", task_id], check=0)
        expect(q["request"] in r.stdout, f"allow said {r.stdout!r}")
        r = sb.run(["ptt-task", "wait", task_id], timeout=180)
        expect(r.returncode == 0, f"the allowed task: {status_of(sb, task_id)}")
        expect(mock.outcomes[-1] == (True, "PTT-PAGE-0"), f"the command's result: {mock.outcomes}")
        seen = events_until(watch, lambda e: e.get("event") == "permission_answered", "permission_answered")
        expect(seen[-1] == {"event": "permission_answered", "task": int(task_id), "request": q["request"],
                            "allow": True, "by": "shell"}, f"answered event {seen[-1]}")
        expect("waiting" not in status_of(sb, task_id), "a finished task still waits")
        r = sb.run(["ptt-task", "allow", task_id])
        expect(r.returncode == 1 and "no open question" in r.stderr, f"allow again: {r.returncode} {r.stderr}")
        print(f"ok: task {task_id} asked, was allowed, ran the command and succeeded")

        # 2. deny: the model sees the reason.
        mock.commands = [pages[1]]
        task_id = sb.run(["ptt-task", "spawn", *agent, "fetch page 1"], check=0).stdout.strip()
        q = question_of(sb, task_id)
        sb.run(["ptt-task", "deny", task_id, "not", "today"], check=0)
        sb.run(["ptt-task", "wait", task_id], timeout=180)
        ran, text = mock.outcomes[-1]
        expect(not ran and "not today" in text, f"the denied call's result: {mock.outcomes[-1]}")
        print(f"ok: task {task_id}'s call was denied; the model was told {text!r}")

        # 3. allow --always: the second curl of the task is not asked.
        mock.commands = [pages[0], pages[2]]
        task_id = sb.run(["ptt-task", "spawn", *agent, "fetch two pages"], check=0).stdout.strip()
        q = question_of(sb, task_id)
        sb.run(["ptt-task", "allow", "--always", task_id], check=0)
        r = sb.run(["ptt-task", "wait", task_id], timeout=180)
        expect(r.returncode == 0, f"the --always task: {status_of(sb, task_id)}")
        expect(mock.outcomes[-2:] == [(True, "PTT-PAGE-0"), (True, "PTT-PAGE-2")], f"results: {mock.outcomes}")
        asked = [line for line in open(os.path.join(sb.state_dir, "logs", task_id, "stream.ndjson"))
                 if '"can_use_tool"' in line]
        expect(len(asked) == 1, f"the agent asked {len(asked)} times after --always")
        print(f"ok: task {task_id} asked once; --always let its second curl run")

        # 3b. a follow-up inherits the --always rule: its curl is not asked either.
        mock.commands = [pages[0], pages[2], pages[1]]
        follow = sb.run(["ptt-task", "follow-up", task_id, "fetch page 1 too"], check=0).stdout.strip()
        r = sb.run(["ptt-task", "wait", follow], timeout=180)
        expect(r.returncode == 0, f"the follow-up of the --always task: {status_of(sb, follow)}")
        expect(mock.outcomes[-1] == (True, "PTT-PAGE-1"), f"the follow-up's curl: {mock.outcomes}")
        asked = [line for line in open(os.path.join(sb.state_dir, "logs", follow, "stream.ndjson"))
                 if '"can_use_tool"' in line]
        expect(not asked and pending(sb) == [], f"the follow-up asked: {asked}")
        print(f"ok: follow-up {follow} of task {task_id} inherited --always; its curl was not asked")

        # 4. kill -9 of the daemon while a question is pending.
        mock.commands = [pages[1]]
        task_id = sb.run(["ptt-task", "spawn", *agent, "fetch page 1 again"], check=0).stdout.strip()
        q = question_of(sb, task_id)
        daemon.kill()
        daemon.wait()
        watch.terminate()  # it would reconnect to the next daemon (test_task_reconnect tests that)
        watch.wait(timeout=30)
        daemon = start_daemon()
        again = question_of(sb, task_id)
        expect(again == q, f"after the restart: {again}, before: {q}")
        expect(status_of(sb, task_id).get("waiting") == "permission", "the restarted daemon lost `waiting`")
        sb.run(["ptt-task", "allow", task_id, "--request", q["request"]], check=0)
        r = sb.run(["ptt-task", "wait", task_id], timeout=180)
        expect(r.returncode == 0, f"the task allowed after kill -9: {status_of(sb, task_id)}")
        expect(mock.outcomes[-1] == (True, "PTT-PAGE-1"), f"the command's result: {mock.outcomes}")
        expect(status_of(sb, task_id)["result"]["text"] == "Done after 1 call(s).", "outcome not recorded")
        print(f"ok: task {task_id}'s question survived kill -9 of the daemon and was answered after it")
        daemon.terminate()
        daemon.wait()

        # 5. --approval-timeout: nobody answers, the call is denied.
        daemon = start_daemon("--approval-timeout", "1")
        watch = sb.start(["ptt-task", "--no-autostart", "watch", "--json"], stdout=subprocess.PIPE, text=True)
        wait_until(lambda: sb.run(["ptt-task", "--no-autostart", "ping"]).returncode == 0, timeout=30,
                   what="the daemon")
        mock.commands = [pages[2]]
        task_id = sb.run(["ptt-task", "spawn", *agent, "fetch page 2"], check=0).stdout.strip()
        seen = events_until(watch, lambda e: e.get("event") == "permission_answered", "the timeout's answer")
        expect(seen[-1]["by"] == "timeout" and seen[-1]["allow"] is False, f"timeout event {seen[-1]}")
        sb.run(["ptt-task", "wait", task_id], timeout=180)
        ran, text = mock.outcomes[-1]
        expect(not ran and "Nobody answered" in text, f"the timed-out call's result: {mock.outcomes[-1]}")
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
        print(f"ok: task {task_id}'s unanswered question was denied by --approval-timeout")
finally:
    mock.stop()
