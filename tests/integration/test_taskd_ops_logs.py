"""logs through the real daemon: a running task's result is not_finished and logs -f
streams its lines as they come, each with the offset after it, from which logs goes on;
logs of stderr without follow; wait for several tasks,
one queued behind a dependency; follow_up continues the session."""
import json

from ptt_harness import Sandbox, expect
from taskd_fixture import log_lines, spawn, wait_tasks
from taskd_ops_fixture import OpsDaemon

with Sandbox("taskd-ops-logs") as sb:
    ops = OpsDaemon(sb)
    d, c, work = ops.d, ops.c, ops.work

    # A running task: result is not_finished; logs -f streams lines as they come.
    gate = sb.path("gate")
    t3 = spawn(c, f"tool Bash make; wait-file {gate}; text second half; result success later", work)
    r = c.request("result", task=t3)
    expect(r["error"]["code"] == "not_finished", str(r))
    follower = d.client()
    r = follower.request("logs", task=t3, follow=True)
    expect(r["ok"] and r["path"].endswith(f"/logs/{t3}/stream.ndjson"), str(r))
    first = [follower.read() for _ in range(4)]  # init, the prompt's echo, fake_agent, the tool_use
    expect(json.loads(first[0]["line"])["subtype"] == "init", str(first[0]))
    expect(json.loads(first[1]["line"]).get("isReplay") is True, str(first[1]))
    expect(json.loads(first[3]["line"])["message"]["content"][0]["name"] == "Bash", str(first[3]))
    open(gate, "w").close()
    rest = []
    while not rest or rest[-1].get("event") != "log_end":
        rest.append(follower.read())
    lines = [json.loads(e["line"]) for e in rest[:-1]]
    expect(lines[-1]["type"] == "result" and lines[-1]["result"] == "later", str(lines))
    expect(any(l["type"] == "assistant" and l["message"]["content"][0].get("text") == "second half" for l in lines),
           "the lines after the gate did not arrive")

    # Each line's next_offset is where the next begins in the log file; logs from one of
    # them goes on with exactly the lines after it (what a reconnecting client asks).
    events = first + rest[:-1]
    with open(r["path"], "rb") as f:
        raw = f.read()
    ends = [i + 1 for i, b in enumerate(raw) if b == ord("\n")]
    expect([e["next_offset"] for e in events] == ends, f"next_offsets {[e['next_offset'] for e in events]}, "
           f"line ends {ends}")
    for k in (0, 3, len(events) - 1):
        again = c.request("logs", task=t3, from_offset=events[k]["next_offset"])
        expect(again["ok"], str(again))
        tail = []
        while not tail or tail[-1].get("event") != "log_end":
            tail.append(c.read())
        expect([e["line"] for e in tail[:-1]] == [e["line"] for e in events[k + 1:]], f"logs from line {k + 1}")
    past = c.request("logs", task=t3, from_offset=len(raw) + 100)
    expect(past["ok"] and c.read() == {"event": "log_end", "task": t3}, "logs past the end")
    expect(c.request("logs", task=t3, from_offset=-1)["error"]["code"] == "bad_request", "a negative offset")

    # logs of stderr, without follow.
    t4 = spawn(c, "stderr something went wrong; exit 2", work)
    wait_tasks(c, [t4])
    err_lines = [e["line"] for e in log_lines(c, t4, stream="stderr")]
    expect(err_lines == ["something went wrong"], str(err_lines))
    expect(c.request("logs", task=t4, stream="both")["error"]["code"] == "invalid_argument", "bad stream accepted")

    # wait for several, one of them queued behind a dependency.
    t5 = spawn(c, "sleep 0.1; result success a", work)
    t6 = spawn(c, "result success b", work, after=[t5])
    both = wait_tasks(c, [t5, t6])
    expect(both[t5]["state"] == both[t6]["state"] == "succeeded", str(both))
    expect(both[t6]["started_at"] >= both[t5]["finished_at"], "t6 started before its dependency finished")

    # follow_up continues the session with --resume, as a linked task in the same cwd.
    done = wait_tasks(c, [t3])[t3]
    t7 = c.request("follow_up", task=t3, prompt="result success followed", name="more")["task"]["id"]
    rec = wait_tasks(c, [t7])[t7]
    expect(rec["parent"] == t3 and rec["resume_session"] == done["session_id"] and rec["state"] == "succeeded", str(rec))
    argv = ops.agent_runs()[-1]["argv"]
    expect(argv[argv.index("--resume") + 1] == done["session_id"], f"follow-up argv {argv}")
    r = c.request("follow_up", task=t3 + 100, prompt="x")
    expect(r["error"]["code"] == "not_found", str(r))
print("ok: result of a running task, logs -f and stderr logs, wait on a dependency, follow_up")
