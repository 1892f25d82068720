"""A 4 MB audio delta, sent as one WebSocket message in 64 KB fragments, arrives whole
and every sample reaches the WAV."""
from mock_realtime_server import tone
from ptt_harness import Sandbox, expect
from realtime_fixture import MockServer, Realtime, pcm_from_wav

BIG = 4 * 1024 * 1024

with Sandbox("rt-big") as sb:
    mock = MockServer(sb, "--no-calls", "--big-delta-bytes", str(BIG))
    wav = sb.path("reply.wav")
    rt = Realtime(sb, mock.url, "--audio-out", wav, "--socket", sb.path("no-daemon.sock"))
    rt.wait_type("session", state="ready")
    rt.send({"type": "text", "text": "say something long"})
    done = rt.wait_type("response", state="done", timeout=60)
    expect(done["status"] == "completed", f"response: {done}")
    sent = mock.wait_for(lambda e: "big_delta_sent" in e, what="big delta")[0]["big_delta_sent"]
    expect(sent > BIG, f"the frame was only {sent} bytes")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    got = pcm_from_wav(wav)
    want = (tone(1, 1000) * (BIG // 48000 + 1))[:BIG]
    expect(len(got) == BIG, f"WAV has {len(got)} bytes of audio, wanted {BIG}")
    expect(got == want, "the samples differ from what the server sent")
    mock.expect_clean()
print(f"ok: one {sent}-byte message in fragments, {BIG} bytes of audio written intact")
