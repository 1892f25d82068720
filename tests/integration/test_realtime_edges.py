"""Barge-in, a too-short turn, malformed stdin, a daemon that is down, and a rejected key."""
from ptt_harness import OPENAI_WRONG_KEY, Sandbox, expect
from realtime_fixture import KEY, MockServer, Realtime, audio_lines

with Sandbox("rt-edges") as sb:
    # --- barge-in while the reply is still being generated and played ---------------
    mock = MockServer(sb, "--no-calls", "--reply-ms", "3000", "--delta-interval-ms", "40")
    rt = Realtime(sb, mock.url, "--audio-out", sb.path("reply.wav"), "--socket", sb.path("no-daemon.sock"))
    rt.wait_type("session", state="ready")
    rt.send_raw(b"this is not json\n")
    rt.send({"type": "text", "text": "talk for a while"})
    mock.wait_for(lambda e: e.get("offset", 0) >= 4 * 4800, what="five audio deltas")
    rt.send({"type": "ptt.start"})
    barge = rt.wait_type("barge_in")
    expect(barge["played_ms"] > 0, f"nothing counted as played: {barge}")
    mock.wait_for(lambda e: e.get("received", {}).get("type") == "input_audio_buffer.clear", what="clear")
    kinds = [e["type"] for e in mock.received()]
    i = kinds.index("response.cancel")
    expect(kinds[i:i + 3] == ["response.cancel", "conversation.item.truncate", "input_audio_buffer.clear"],
           f"barge-in sequence: {kinds[i:i + 3]}")
    truncate = mock.received("conversation.item.truncate")[0]
    expect(0 < truncate["audio_end_ms"] <= 3000 and truncate["audio_end_ms"] == barge["played_ms"],
           f"truncate: {truncate} vs {barge}")
    cancelled = mock.wait_for(lambda e: "response_done" in e, what="cancelled response done")[0]
    expect(cancelled["status"] == "cancelled", f"response status {cancelled}")

    # --- a 40 ms turn is too short: cleared, no commit, no response -----------------
    for line in audio_lines(b"\x01\x00" * 960):
        rt.send(line)
    rt.send({"type": "ptt.stop"})
    short = rt.wait_type("turn", state="too_short")
    expect(short["ms"] == 40, f"too_short: {short}")
    expect(mock.received("input_audio_buffer.commit") == [], "a too-short turn was committed")

    # --- the next turn is committed and answered --------------------------------------
    rt.send({"type": "ptt.start"})
    for line in audio_lines(b"\x02\x00" * 7200):  # 300 ms
        rt.send(line)
    rt.send({"type": "ptt.stop"})
    rt.wait_type("turn", state="committed")
    rt.wait_line(lambda l: l.get("type") == "response" and rt.count("response", state="done") >= 2,
                 what="the second response")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    expect("stdin line 1: invalid JSON" in rt.stderr(), f"malformed line not reported: {rt.stderr()}")
    mock.expect_clean()

    # --- tools with ptt-taskd down ------------------------------------------------
    mock2 = MockServer(sb, name="mock2")
    rt2 = Realtime(sb, mock2.url, "--project", f"demo={sb.root}", "--socket", sb.path("no-daemon.sock"))
    rt2.wait_type("session", state="ready")
    rt2.send({"type": "text", "text": "spawn a task"})
    result = rt2.wait_type("tool_result", name="spawn_task")
    expect(result["output"]["ok"] is False and "not reachable" in result["output"]["error"], f"result: {result}")
    rt2.wait_type("transcript", role="assistant")  # the model got the error and spoke
    outputs = mock2.received("conversation.item.create")
    expect(any(o["item"].get("call_id") == "call_1" for o in outputs), "the call was not answered")
    rt2.close_stdin()
    expect(rt2.wait_exit() == 0, f"exit status; stderr: {rt2.stderr()}")
    mock2.expect_clean()

    # --- a rejected key: exit 2, a clear message, the key never printed ------------
    env = dict(sb.env)
    bad = sb.run(["ptt-realtime", "--url", mock2.url], input="", env=dict(env, OPENAI_API_KEY=OPENAI_WRONG_KEY))
    expect(bad.returncode == 2, f"exit {bad.returncode}: {bad.stderr}")
    expect("OPENAI_API_KEY was rejected" in bad.stderr, f"stderr: {bad.stderr}")
    expect(OPENAI_WRONG_KEY not in bad.stderr + bad.stdout, "the rejected key was printed")
    missing = sb.run(["ptt-realtime", "--url", mock2.url], input="", env={k: v for k, v in env.items()
                                                                          if k != "OPENAI_API_KEY"})
    expect(missing.returncode == 2 and "OPENAI_API_KEY is not set" in missing.stderr, f"no key: {missing.stderr}")
    expect(KEY not in rt.stderr() + rt2.stderr(), "the key was printed")
print("ok: barge-in, too-short turn, malformed line, daemon down, rejected key")
