"""ptt-realtime against a port nobody listens on: every retry line on stderr names the
URL and the reason (connection refused), and the readable view says so too."""
import socket

from ptt_harness import Sandbox, expect, wait_until
from realtime_fixture import Realtime

with Sandbox("rt-closed") as sb:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nobody listens there now
    url = f"ws://127.0.0.1:{port}/v1/realtime?model=gpt-realtime"
    rt = Realtime(sb, url, "--socket", sb.path("none.sock"))

    def retry_lines():
        return [l for l in rt.stderr().splitlines() if "reconnecting in" in l]

    wait_until(lambda: len(retry_lines()) >= 2, 10, f"two retry lines; stderr: {rt.stderr()}")
    for line in retry_lines():
        expect(line.startswith(f"ptt-realtime: cannot connect to {url} (") and "connection refused" in line.lower(),
               f"a retry line without the URL or the reason: {line!r}")
    event = rt.wait_type("session", state="reconnecting")
    expect("connection refused" in event.get("reason", "").lower(), f"reconnecting event: {event}")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    count = len(retry_lines())
print(f"ok: {count} retry lines name {url} and the reason")
