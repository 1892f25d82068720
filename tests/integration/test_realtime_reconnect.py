"""The server drops the connection mid-response: ptt-realtime reconnects with backoff,
sends session.update again on the new connection, and the next turn works."""
from ptt_harness import Sandbox, expect
from realtime_fixture import MockServer, Realtime

with Sandbox("rt-reconnect") as sb:
    mock = MockServer(sb, "--no-calls", "--drop-on-response", "1", "--legacy-item-event")
    rt = Realtime(sb, mock.url, "--socket", sb.path("no-daemon.sock"))
    rt.wait_type("session", state="ready")
    rt.send({"type": "text", "text": "tell me a long story"})
    mock.wait_for(lambda e: "dropping" in e, what="the mock dropping the connection")
    rt.wait_type("session", state="disconnected")
    backoff = rt.wait_type("session", state="reconnecting")
    expect(backoff["in_ms"] == 500, f"first reconnect delay {backoff['in_ms']} ms, wanted 500")
    # A second ready: the new connection got its own session.update.
    rt.wait_line(lambda l: l.get("type") == "session" and l.get("state") == "ready" and
                 rt.count("session", state="ready") == 2, what="second session ready")
    updates = [e for e in mock.entries() if e.get("received", {}).get("type") == "session.update"]
    expect(sorted(u["connection"] for u in updates) == [1, 2], f"session.update per connection: {updates}")

    rt.send({"type": "text", "text": "are you back?"})
    rt.wait_type("transcript", role="assistant", text="mock reply 2")
    done = rt.wait_type("response", state="done")
    expect(done["status"] == "completed", f"response after reconnect: {done}")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    expect("reconnecting in 0.5 s" in rt.stderr(), f"stderr: {rt.stderr()}")
    mock.expect_clean()
print("ok: dropped mid-response, reconnected after 0.5 s, session.update re-sent, next turn answered")
