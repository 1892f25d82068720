"""ptt-task send: a message sent to a running task before its result is its session's next
turn (the fake agent runs it as a script: its result is the task's); a finished task takes
none (exit 1, naming follow-up)."""
from ptt_harness import Sandbox, expect, wait_until
from taskd_fixture import Taskd, get, spawn, wait_tasks

with Sandbox("task-send") as sb:
    d = Taskd(sb)
    c = d.client()
    gate = sb.path("gate")
    t = spawn(c, f"tool Bash waiting; wait-file {gate}; result success first", sb.root)
    # The tool line follows the prompt's echo, which the daemon waits for before it takes a
    # message ("thinking" comes with the init line, before the echo: a send then was refused).
    wait_until(lambda: get(c, t)["activity"] == "Bash: waiting", what="the agent to take its prompt")
    r = sb.run(["ptt-task", "send", str(t), "result", "success", "second"], check=0)
    expect(r.stdout == f"sent to task {t}\n", f"send printed {r.stdout!r}")
    open(gate, "w").close()
    rec = wait_tasks(c, [t])[t]
    expect(rec["state"] == "succeeded" and rec["result"]["text"] == "second",
           f"the message was not the next turn: {rec['state']} {rec['result']}")
    r = sb.run(["ptt-task", "send", str(t), "more"])
    expect(r.returncode == 1 and "follow-up" in r.stderr and "finished" in r.stderr, f"send to a finished task: {r.returncode} {r.stderr!r}")
    print("ok: a message sent before the result was the next turn; a finished task refuses one")
