"""At end of stdin the session finishes what is in flight, then exits 0; work that takes
longer than --drain-timeout is left behind so the exit stays prompt."""
import time

from ptt_harness import Sandbox, expect
from realtime_fixture import MockServer, Realtime

with Sandbox("rt-eof") as sb:
    mock = MockServer(sb, "--no-calls", "--delta-interval-ms", "20")
    rt = Realtime(sb, mock.url, "--socket", sb.path("none.sock"))
    rt.send({"type": "text", "text": "answer after I hang up"})
    rt.close_stdin()  # before the session is even up
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    rt.wait_type("transcript", role="assistant", text="mock reply 1", timeout=1)
    rt.wait_type("response", state="done", timeout=1)

    # A 20 s reply: ptt-realtime must be gone while the mock is still sending it.
    slow = MockServer(sb, "--no-calls", "--reply-ms", "20000", "--delta-interval-ms", "100", name="slow")
    rt2 = Realtime(sb, slow.url, "--socket", sb.path("none.sock"), "--drain-timeout", "0.5")
    rt2.wait_type("session", state="ready")
    rt2.send({"type": "text", "text": "a long answer"})
    slow.wait_for(lambda e: "audio_delta" in e, what="the reply to start")
    started = time.monotonic()
    rt2.close_stdin()
    expect(rt2.wait_exit() == 0, f"exit status; stderr: {rt2.stderr()}")
    took = time.monotonic() - started
    expect(not slow.entries() or not any("response_done" in e for e in slow.entries()),
           f"ptt-realtime waited for the whole reply ({took:.1f} s) with --drain-timeout 0.5")
    expect("did not finish in 0.5 s" in rt2.stderr(), f"stderr: {rt2.stderr()}")
    expect(rt2.count("response", state="done") == 0, "the slow reply was not cut short")
    mock.expect_clean()
print(f"ok: in-flight reply finished after EOF; a slow one was left after {took:.2f} s")
