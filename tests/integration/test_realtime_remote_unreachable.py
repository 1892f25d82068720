"""A voice session whose project's host cannot be reached (issue 22).

The project is on ssh://127.0.0.1:PORT where nothing listens. The session goes on: stderr
says once why the host's daemon is not reachable (the host, the step, ssh's own words), the
spawn_task call is answered with that error (the model can say it), and no task is made
anywhere; a task of this machine's daemon still works in the same session."""
import json
import os
import socket

from ptt_harness import Sandbox, expect
from realtime_fixture import MockServer, Realtime
from taskd_fixture import Taskd

with Sandbox("rt-unreachable") as sb:
    with socket.socket() as s:  # a port nothing listens on (ours closes before ssh tries it)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    here = os.path.realpath(sb.path("here"))
    os.makedirs(here)
    taskd = Taskd(sb)
    host = f"ssh://127.0.0.1:{port}"
    mock = MockServer(sb, "--tool-calls", json.dumps([
        ["spawn_task", {"prompt": "result success far", "project": "far"}],
        ["spawn_task", {"prompt": "result success near", "project": "near"}]]))
    env = dict(sb.env, PTT_SSH="ssh -F /dev/null -o BatchMode=yes -o ConnectTimeout=5")
    rt = Realtime(sb, mock.url, f"--project=far={host}/srv/far", f"--project=near={here}", "--socket", sb.socket,
                  env=env)
    rt.wait_type("session", state="ready")
    rt.wait_type("daemon", state="connected")

    rt.send({"type": "text", "text": "start it on the far machine"})
    far = rt.wait_line(lambda l: l.get("type") == "tool_result" and l["call_id"] == "call_1",
                       what="the far spawn's result")["output"]
    error = far.get("error", "")
    # Named as ptt-task names it: the host, the step that failed (ssh's connection), ssh's words.
    expect(far.get("ok") is False and error.startswith(f"host {host}: ssh could not connect to 127.0.0.1")
           and "Connection refused" in error, f"the far spawn's result: {far}")
    rt.wait_line(lambda l: l.get("type") == "response" and rt.count("response", state="done") >= 2,
                 what="the reply to the far spawn")

    rt.send({"type": "text", "text": "then here"})
    near = rt.wait_line(lambda l: l.get("type") == "tool_result" and l["call_id"] == "call_2",
                        what="the near spawn's result")["output"]
    expect(near.get("ok") is True and "host" not in near, f"the near spawn's result: {near}")

    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    said = [line for line in rt.stderr().splitlines() if f"host {host}:" in line]
    expect(said and "Connection refused" in said[0], f"stderr: {rt.stderr()}")
    expect(len(said) == 1, f"the same reason is said once, not on every retry: {said}")
    mock.expect_clean()
print("ok: an unreachable host's spawn is answered with ssh's reason; the local project still works")
