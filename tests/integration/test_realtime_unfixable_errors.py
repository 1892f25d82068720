"""Errors no reconnect can fix end ptt-realtime with exit status 1 and what to do (quota,
an unknown model, refused session settings, HTTP 404), instead of retrying forever; and
reasoning settings go only to the models that take them."""
import os
import subprocess

from ptt_harness import Sandbox, expect, readline
from realtime_fixture import MockServer, Realtime

with Sandbox("rt-unfixable") as sb:
    no_daemon = sb.path("no-daemon.sock")

    def ends_with(mock, words, *args):
        rt = Realtime(sb, mock.url, "--socket", no_daemon, *args)
        code = rt.wait_exit()  # stdin stays open: only the error can end it
        expect(code == 1, f"exit {code}; stderr: {rt.stderr()}")
        expect(f"ptt-realtime: error: {words}" in rt.stderr(), f"stderr: {rt.stderr()}")
        expect(rt.count("error", source="realtime") == 1, f"stdout: {rt.lines}")
        connections = [e for e in mock.entries() if "connected" in e]
        expect(len(connections) == 1, f"it reconnected: {connections}")
        return rt

    ends_with(MockServer(sb, "--error-on-connect", "insufficient_quota", name="quota"),
              "the OpenAI account has no quota or credit left")
    ends_with(MockServer(sb, "--error-on-connect", "model_not_found", name="model"),
              "the Realtime model 'gpt-realtime-2.1' is not available", "--model", "gpt-realtime-2.1")
    rt = ends_with(MockServer(sb, "--refuse-session-update", name="refused"),
                   "the server refused the session settings: Invalid value: 'nova'", "--voice", "nova")
    expect("check --model, --voice" in rt.stderr(), f"no next step: {rt.stderr()}")

    # A URL that is not a Realtime endpoint answers 404: no retry helps.
    os.makedirs(sb.path("www"), exist_ok=True)
    web = sb.start(["/usr/bin/python3", "-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory",
                    sb.path("www"), "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = int(readline(web.stdout, what="http.server's port line").split(" port ")[1].split()[0])
    rt = Realtime(sb, f"ws://127.0.0.1:{port}/v1/realtime?model=gpt-realtime-2.1", "--socket", no_daemon)
    expect(rt.wait_exit() == 1, f"HTTP 404 did not end it: {rt.stderr()}")
    expect("(HTTP 404); check --url and --model" in rt.stderr(), f"stderr: {rt.stderr()}")

    # Reasoning: sent to the default model (low), to an older model never (the mock
    # refuses it there, as the API does).
    for args, effort in (([], "low"), (["--reasoning-effort", "medium"], "medium"),
                         (["--model", "gpt-realtime"], None)):
        mock = MockServer(sb, "--no-calls", name=f"reasoning-{effort}")
        rt = Realtime(sb, mock.url, "--socket", no_daemon, *args)
        rt.wait_type("session", state="ready")
        rt.close_stdin()
        expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
        session = mock.received("session.update")[0]["session"]
        expect(session.get("reasoning") == ({"effort": effort} if effort else None), f"{args}: {session}")
        mock.expect_clean()
print("ok: quota, unknown model, refused settings and HTTP 404 end the session; reasoning only where taken")
