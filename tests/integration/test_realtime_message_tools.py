"""The voice tools message_task and interrupt_task, against the mock Realtime server and a
real ptt-taskd (fake agent): each call reaches the daemon as its op and the answer goes back
on the wire. interrupt_task on the running task is accepted; message_task then gives it its
next turn (the fake agent runs the message as its script), so the task ends with that
turn's result; message_task to the finished task is refused naming follow_up."""
import json

from ptt_harness import Sandbox, expect, wait_until
from realtime_fixture import MockServer, Realtime
from taskd_fixture import Taskd, get, spawn, wait_tasks

with Sandbox("rt-message-tools") as sb:
    taskd = Taskd(sb)
    c = taskd.client()
    gate = sb.path("gate")
    t = spawn(c, f"tool Bash waiting; wait-file {gate}; result success first", sb.root)
    # The tool line follows the prompt's echo, which the daemon waits for before it takes a
    # message ("thinking" comes with the init line, before the echo: a send then was refused).
    wait_until(lambda: get(c, t)["activity"] == "Bash: waiting", what="the agent to take its prompt")

    calls = [["interrupt_task", {"task": str(t)}],
             ["message_task", {"task": t, "text": "result success second"}],
             ["message_task", {"task": t, "text": "one more thing"}]]
    mock = MockServer(sb, "--tool-calls", json.dumps(calls))
    rt = Realtime(sb, mock.url, f"--project=demo={sb.root}", "--socket", sb.socket)
    rt.wait_type("session", state="ready")
    rt.wait_type("daemon", state="connected")

    def call(turn):
        rt.send({"type": "text", "text": f"turn {turn}"})
        line = rt.wait_line(lambda l: l.get("type") == "tool_result" and l["call_id"] == f"call_{turn}",
                            what=f"the result of call {turn}")
        rt.wait_line(lambda l: l.get("type") == "response" and rt.count("response", state="done") >= 2 * turn,
                     what=f"the reply to call {turn}")
        return line["output"]

    out = call(1)
    expect(out.get("ok") is True and out.get("task") == t and out.get("state") == "running",
           f"interrupt_task: {out}")
    out = call(2)
    expect(out.get("ok") is True and out.get("task") == t and out.get("state") == "running", f"message_task: {out}")
    open(gate, "w").close()
    done = wait_tasks(c, [t])[t]
    expect(done["state"] == "succeeded" and done["result"]["text"] == "second",
           f"the message was not the task's next turn: {done['state']} {done.get('result')}")
    # The task's end is announced with a response of its own: once that is done, turn 3's
    # text cannot reach the mock while the announcement's response is still being made (it
    # would answer it with turn 3's call, and turn 3 with another).
    rt.wait_line(lambda l: l.get("type") == "announcement" and f"task {t}" in l.get("text", ""),
                 what="the announcement of the task's end")
    rt.wait_line(lambda l: l.get("type") == "response" and rt.count("response", state="done") >= 5,
                 what="the announcement's response")
    out = call(3)
    expect(out.get("ok") is False and "follow-up" in out.get("error", "") and "finished" in out.get("error", ""),
           f"message_task to a finished task: {out}")

    mock.wait_for(lambda e: e.get("received", {}).get("item", {}).get("call_id") == "call_3"
                  and e["received"]["item"].get("type") == "function_call_output", what="call 3's output on the wire")
    sent = {e["item"]["call_id"]: json.loads(e["item"]["output"]) for e in mock.received("conversation.item.create")
            if e["item"]["type"] == "function_call_output"}
    expect(sorted(sent) == ["call_1", "call_2", "call_3"], f"outputs sent: {sent}")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    mock.expect_clean()
print("ok: interrupt_task and message_task reached the task; a finished task's refusal went back on the wire")
