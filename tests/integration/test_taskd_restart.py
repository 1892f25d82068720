"""kill -9 of the daemon while tasks run loses nothing: the agents go on, a restarted
daemon re-adopts them and records every outcome, ids continue. Also: a second daemon
on a live socket refuses to start, a stale socket is replaced, a corrupt record is
reported and skipped."""
import os

from ptt_harness import SOURCE_DIR, Sandbox, expect, wait_until
from taskd_fixture import Taskd, get, log_lines, parent_pid, pid_alive, spawn, supervisor_status, wait_tasks

with Sandbox("taskd-restart") as sb:
    d = Taskd(sb, "--max-running", "3")
    c = d.client()
    gates = {name: sb.path(name) for name in ("a", "b", "c", "d")}
    a = spawn(c, f"tool Bash step one; wait-file {gates['a']}; result success A done", sb.root)
    b = spawn(c, f"wait-file {gates['b']}; result error_max_turns", sb.root)
    cc = spawn(c, f"wait-file {gates['c']}; tool Edit x.py; wait-file {gates['d']}; result success C done", sb.root)
    q = spawn(c, "result success queued one", sb.root)  # queued behind the limit
    wait_until(lambda: all(get(c, t)["session_id"] for t in (a, b, cc)), what="agents to start")
    expect(get(c, q)["state"] == "queued", "the fourth task should be queued")
    agents = {t: wait_until(lambda t=t: get(c, t)["pid"], what="agent pids") for t in (a, b, cc)}

    # A second daemon on the same socket and state dir refuses, naming the state dir; one
    # with a state dir of its own refuses naming the socket; the first is untouched. Their
    # words are the ones docs/taskd.md quotes.
    with open(os.path.join(SOURCE_DIR, "docs", "taskd.md")) as f:
        documented = [l.strip() for l in f if l.strip().startswith("ptt-taskd: error: another ptt-taskd")]
    expect(len(documented) == 2, f"docs/taskd.md should quote both refusals: {documented}")
    for args, placeholder, path in (((), "<state dir>", sb.state_dir),
                                    (("--state-dir", sb.path("state-2")), "<socket>", sb.socket)):
        logged = len(d.log())
        second = Taskd(sb, *args, expect_ready=False)
        expect(second.wait_exit() == 1, f"second daemon {args} should exit 1")
        said = second.log()[logged:].strip()
        wanted = [l.replace(placeholder, path) for l in documented if placeholder in l]
        expect([said] == wanted, f"second daemon {args} said {said!r}; docs/taskd.md says {wanted}")
    expect(c.request("list")["ok"], "the first daemon was disturbed")

    d.kill9()
    expect(os.path.exists(sb.socket), "kill -9 should leave a stale socket file behind")
    expect(all(pid_alive(p) for p in agents.values()), "tasks died with the daemon")
    # While the daemon is down: one task writes its result, one keeps running, one is
    # half-way. The one with its result waits for a daemon to end its session (to close
    # its input: a message or an answer may still come), so it has not exited.
    open(gates["a"], "w").close()
    open(gates["c"], "w").close()
    stream_a = os.path.join(sb.state_dir, "logs", str(a), "stream.ndjson")
    wait_until(lambda: '"type":"result"' in open(stream_a).read(), what="task a's result")
    expect("exit" not in supervisor_status(sb.state_dir, a) and pid_alive(agents[a]),
           "task a's agent exited with no daemon to end its session")
    # A torn record (a write interrupted by a crash elsewhere) must not stop the restart.
    with open(os.path.join(sb.state_dir, "tasks.ndjson"), "a") as f:
        f.write('\n{"id":77,"state":"runn')

    d2 = Taskd(sb, "--max-running", "3")  # replaces the stale socket
    expect("tasks.ndjson line" in d2.log() and "torn or corrupt task record" in d2.log(),
           "torn record not reported:\n" + d2.log())
    expect("re-adopting running task" in d2.log(), d2.log())
    c2 = d2.client()
    ra = wait_tasks(c2, [a])[a]
    expect(ra["state"] == "succeeded" and ra["result"]["text"] == "A done", f"outcome lost while down: {ra}")
    rc = get(c2, cc)
    wait_until(lambda: get(c2, cc)["activity"] == "Edit x.py", what="activity re-read after restart")
    expect(rc["state"] == "running", str(rc))
    open(gates["b"], "w").close()
    open(gates["d"], "w").close()
    done = wait_tasks(c2, [a, b, cc, q])
    expect(done[b]["state"] == "failed" and done[b]["reason"] == "error_max_turns", str(done[b]))
    expect(done[cc]["state"] == "succeeded" and done[cc]["result"]["text"] == "C done", str(done[cc]))
    expect(done[q]["state"] == "succeeded", f"the queued task did not run after the restart: {done[q]}")
    lines = [e["line"] for e in log_lines(c2, cc)]
    expect(sum('"tool_use"' in l for l in lines) == 1, "the stream log lost or doubled lines")

    # Ids continue after the highest ever used (the corrupt record's 77 included).
    n = spawn(c2, "result success new", sb.root)
    expect(n == 78, f"new id {n}, wanted 78")

    # shutdown leaves running tasks alone; the next daemon adopts them.
    gate = sb.path("e")
    e = spawn(c2, f"wait-file {gate}; result success survived shutdown", sb.root)
    wait_until(lambda: get(c2, e)["session_id"], what="task e to start")
    c2.request("shutdown")
    expect(d2.wait_exit() == 0, "shutdown exit status")
    d3 = Taskd(sb)
    c3 = d3.client()
    open(gate, "w").close()
    rec = wait_tasks(c3, [e])[e]
    expect(rec["state"] == "succeeded" and rec["result"]["text"] == "survived shutdown", str(rec))

    # A supervisor killed behind our back is reported, not waited for forever.
    f = spawn(c3, "sleep 60", sb.root)
    agent = wait_until(lambda: get(c3, f)["pid"], what="task f's agent")  # the record's pid is the agent's
    wait_until(lambda: get(c3, f)["session_id"], what="task f's session")
    expect(agent == supervisor_status(sb.state_dir, f)["agent"], "the record's pid is not the agent's")
    os.kill(parent_pid(agent), 9)  # its supervisor
    rec = wait_tasks(c3, [f])[f]
    expect(rec["state"] == "failed" and rec["reason"] == "supervisor_lost", str(rec))
    wait_until(lambda: not pid_alive(agent), 5, "the unsupervised agent to be killed")
print("ok: tasks survive kill -9 and shutdown of the daemon; outcomes are all recorded")
