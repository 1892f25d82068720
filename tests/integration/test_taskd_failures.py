"""Every failure reason a task can end with, and every kind of bad request: each gets
a clear reason or error code, and the connection and the daemon go on."""
import json
import os

from ptt_harness import Sandbox, binary, expect
from taskd_fixture import FAKE_AGENT, Taskd, get, log_lines, spawn, wait_tasks

with Sandbox("taskd-failures") as sb:
    work = sb.path("work")
    outside = sb.path("outside")
    os.makedirs(work)
    os.makedirs(outside)
    d = Taskd(sb, "--allow-root", work)
    c = d.client()

    def outcome(prompt, **fields):
        tid = spawn(c, prompt, work, **fields)
        return wait_tasks(c, [tid])[tid]

    t = outcome("tool Bash loop; result error_max_turns")
    expect(t["state"] == "failed" and t["reason"] == "error_max_turns", str(t))
    expect(t["result"]["subtype"] == "error_max_turns" and t["result"]["is_error"], str(t["result"]))
    t = outcome("result error_max_budget_usd")
    expect(t["state"] == "failed" and t["reason"] == "error_max_budget_usd", str(t))
    t = outcome("result api_error invalid model")
    expect(t["state"] == "failed" and t["reason"] == "api_error", str(t))
    t = outcome("result error_during_execution")
    expect(t["reason"] == "error_during_execution", str(t))
    t = outcome("stderr fatal: not a git repository; stderr (or any parent); exit 128")
    expect(t["state"] == "failed" and t["reason"] == "exit_code" and t["exit_code"] == 128, str(t))
    expect(t["stderr_tail"] == "fatal: not a git repository\n(or any parent)", repr(t["stderr_tail"]))
    t = outcome("exit 0")  # exited cleanly but never said how it went
    expect(t["state"] == "failed" and t["reason"] == "exit_code" and t["exit_code"] == 0, str(t))

    # Garbage, unknown line types and an early session all stay in the log; the task still succeeds.
    tid = spawn(c, "garbage; unknown; tool Read README.md; result success fine", work)
    t = wait_tasks(c, [tid])[tid]
    expect(t["state"] == "succeeded" and t["activity"] == "Read README.md", str(t))
    raw = [e["line"] for e in log_lines(c, tid)]
    expect("this is not json {{{" in raw, "non-JSON line missing from the log")
    expect(any(json.loads(l).get("type") == "mystery_event" for l in raw if l.startswith("{")), "unknown type lost")

    # Dependencies: a failed one fails its dependents, with the reason.
    bad = spawn(c, "no-init; exit 1", work)  # never started a Claude session
    dep = spawn(c, "result success never", work, after=[bad])
    t = wait_tasks(c, [bad, dep])[dep]
    expect(t["state"] == "failed" and t["reason"] == "dependency failed" and t["started_at"] is None, str(t))

    # Cancelled while queued behind a dependency.
    gate = sb.path("gate")
    slow = spawn(c, f"wait-file {gate}; result success", work)
    queued = spawn(c, "result success", work, after=[slow])
    expect(c.request("cancel", task=queued)["cancelled"] == [queued], "cancel queued")
    t = get(c, queued)
    expect(t["state"] == "cancelled" and t["reason"] == "cancelled", str(t))
    open(gate, "w").close()
    wait_tasks(c, [slow])

    # Request-level errors, each with its code; the connection keeps working.
    def code(op, **fields):
        r = c.request(op, **fields)
        expect(not r["ok"], f"{op} {fields} should fail: {r}")
        return r["error"]["code"]

    expect(code("spawn", prompt="x", cwd=outside) == "cwd_not_allowed", "cwd outside the roots")
    expect(code("spawn", prompt="x", cwd=work + "/../outside") == "cwd_not_allowed", "cwd escaping via ..")
    expect(code("spawn", prompt="x", cwd="relative/dir") == "invalid_argument", "relative cwd")
    expect(code("spawn", prompt="x", cwd=work + "/missing") == "invalid_argument", "missing cwd")
    expect(code("spawn", prompt="   ", cwd=work) == "invalid_argument", "empty prompt")
    expect(code("spawn", cwd=work) == "bad_request", "missing prompt")
    expect(code("spawn", prompt=5, cwd=work) == "bad_request", "mistyped prompt")
    expect(code("spawn", prompt="x", cwd=work, name="42") == "invalid_argument", "numeric name")
    expect(code("spawn", prompt="x", cwd=work, after=[999]) == "not_found", "unknown dependency")
    expect(code("spawn", prompt="x", cwd=work, options={"max_turns": "many"}) == "bad_request", "mistyped option")
    expect(code("spawn", prompt="x", cwd=work, options={"max_turns": 0}) == "invalid_argument", "zero turns")
    expect(code("spawn", prompt="x", cwd=work, options=[1]) == "bad_request", "options not an object")
    expect(code("get", task=999) == "not_found", "unknown id")
    expect(code("get", task="nobody") == "not_found", "unknown name")
    expect(code("get") == "bad_request", "missing task")
    expect(code("get", task=[1]) == "bad_request", "mistyped task")
    expect(code("wait", tasks=[]) == "bad_request", "empty wait")
    expect(code("wait", tasks=[999]) == "not_found", "wait for unknown")
    expect(code("follow_up", task=bad, prompt="x") == "invalid_argument", "follow-up without a session")
    expect(code("frobnicate") == "unknown_op", "unknown op")
    expect(code("hello", version="one") == "bad_request", "mistyped version")

    for raw_line, want in [(b"this is not json\n", "bad_request"), (b"[1,2]\n", "bad_request"),
                           (b'{"id":5}\n', "bad_request"), (b'{"id":6,"op":7}\n', "bad_request"),
                           (b"x" * (9 << 20) + b"\n", "too_long")]:
        c.send_raw(raw_line)
        r = c.read()
        expect(not r["ok"] and r["error"]["code"] == want, f"{raw_line[:30]!r}: {r}")
        expect(r["id"] in (None, 5, 6), f"id echo: {r}")
    expect(c.request("list")["ok"], "the connection died after bad input")
    expect(d.proc.poll() is None, "the daemon died after bad input")

with Sandbox("taskd-missing-agent") as sb:
    # PTT_CLAUDE names the agent when --claude is not given.
    d = Taskd(sb, claude="", env=dict(sb.env, PTT_CLAUDE=sb.path("no-such-claude")))
    c = d.client()
    tid = spawn(c, "anything", sb.root)
    t = wait_tasks(c, [tid])[tid]
    expect(t["state"] == "failed" and t["reason"] == "agent_missing", str(t))
    err = [e["line"] for e in log_lines(c, tid, stream="stderr")]
    expect(any("cannot run the agent" in l for l in err), f"no explanation in stderr: {err}")
    expect("no-such-claude" in d.log(), "the daemon does not log which agent it runs")
    # Ctrl-C stops the daemon cleanly with the conventional 130; SIGTERM with 0.
    d.proc.send_signal(2)
    expect(d.wait_exit() == 130, "SIGINT exit status")
    expect(not os.path.exists(sb.socket), "socket left behind after SIGINT")
    d = Taskd(sb, claude="", env=dict(sb.env, PTT_CLAUDE=sb.path("no-such-claude")))
    d.proc.send_signal(15)
    expect(d.wait_exit() == 0, "SIGTERM exit status")
with Sandbox("taskd-relative-agent") as sb:
    # A relative --claude is the daemon's, not the task's: tasks run in their own cwd.
    agent = binary(FAKE_AGENT)
    d = Taskd(sb, claude=os.path.join(".", os.path.basename(agent)), cwd=os.path.dirname(agent))
    c = d.client()
    t = wait_tasks(c, [spawn(c, "result success ok", sb.root)])
    expect(list(t.values())[0]["state"] == "succeeded", f"relative agent path: {t}")
print("ok: every failure reason and bad request is reported and survived")
