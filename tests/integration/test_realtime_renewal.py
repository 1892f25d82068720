"""The server ends the session at its time limit (the mock's --session-expires-after, the
API's session_expired error then a close): ptt-realtime opens a new session at once and
carries the conversation over, so a question asked before the renewal is known after it
(the mock checks the carried items before any response), and a task that finishes while
the new session is being opened is announced exactly once, in the new session."""
import json
import os

from ptt_harness import TIMEOUT_FACTOR, Sandbox, expect
from realtime_fixture import MockServer, Realtime
from taskd_fixture import Taskd

with Sandbox("rt-renewal") as sb:
    project = os.path.realpath(sb.path("proj"))
    os.makedirs(project)
    gate, release = sb.path("agent-gate"), sb.path("release-reconnect")
    taskd = Taskd(sb, "--allow-root", project)
    mock = MockServer(sb, "--session-expires-after", str(3 * TIMEOUT_FACTOR), "--hold-reconnect-until", release,
                      "--expect-carried", "zebra", "--spawn-project", "demo",
                      "--spawn-prompt", f"wait-file {gate}; result success the word was zebra",
                      "--tool-calls", json.dumps([["spawn_task", {"prompt": f"wait-file {gate}; result success "
                                                                            "the word was zebra", "project": "demo"}],
                                                  ["list_tasks", {}]]))
    rt = Realtime(sb, mock.url, "--project", f"demo={project}", "--socket", sb.socket)
    rt.wait_type("session", state="ready")
    rt.wait_type("daemon", state="connected")

    # Before the renewal: a question, a task started for it, the answer said.
    rt.send({"type": "text", "text": "remember the word zebra and start the task"})
    task_id = rt.wait_type("tool_result", name="spawn_task")["output"]["task"]
    rt.wait_line(lambda l: l.get("type") == "response" and rt.count("response", state="done") >= 2,
                 what="the spoken reply to the spawn")

    # The server's limit: the session is renewed, its new handshake held by the mock.
    renewing = rt.wait_type("session", state="renewing", timeout=30)
    expect("time limit" in renewing["reason"], f"renewing line: {renewing}")
    mock.wait_for(lambda e: e.get("holding") == 2, what="the second connection held at its handshake")
    # The task finishes while there is no session: it must wait, then be said once.
    open(gate, "w").close()
    finished = rt.wait_line(lambda l: l.get("type") == "task" and l.get("event") == "finished",
                            what="the task's finished event during the renewal")
    expect(finished["task"]["id"] == task_id, f"finished: {finished}")
    expect(rt.count("announcement") == 0, "an announcement went out with no session to hear it")
    open(release, "w").close()
    rt.wait_type("session", state="renewed")
    announcement = rt.wait_type("announcement")
    expect(f"task {task_id}" in announcement["text"], f"announcement: {announcement}")
    rt.wait_line(lambda l: l.get("type") == "response" and rt.count("response", state="done") >= 3,
                 what="the announcement's response")

    # After the renewal the conversation goes on: a follow-up is answered (list_tasks).
    rt.send({"type": "text", "text": "and what about that task?"})
    rt.wait_type("tool_result", name="list_tasks")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")

    # What the new session was told, in order, before it was asked for anything.
    second = [e["received"] for e in mock.entries() if e.get("connection") == 2 and "received" in e]
    kinds = [e["type"] for e in second]
    expect(kinds[0] == "session.update", f"connection 2 began with {kinds[:3]}")
    first_create = kinds.index("response.create")
    told = [(e["item"]["role"], e["item"]["content"][0]["text"]) for e in second[:first_create]
            if e["type"] == "conversation.item.create" and e["item"]["type"] == "message"]
    expect(told[0][0] == "system" and "[session renewed]" in told[0][1], f"carried: {told}")
    expect(("user", "remember the word zebra and start the task") in told, f"the question was not carried: {told}")
    expect(any(role == "assistant" for role, _ in told), f"the assistant's reply was not carried: {told}")
    expect(any("[task states]" in text and f'"id":{task_id}' in text for _, text in told), f"task states: {told}")
    # The announcement exactly once over both sessions, no call output for the old call.
    announced = [e for e in mock.received("conversation.item.create")
                 if e["item"].get("role") == "system" and "[task update]" in e["item"]["content"][0]["text"]]
    expect(len(announced) == 1, f"announcement items: {announced}")
    expect(rt.count("announcement") == 1, "the announcement was printed more than once")
    states = [l["state"] for l in rt.lines if l.get("type") == "session"]
    expect("disconnected" not in states[:states.index("renewed")], f"a renewal reported as a lost connection: {states}")
    mock.expect_clean()
print("ok: session_expired renewed at once; the question and task states carried; the task that finished "
      "during the renewal announced once")
