"""--renew-after: ptt-realtime renews the session itself before the server's limit, at a
free floor (not during a response), says `session: renewed`, and the turn after it is
answered in the new session, which was told the earlier turns first."""
from ptt_harness import Sandbox, expect
from realtime_fixture import MockServer, Realtime

with Sandbox("rt-renewal-planned") as sb:
    mock = MockServer(sb, "--no-calls", "--expect-carried", "first question", "--delta-interval-ms", "20")
    rt = Realtime(sb, mock.url, "--socket", sb.path("no-daemon.sock"), "--renew-after", "0.02")  # 1.2 s
    rt.wait_type("session", state="ready")
    rt.send({"type": "text", "text": "first question"})
    rt.wait_type("response", state="done")
    renewing = rt.wait_type("session", state="renewing", timeout=30)
    expect("--renew-after" in renewing["reason"], f"renewing line: {renewing}")
    rt.wait_type("session", state="renewed")
    rt.send({"type": "text", "text": "second question"})
    rt.wait_line(lambda l: l.get("type") == "response" and rt.count("response", state="done") >= 2,
                 what="the second answer")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    # No response was cut by the renewal, and the second question went to the new session.
    done = [l for l in rt.lines if l.get("type") == "response"]
    expect(all(d["status"] == "completed" for d in done), f"responses: {done}")
    texts = [(e["connection"], e["received"]["item"]["content"][0]["text"]) for e in mock.entries()
             if e.get("received", {}).get("type") == "conversation.item.create"]
    expect((1, "first question") in texts and (2, "second question") in texts, f"items: {texts}")
    expect("renewing the Realtime session" in rt.stderr(), rt.stderr())
    mock.expect_clean()
print("ok: --renew-after renewed at a free floor, carried the turn, answered the next in the new session")
