"""What the Realtime API does that a first reading misses, against the mock that does it too:
VAD barge-in keeps the user's words (no clear, no cancel: the server cancels), a call of a
cancelled response is not run, failed and incomplete responses and failed transcriptions
say why."""
from ptt_harness import Sandbox, expect
from realtime_fixture import MockServer, Realtime, audio_lines

with Sandbox("rt-api") as sb:
    no_daemon = sb.path("no-daemon.sock")

    # --- server VAD: the user talks over the reply ----------------------------------
    mock = MockServer(sb, "--no-calls", "--reply-ms", "3000", "--delta-interval-ms", "40", name="vad")
    rt = Realtime(sb, mock.url, "--vad", "server", "--audio-out", sb.path("reply.wav"), "--socket", no_daemon)
    rt.wait_type("session", state="ready")
    for line in audio_lines(b"\x01\x00" * 7200):  # 300 ms: speech starts, stops, the server answers
        rt.send(line)
    mock.wait_for(lambda e: e.get("offset", 0) >= 4 * 4800, what="five audio deltas of the reply")
    before = len(mock.received())
    for line in audio_lines(b"\x02\x00" * 2400):  # 100 ms: speech starts again, over the reply
        rt.send(line)
    barge = rt.wait_type("barge_in")
    cancelled = rt.wait_type("response", status="cancelled")
    expect(cancelled.get("reason") == "turn_detected", f"response line: {cancelled}")
    truncate = mock.wait_for(lambda e: e.get("received", {}).get("type") == "conversation.item.truncate",
                             what="the truncate")[0]["received"]
    expect(truncate["audio_end_ms"] == barge["played_ms"] > 0, f"truncate {truncate} vs {barge}")
    kinds = [e["type"] for e in mock.received()[before:]]
    expect("input_audio_buffer.clear" not in kinds, f"the user's speech was cleared: {kinds}")
    expect("response.cancel" not in kinds, f"a cancel was sent though the server cancels: {kinds}")
    for line in audio_lines(b"\x03\x00" * 4800):  # the rest of the interruption is answered
        rt.send(line)
    rt.wait_type("response", status="completed")
    heard = [l["text"] for l in rt.lines if l.get("type") == "transcript" and l.get("role") == "user"]
    expect(heard[-1] == "(mock heard 300 ms)", f"the interruption's first words were lost: {heard}")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    mock.expect_clean()

    # --- a function call in a cancelled response is answered as not run -------------
    mock = MockServer(sb, "--cancel-calls", name="cancelled-call")
    rt = Realtime(sb, mock.url, "--project", f"demo={sb.root}", "--socket", no_daemon)
    rt.wait_type("session", state="ready")
    rt.send({"type": "text", "text": "spawn a task"})
    not_run = rt.wait_type("tool_call", call_id="call_1")
    expect("not run" in not_run.get("not_run", ""), f"tool_call line: {not_run}")
    output = mock.wait_for(lambda e: e.get("received", {}).get("item", {}).get("type") == "function_call_output",
                           what="the call's output")[0]["received"]["item"]
    expect("not run" in output["output"], f"output: {output}")
    rt.wait_type("response", status="cancelled")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    expect(rt.count("tool_result") == 0, f"the call ran: {rt.lines}")  # a run would say ptt-taskd is down
    expect(mock.received("response.create") == [mock.received("response.create")[0]],
           "a response was asked for after the call that was not run")
    mock.expect_clean()

    # --- failed and incomplete responses, a failed transcription --------------------
    mock = MockServer(sb, "--no-calls", "--fail-response", "1", "--incomplete-response", "2",
                      "--transcription-fails", name="reasons")
    rt = Realtime(sb, mock.url, "--socket", no_daemon)
    rt.wait_type("session", state="ready")
    rt.send({"type": "text", "text": "hello"})
    error = rt.wait_type("error", source="realtime")
    expect(error["code"] == "server_error" and "server had an error" in error["message"], f"error: {error}")
    rt.wait_type("response", status="failed")
    rt.send({"type": "text", "text": "again"})
    incomplete = rt.wait_type("response", status="incomplete")
    expect(incomplete.get("reason") == "max_output_tokens", f"response line: {incomplete}")
    rt.send({"type": "ptt.start"})
    for line in audio_lines(b"\x01\x00" * 7200):
        rt.send(line)
    rt.send({"type": "ptt.stop"})
    failed = rt.wait_type("error", source="transcription")
    expect(failed["code"] == "audio_unintelligible", f"transcription error: {failed}")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    err = rt.stderr()
    for words in ("the response failed", "max_output_tokens", "could not be transcribed"):
        expect(words in err, f"stderr does not say {words!r}: {err}")
    mock.expect_clean()
print("ok: VAD barge-in, cancelled call not run, failed/incomplete responses, failed transcription")
