"""A voice tool call whose daemon request gets no answer (ptt-taskd stopped with SIGSTOP)
gets an error result within the reply timeout (5 s) that says the daemon does not answer
and is stopped, instead of staying pending; the session goes on, and once the daemon
goes on it answers the next call (and carries out the spawn it was sent, as the error
said it might)."""
import json
import os
import signal
import time

from ptt_harness import TIMEOUT_FACTOR, Sandbox, expect
from realtime_fixture import MockServer, Realtime
from taskd_fixture import Taskd

with Sandbox("rt-stopped") as sb:
    root = os.path.realpath(sb.path("work"))
    os.makedirs(root)
    taskd = Taskd(sb)
    mock = MockServer(sb, "--spawn-project", "ok,ok", "--spawn-prompt", "result success after the stop")
    rt = Realtime(sb, mock.url, f"--project=ok={root}", "--socket", sb.socket)
    rt.wait_type("session", state="ready")
    rt.wait_type("daemon", state="connected")

    pid = taskd.proc.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        start = time.monotonic()
        rt.send({"type": "text", "text": "spawn a task"})
        result = rt.wait_line(lambda l: l.get("type") == "tool_result" and l["call_id"] == "call_1",
                              what="the result of the call to a stopped daemon")
        took = time.monotonic() - start
        out = result["output"]
        expect(out.get("ok") is False, f"the call did not fail: {out}")
        error = out.get("error", "")
        expect(error.startswith(f"ptt-taskd (pid {pid}) did not answer within 5 s: it is stopped; "
                                f"resume it with `kill -CONT {pid}`"), f"error result: {error!r}")
        expect("may still be carried out" in error, f"a spawn that was sent: {error!r}")
        expect(4.5 <= took < 5 + 5 * TIMEOUT_FACTOR, f"the result took {took:.1f} s")
        # The model is told, and the session answers the user.
        rt.wait_line(lambda l: l.get("type") == "response" and rt.count("response", state="done") >= 2,
                     what="the reply after the failed call")
        expect(rt.proc.poll() is None, "ptt-realtime exited")
    finally:
        os.kill(pid, signal.SIGCONT)

    rt.send({"type": "text", "text": "spawn it again"})
    result = rt.wait_line(lambda l: l.get("type") == "tool_result" and l["call_id"] == "call_2",
                          what="the result of the call after SIGCONT")
    # The daemon answers again. The first spawn was sent, so it ran once the daemon went on
    # (as its error said it might): the same name is now taken by it.
    expect("did not answer" not in json.dumps(result["output"]), f"after SIGCONT: {result}")
    tasks = [json.loads(l) for l in sb.run(["ptt-task", "--no-autostart", "list", "--json"], check=0).stdout.splitlines()]
    expect([t["prompt"] for t in tasks][:1] == ["result success after the stop"], f"tasks: {tasks}")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    mock.expect_clean()
print("ok: a tool call to a stopped daemon gets an error result in 5 s; the session goes on")
