"""Every ptt-taskd op through the real daemon and the fake agent: hello, spawn, list,
get, result, cancel, logs (with follow), subscribe, wait, follow_up, clean, shutdown;
the agent's argv, cwd and environment; idle means no wake-ups."""
import json
import os
import time

from ptt_harness import Sandbox, expect, wait_until
from taskd_fixture import Taskd, get, log_lines, pid_alive, spawn, supervisor_status, wait_tasks

with Sandbox("taskd-ops") as sb:
    work = sb.path("work")
    os.makedirs(os.path.join(work, "src"))
    argv_file = sb.path("argv.ndjson")
    env = dict(sb.env, PTT_FAKE_AGENT_ARGV_FILE=argv_file)
    d = Taskd(sb, "--default-allowed-tools", "Bash,Edit", "--default-max-turns", "30", env=env)
    expect(d.ready_line == f"ready {sb.socket}\n", f"ready line: {d.ready_line!r}")
    expect((os.stat(os.path.dirname(sb.socket)).st_mode & 0o777) == 0o700, "socket dir is not 0700")
    c = d.client()

    # hello: version and server; a wrong version is refused, the connection lives on.
    r = c.request("hello", version=1)
    expect(r["ok"] and r["version"] == 1 and r["server"].startswith("ptt-taskd ") and r["pid"] == d.proc.pid, str(r))
    r = c.request("hello", version=2)
    expect(not r["ok"] and r["error"]["code"] == "version_mismatch", str(r))
    # A request pipelined behind a refused hello does not run; a good hello reopens.
    c.send_raw(b'{"id":90,"op":"hello","version":2}\n{"id":91,"op":"spawn","prompt":"x","cwd":"/"}\n')
    replies = {m["id"]: m for m in (c.read(), c.read())}
    expect(replies[91]["error"]["code"] == "version_mismatch", str(replies))
    expect(c.request("list")["error"]["code"] == "version_mismatch", "a request after a refused hello ran")
    expect(c.request("hello", version=1)["ok"] and c.request("list")["tasks"] == [], "hello did not reopen")

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
    record = json.loads(open(argv_file).read().splitlines()[0])
    argv = record["argv"]
    expect(argv[1:8] == ["-p", argv[2], "--output-format", "stream-json", "--verbose", "--permission-mode",
                         "acceptEdits"], f"argv {argv}")
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
    argv = json.loads(open(argv_file).read().splitlines()[1])["argv"]
    pairs = {argv[i]: argv[i + 1] for i in range(3, len(argv) - 1) if argv[i].startswith("--")}
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

    # A running task: result is not_finished; logs -f streams lines as they come.
    gate = sb.path("gate")
    t3 = spawn(c, f"tool Bash make; wait-file {gate}; text second half; result success later", work)
    r = c.request("result", task=t3)
    expect(r["error"]["code"] == "not_finished", str(r))
    follower = d.client()
    r = follower.request("logs", task=t3, follow=True)
    expect(r["ok"] and r["path"].endswith(f"/logs/{t3}/stream.ndjson"), str(r))
    first = [follower.read() for _ in range(3)]  # init, fake_agent, the tool_use
    expect(json.loads(first[0]["line"])["subtype"] == "init", str(first[0]))
    expect(json.loads(first[2]["line"])["message"]["content"][0]["name"] == "Bash", str(first[2]))
    open(gate, "w").close()
    rest = []
    while not rest or rest[-1].get("event") != "log_end":
        rest.append(follower.read())
    lines = [json.loads(e["line"]) for e in rest[:-1]]
    expect(lines[-1]["type"] == "result" and lines[-1]["result"] == "later", str(lines))
    expect(any(l["type"] == "assistant" and l["message"]["content"][0].get("text") == "second half" for l in lines),
           "the lines after the gate did not arrive")

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
    t7 = c.request("follow_up", task=t1, prompt="result success followed", name="more")["task"]["id"]
    rec = wait_tasks(c, [t7])[t7]
    expect(rec["parent"] == t1 and rec["resume_session"] == done["session_id"] and rec["state"] == "succeeded", str(rec))
    argv = json.loads(open(argv_file).read().splitlines()[-1])["argv"]
    expect(argv[argv.index("--resume") + 1] == done["session_id"], f"follow-up argv {argv}")
    r = c.request("follow_up", task=t3 + 100, prompt="x")
    expect(r["error"]["code"] == "not_found", str(r))

    # cancel: a running task and --all.
    t8 = spawn(c, "sleep 30", work)
    wait_until(lambda: get(c, t8)["pid"] is not None, what="task 8 running")
    r = c.request("cancel", task=t8)
    expect(r["ok"] and r["cancelled"] == [t8], str(r))
    expect(wait_tasks(c, [t8])[t8]["state"] == "cancelled", "cancel did not cancel")
    t9 = spawn(c, "sleep 30", work)
    r = c.request("cancel", all=True)
    expect(r["cancelled"] == [t9], str(r))
    rec9 = wait_tasks(c, [t9])[t9]
    expect(rec9["reason"] == "cancelled", f"cancel --all: {rec9}")
    expect(c.request("cancel", task=t9)["cancelled"] == [], "a finished task cannot be cancelled again")

    # Idle means idle: no timer wakes the daemon while nothing runs.
    def switches():
        with open(f"/proc/{d.proc.pid}/status") as f:
            return sum(int(l.split()[1]) for l in f if "ctxt_switches" in l)
    # First let the cancelled task's agent group be gone (the supervisor kills it last).
    agent9 = supervisor_status(sb.state_dir, t9)["agent"]
    wait_until(lambda: not pid_alive(agent9), what="the cancelled agent to be reaped")
    before = switches()
    time.sleep(1.0)  # a measurement window, not a wait for readiness
    expect(switches() - before <= 1, f"the idle daemon woke up {switches() - before} times in 1 s")

    # clean forgets finished tasks; ids are never reused.
    r = c.request("clean")
    expect(sorted(r["removed"]) == list(range(t1, t9 + 1)), str(r))
    expect(c.request("list")["tasks"] == [], "clean left tasks")
    expect(not os.path.exists(os.path.join(sb.state_dir, "logs", str(t1))), "clean left logs")
    t10 = spawn(c, "result success again", work)
    expect(t10 == t9 + 1, f"id {t10} reused or skipped")

    # shutdown: replies, then the daemon exits 0 and removes its socket.
    wait_tasks(c, [t10])
    expect(c.request("shutdown")["ok"], "shutdown")
    expect(d.wait_exit() == 0, "daemon exit status")
    expect(not os.path.exists(sb.socket), "socket left behind")
print("ok: every taskd op works against the fake agent")
