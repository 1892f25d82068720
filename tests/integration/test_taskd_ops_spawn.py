"""spawn through the real daemon and the fake agent: the record, the events a subscriber
sees, the agent's argv, cwd and environment, per-task options; get, list (and its table
view) and result, by id and by name."""
import os

from ptt_harness import Sandbox, expect
from taskd_fixture import get, spawn, wait_tasks
from taskd_ops_fixture import OpsDaemon

with Sandbox("taskd-ops-spawn") as sb:
    ops = OpsDaemon(sb)
    d, c, work = ops.d, ops.c, ops.work

    # subscribe on a second connection: events for every task.
    events = d.client()
    expect(events.request("subscribe")["ok"], "subscribe failed")

    # spawn: the default script succeeds with its result text and cost.
    t1 = spawn(c, "tool Edit {}/src/db.py; tool Bash npm test; result success fixed the db".format(work), work,
               name="fix-db")
    done = wait_tasks(c, [t1])[t1]
    expect(done["state"] == "succeeded" and done["reason"] is None, str(done))
    expect(done["result"]["text"] == "fixed the db" and done["result"]["cost_usd"] == 0.0123, str(done["result"]))
    expect(done["result"]["num_turns"] == 3 and done["result"]["duration_ms"] == 1234, str(done["result"]))
    expect(done["activity"] == "Bash: npm test", f"activity {done['activity']!r}")
    expect(done["session_id"].startswith("fake-session-") and done["model"] == "claude-fake-1", str(done))
    expect(done["name"] == "fix-db" and done["cwd"] == os.path.realpath(work) and done["exit_code"] == 0, str(done))

    # The events for it, in order, with the activities in between.
    seen = []
    while not (seen and seen[-1]["event"] == "finished"):
        seen.append(events.read())
    kinds = [e["event"] for e in seen]
    expect(kinds == ["created", "started", "activity", "activity", "activity", "finished"], f"events {kinds}")
    expect([e["task"]["activity"] for e in seen[2:5]] == ["thinking", "Edit src/db.py", "Bash: npm test"],
           str(seen))
    expect(seen[-1]["task"]["state"] == "succeeded", str(seen[-1]))

    # The agent's command line, cwd and environment.
    record = ops.agent_runs()[0]
    argv = record["argv"]
    # The prompt is no argument: it comes on stdin (stream-json), as the record's prompt shows.
    expect(argv[1:10] == ["-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
                          "--replay-user-messages", "--permission-mode", "acceptEdits"], f"argv {argv}")
    expect(record["prompt"].endswith("result success fixed the db"), f"the agent's prompt: {record['prompt']!r}")
    expect(argv[argv.index("--allowedTools") + 1] == "Bash,Edit", f"default tools not passed: {argv}")
    expect(argv[argv.index("--max-turns") + 1] == "30", f"default max turns not passed: {argv}")
    expect(record["cwd"] == os.path.realpath(work) and record["task_id"] == str(t1), str(record))
    user_umask = os.umask(0o22)
    os.umask(user_umask)
    expect(record["umask"] == user_umask, f"agent umask {record['umask']:o}, the user's is {user_umask:o}")
    # Its own process group, in a session apart from the daemon's.
    expect(record["pgid"] == record["pid"] and record["sid"] != os.getsid(d.proc.pid), str(record))

    # Per-task options override the defaults.
    t2 = spawn(c, "result success ok", work, options={
        "model": "opus", "max_turns": 2, "max_budget_usd": 0.25, "permission_mode": "plan",
        "allowed_tools": ["Read"], "add_dirs": [sb.root], "append_system_prompt": "be brief"})
    wait_tasks(c, [t2])
    argv = ops.agent_runs()[1]["argv"]
    pairs = {argv[i]: argv[i + 1] for i in range(2, len(argv) - 1) if argv[i].startswith("--")}
    expect(pairs["--model"] == "opus" and pairs["--max-turns"] == "2" and pairs["--max-budget-usd"] == "0.25"
           and pairs["--permission-mode"] == "plan" and pairs["--allowedTools"] == "Read"
           and pairs["--add-dir"] == sb.root and pairs["--append-system-prompt"] == "be brief", f"argv {argv}")

    # get / list / result, by id and by name.
    expect(get(c, "fix-db")["id"] == t1 and get(c, str(t1))["id"] == t1, "get by name or numeric string")
    r = c.request("list")
    expect([t["id"] for t in r["tasks"]] == [t1, t2], str(r))
    expect(c.request("list", state="running")["tasks"] == [], "nothing should be running")
    expect(c.request("list", state="nope")["error"]["code"] == "invalid_argument", "bad state accepted")
    # view "table": only what the CLI's table shows, the same values as the full record.
    table = c.request("list", view="table")["tasks"]
    full = {t["id"]: t for t in r["tasks"]}
    expect([t["id"] for t in table] == [t1, t2] and "prompt" not in table[0] and "cwd" not in table[0], str(table))
    for t in table:
        f = full[t["id"]]
        # A null or empty field is left out of the table view.
        expect(all(t.get(k, f[k] if f[k] in (None, []) else "missing") == f[k]
                   for k in ("name", "state", "reason", "activity", "after")), str(t))
        # Whole seconds (the table's finest unit); exit_code only where the table shows it.
        expect(t["created_at"] == int(f["created_at"]), f"created_at {t['created_at']} vs {f['created_at']}")
        expect(t.get("exit_code") == (None if f["state"] == "succeeded" else f["exit_code"]), str(t))
        expect(all(v not in (None, []) for v in t.values()), f"null or empty field sent: {t}")
        expect(t["result"] == {"text": f["result"]["text"], "cost_usd": f["result"]["cost_usd"]}, str(t))
    expect(c.request("list", view="wide")["error"]["code"] == "invalid_argument", "bad view accepted")
    r = c.request("result", task="fix-db")
    expect(r["ok"] and r["text"] == "fixed the db" and r["task"]["id"] == t1, str(r))
print("ok: spawn, its events and agent command line; get, list and result")
