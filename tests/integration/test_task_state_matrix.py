"""Every ptt-task subcommand on a task in every end state, against one daemon and the
fake agent: nothing aborts, every failure says why on stderr, --json output parses,
and the fixed behaviours hold: `result` of a task without a result is an error line,
`logs` always ends with a line saying how the task ended (never "✗ success" for an
API error), `list` in a pipe gives one cut line per task, `status` shows the agent's
own pid, and a text-only run reads `thinking` once its agent is up."""
import json
import os
import re
import socket

from ptt_harness import PROTOCOL_VERSION, Sandbox, binary, expect, fail, start_thread, wait_until
from taskd_fixture import Taskd, get, log_lines, spawn, wait_state, wait_tasks

ABORTS = (134, 139, -6, -11)  # SIGABRT / SIGSEGV, as a shell or as Python reports them

with Sandbox("task-state-matrix") as sb:
    # The agent path goes missing for one task (agent_missing) and comes back.
    agent = sb.path("bin", "claude")
    os.makedirs(os.path.dirname(agent))
    os.symlink(os.path.abspath(binary("fake-agent")), agent)
    d = Taskd(sb, "--max-running", "8", claude=agent)
    c = d.client()
    work = sb.root

    def task(*args, timeout=30):
        return sb.run(["ptt-task", "--no-autostart", *args], timeout=timeout)

    def gate(name):
        return sb.path(f"gate-{name}")

    def open_gate(name):
        open(gate(name), "w").close()

    def raw_log(tid):
        return [json.loads(e["line"]) for e in log_lines(c, tid) if e.get("line", "").startswith("{")]

    # --- every end state -------------------------------------------------------------
    os.remove(agent)
    missing = spawn(c, "anything at all", work)
    wait_tasks(c, [missing])
    os.symlink(os.path.abspath(binary("fake-agent")), agent)

    long_result = " ".join(f"word{i}" for i in range(400))
    # Text only, never a tool: it must read "thinking" while it runs.
    ok = spawn(c, f"text let me look; wait-file {gate('ok')}; result success {long_result}", work, name="done-ok")
    api = spawn(c, "result api_error invalid model", work)
    no_result = spawn(c, "stderr fatal: not a git repository; exit 128", work)
    dep_failed = spawn(c, "result success never runs", work, after=[no_result])
    blocker = spawn(c, f"wait-file {gate('blocker')}; result success unblocked", work, name="blocker")
    queued = spawn(c, "result success never runs either", work, after=[blocker])
    running = spawn(c, f"tool Bash make test; wait-file {gate('never')}; result success never", work)

    # While they run: activity, and the pid is the agent's own (its process group leader).
    wait_until(lambda: get(c, ok)["activity"] == "thinking", what=f"the text-only task to read thinking: {get(c, ok)}")
    expect("activity:  thinking" in task("status", str(ok)).stdout, "status does not show 'thinking'")
    wait_until(lambda: get(c, running)["activity"] == "Bash: make test", what="the running task's tool use")
    fake = wait_until(lambda: next((l for l in raw_log(running) if l.get("type") == "fake_agent"), None),
                      what="the agent's own pid in its log")
    expect(fake["pid"] == fake["pgid"], f"the fake agent leads its group: {fake}")
    wait_until(lambda: json.loads(task("--json", "status", str(running)).stdout)["pid"] == fake["pid"],
               what=f"status --json to show the agent's pid {fake['pid']} (not its supervisor's)")
    expect(f"pid:       {fake['pid']}\n" in task("status", str(running)).stdout, "status: the pid line")

    r = task("cancel", str(queued))
    expect(r.returncode == 0 and f"cancelled {queued}" in r.stdout, f"cancel queued: {r}")
    r = task("cancel", str(running))
    expect(r.returncode == 0 and f"cancelled {running}" in r.stdout, f"cancel running: {r}")
    open_gate("ok")
    open_gate("blocker")
    done = wait_tasks(c, [missing, ok, api, no_result, dep_failed, blocker, queued, running])

    states = {
        "succeeded": (ok, "succeeded", None),
        "failed with a result": (api, "failed", "api_error"),
        "failed without a result": (no_result, "failed", "exit_code"),
        "cancelled while queued": (queued, "cancelled", "cancelled"),
        "cancelled while running": (running, "cancelled", "cancelled"),
        "agent missing": (missing, "failed", "agent_missing"),
        "dependency failed": (dep_failed, "failed", "dependency failed"),
    }
    for what, (tid, state, reason) in states.items():
        expect(done[tid]["state"] == state and done[tid]["reason"] == reason, f"{what}: {done[tid]}")
    expect(done[queued]["started_at"] is None and done[running]["started_at"] is not None, "cancel states")

    # --- no subcommand aborts, on any state ------------------------------------------
    def check(r, args, json_out):
        cmd = " ".join((["--json"] if json_out else []) + args)
        expect(r.returncode not in ABORTS and r.returncode >= 0,
               f"`ptt-task {cmd}` aborted ({r.returncode}): {r.stderr[-2000:]}")
        expect("terminate called" not in r.stderr and "what():" not in r.stderr, f"`{cmd}` threw: {r.stderr}")
        if r.returncode != 0 and args[0] == "wait":  # its exit 1 is the outcome, printed on stdout
            expect(r.returncode == 1 and ("failed" in r.stdout or "cancelled" in r.stdout), f"`{cmd}`: {r}")
        elif r.returncode != 0:
            expect(r.stderr.startswith("ptt-task: error: "), f"`{cmd}` failed ({r.returncode}) without saying why: "
                   f"stdout {r.stdout!r} stderr {r.stderr!r}")
        # An empty raw log (--raw, --json) says so on stderr. A finished task's cancel: cli-lifecycle's part of issue 15.
        if args[0] != "cancel":
            expect(r.stdout.strip() or r.stderr.strip(), f"`{cmd}` printed nothing")
        if json_out:
            for line in r.stdout.splitlines():
                try:
                    json.loads(line)
                except ValueError:
                    fail(f"`{cmd}` printed a line that is not JSON: {line!r}")
        return r

    outputs = {}
    for what, (tid, state, reason) in states.items():
        t = str(tid)
        for args in (["status", t], ["result", t], ["logs", t], ["logs", "--raw", t], ["logs", "-f", t],
                     ["wait", t], ["cancel", t], ["follow-up", t, "result success followed"]):
            for json_out in (False, True):
                r = check(task(*(["--json"] if json_out else []), *args), args, json_out)
                outputs[(what, json_out, *args[:2])] = r

    # result: the outcome, and for a task without a result an error line, not an abort.
    for what, (tid, state, reason) in states.items():
        r = outputs[(what, False, "result", str(tid))]
        if state == "succeeded":
            expect(r.returncode == 0 and r.stdout == long_result + "\n", f"{what}: result {r}")
            continue
        expect(r.returncode == 1, f"{what}: result exit {r.returncode}")
        expect(r.stderr.startswith(f"ptt-task: error: task {tid} {state}") and f"`ptt-task logs {tid}`" in r.stderr,
               f"{what}: result's error line: {r.stderr!r}")
        js = json.loads(outputs[(what, True, "result", str(tid))].stdout)
        expect(js["task"]["id"] == tid and (js["text"] is None) == (tid != api), f"{what}: result --json {js}")
    expect("without a result" in outputs[("failed without a result", False, "result", str(no_result))].stderr,
           "result does not say the task ended without a result")
    # A task cancelled while queued never ran: nothing says how long it "took".
    r = outputs[("cancelled while queued", False, "result", str(queued))]
    expect("before it started" in r.stderr, f"result of a never-started task: {r.stderr!r}")
    r = outputs[("cancelled while queued", False, "status", str(queued))]
    expect("never started; queued" in r.stdout and "took" not in r.stdout, f"status of a never-started task: {r.stdout}")

    # A follow-up of a task that never started a session says what to do instead.
    r = outputs[("cancelled while queued", False, "follow-up", str(queued))]
    expect(r.returncode == 2 and f"`ptt-task retry {queued}`" in r.stderr, f"follow-up without a session: {r}")

    # logs: always a closing line saying how the task ended, for logs and logs -f.
    closing = {
        "succeeded": f"✓ task {ok} (done-ok) succeeded (took ",
        "failed with a result": f"✗ task {api} failed: api_error · invalid model (took ",
        "failed without a result": f"✗ task {no_result} failed: exit code 128 · fatal: not a git repository",
        "cancelled while queued": f"✗ task {queued} cancelled",
        "cancelled while running": f"✗ task {running} cancelled (took ",
        "agent missing": f"✗ task {missing} failed: agent_missing · ptt-taskd supervisor: cannot run the agent {agent}",
        "dependency failed": f"✗ task {dep_failed} failed: dependency failed",
    }
    for what, (tid, state, reason) in states.items():
        for follow in ("logs", "-f"):
            key = (what, False, "logs", str(tid)) if follow == "logs" else (what, False, "logs", "-f")
            out = outputs[key].stdout
            last = out.splitlines()[-1] if out.strip() else ""
            expect(last.startswith(closing[what]), f"{what}: `logs {follow}` ends with {last!r}, "
                   f"wanted {closing[what]!r}\n{out}")
            closings = [l for l in out.splitlines() if l.startswith(("✓ task ", "✗ task ", "… task "))]
            expect(len(closings) == 1, f"{what}: `logs {follow}` has {len(closings)} closing lines:\n{out}")
    api_log = outputs[("failed with a result", False, "logs", str(api))].stdout
    expect("✗ success" not in api_log and "✗ api_error · 1 turn · $0.0123" in api_log,
           f"an API error reads as success in the log:\n{api_log}")
    for json_out in (False, True):  # a task that never ran has no line: stdout stays empty, stderr says why
        r = outputs[("cancelled while queued", json_out, "logs", "--raw" if not json_out else str(queued))]
        expect(r.returncode == 0 and r.stdout == ""
               and r.stderr == f"ptt-task: warning: the log is empty: task {queued} cancelled without writing a line\n",
               f"an empty raw log (json {json_out}): {r}")
    raw = outputs[("failed without a result", False, "logs", "--raw")].stdout.splitlines()
    expect(raw and all(l.startswith("{") for l in raw), f"--raw must stay the agent's stream: {raw}")

    # status: plural only for plural turns, and every value starts in one column.
    st = outputs[("failed without a result", False, "status", str(no_result))].stdout
    expect("  exit code: 128\n" in st, f"status: exit code line: {st}")
    cols = {m.end() - m.start() for m in re.finditer(r"^  [a-z ]+: +", st, re.M)}
    expect(len(cols) == 1, f"status values do not line up (columns {cols}):\n{st}")
    st = outputs[("failed with a result", False, "status", str(api))].stdout
    expect("over 1 turn," in st and "1 turns" not in st, f"status: '1 turns':\n{st}")

    # --- list: one line per task, each cut to a fixed width in a pipe --------------------
    child = int(task("follow-up", str(ok), "result success child").stdout)
    multi = spawn(c, "text first line\ntext second line\nresult success two lines", work)
    wait_tasks(c, [child, multi])
    r = check(task("list"), ["list"], False)
    lines = r.stdout.splitlines()
    ids = [int(l.split()[0]) for l in lines[1:]]
    all_ids = [t["id"] for t in json.loads(json.dumps(c.request("list")["tasks"]))]
    expect(lines[0].split() == ["ID", "NAME", "STATE", "TIME", "ACTIVITY", "COST"], f"header {lines[0]!r}")
    expect(ids == all_ids, f"list: one line per task, in order: {ids} vs {all_ids}\n{r.stdout}")
    widest = max(len(l) for l in lines)
    expect(widest <= 140, f"list in a pipe is {widest} columns wide:\n{r.stdout}")
    row = {int(l.split()[0]): l for l in lines[1:]}
    expect("word0 word1" in row[ok] and row[ok].rstrip().endswith("…  $0.0123"), f"long result not cut: {row[ok]!r}")
    expect(f"↳{ok} " in row[child], f"a follow-up names its parent: {row[child]!r}")
    expect('"text first line text…"' in row[multi],
           f"an unnamed task shows its prompt on one line: {row[multi]!r}")
    expect(re.search(r"succeeded +\d+(\.\d)?s ", row[ok]), f"a finished task shows its duration: {row[ok]!r}")
    r = check(task("--json", "list"), ["list"], True)
    full = {json.loads(l)["id"]: json.loads(l) for l in r.stdout.splitlines()}
    expect(full[ok]["result"]["text"] == long_result, "list --json keeps the whole text")
    r = check(task("--json", "list", "--state", "cancelled"), ["list"], True)
    expect(sorted(json.loads(l)["id"] for l in r.stdout.splitlines()) == sorted([queued, running]), r.stdout)

    expect(d.proc.poll() is None, "the daemon died")
print(f"ok: {len(outputs)} runs of ptt-task over {len(states)} end states; none aborted, all said why")

# A daemon that answers with mistyped fields (another version, a bug): every subcommand
# reports it as an error (exit 3, unreachable/protocol), never an abort.
with Sandbox("task-bad-replies") as sb:
    os.makedirs(os.path.dirname(sb.socket), exist_ok=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sb.socket)
    server.listen(8)
    bad = {"get": {"task": "not a record"}, "result": {"task": {"id": "x"}, "text": 5},
           "logs": {"task": 7, "path": 3}, "wait": {"tasks": {"id": 1}}, "cancel": {"cancelled": 5},
           "list": {"tasks": [{"id": 1}]}, "follow_up": {"task": {"id": "one"}}}

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            try:
                with conn, conn.makefile("rwb") as f:
                    for line in f:
                        req = json.loads(line)
                        reply = {"id": req.get("id"), "ok": True}
                        reply.update({"version": PROTOCOL_VERSION, "server": 5, "pid": "x"} if req["op"] == "hello"
                                     else bad.get(req["op"], {}))
                        f.write((json.dumps(reply) + "\n").encode())
                        f.flush()
                        if req["op"] == "logs":
                            f.write(b'{"event":"log","task":7,"line":12}\n{"event":"log_end","task":7}\n')
                            f.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # ptt-task gave up on a reply it could not read before the log events: what is tested

    server_thread = start_thread(serve)
    codes = {}
    for args in (["status", "1"], ["result", "1"], ["logs", "1"], ["wait", "1"], ["cancel", "1"], ["list"],
                 ["follow-up", "1", "more"], ["ping"]):
        for json_out in (False, True):
            r = sb.run(["ptt-task", "--no-autostart", *(["--json"] if json_out else []), *args], timeout=20)
            cmd = " ".join(args)
            expect(r.returncode not in ABORTS and r.returncode >= 0 and "terminate called" not in r.stderr,
                   f"`{cmd}` aborted on a malformed reply ({r.returncode}): {r.stderr}")
            expect(r.returncode in (0, 3), f"`{cmd}`: exit {r.returncode}, wanted 3 (or 0 where nothing was wrong)")
            codes[(cmd, json_out)] = r.returncode
            if r.returncode == 3:
                expect(r.stderr.startswith("ptt-task: error: ") and "cannot read" in r.stderr, f"`{cmd}`: {r.stderr!r}")
    server.shutdown(socket.SHUT_RDWR)  # wakes accept(): serve returns
    server_thread.join()
    server.close()
    for cmd in ("status 1", "result 1", "follow-up 1 more"):
        expect(codes[(cmd, False)] == 3 and codes[(cmd, True)] in (0, 3), f"`{cmd}`: {codes}")
    print("exit statuses on malformed replies:", {k[0] + (" --json" if k[1] else ""): v for k, v in codes.items()})
print("ok: malformed replies are errors (exit 3), never aborts")
