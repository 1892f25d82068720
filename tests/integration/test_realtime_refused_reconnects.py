"""The server drops mid-response, then refuses the next three reconnects (HTTP 503, an
upgrade closed at once with 1013, HTTP 503 again). ptt-realtime backs off 0.5, 1, 2, 4 s,
keeps what happened meanwhile (a typed turn, a spoken turn and a finished task's
announcement are held, then delivered on the connection that works) and answers."""
import os

from ptt_harness import Sandbox, expect
from realtime_fixture import MockServer, Realtime, audio_lines
from taskd_fixture import Taskd, spawn, wait_tasks

REFUSALS = 3
DELAYS_MS = [500, 1000, 2000, 4000]  # the drop, then one per refusal

with Sandbox("rt-refused") as sb:
    project = os.path.realpath(sb.path("proj"))
    os.makedirs(project)
    taskd = Taskd(sb, "--allow-root", project)
    mock = MockServer(sb, "--no-calls", "--drop-on-response", "1", "--refuse-after-drop", str(REFUSALS))
    rt = Realtime(sb, mock.url, "--project", f"demo={project}", "--socket", sb.socket)
    rt.wait_type("session", state="ready")
    rt.wait_type("daemon", state="connected")
    rt.send({"type": "text", "text": "tell me a long story"})
    mock.wait_for(lambda e: "dropping" in e, what="the mock dropping the connection")
    rt.wait_type("session", state="disconnected")
    rt.wait_type("session", state="reconnecting")

    # While the server is away: a typed turn, a 300 ms spoken turn, and a task that finishes.
    rt.send({"type": "text", "text": "are you back?"})
    speech = b"\x03\x01" * 7200
    rt.send({"type": "ptt.start"})
    for line in audio_lines(speech):
        rt.send(line)
    rt.send({"type": "ptt.stop"})
    expect(rt.wait_type("turn", state="committed")["ms"] == 300, "the offline turn was not taken")
    c = taskd.client()
    task = spawn(c, "result success built while offline", project, name="offline-task")
    expect(wait_tasks(c, [task])[task]["state"] == "succeeded", "the task did not succeed")
    rt.wait_line(lambda l: l.get("type") == "task" and l.get("event") == "finished", what="task finished line")
    expect(mock.entries()[-1].get("connected") != 2 and rt.count("session", state="ready") == 1,
           "reconnected before the offline input was made; the test proves nothing")

    # Reconnected at last: the held turn and the announcement go out on connection 2.
    rt.wait_line(lambda l: l.get("type") == "session" and l.get("state") == "ready" and
                 rt.count("session", state="ready") == 2, timeout=30, what="second session ready")
    announcement = rt.wait_type("announcement")
    expect(f"task {task} 'offline-task' succeeded" in announcement["text"], f"announcement: {announcement}")
    rt.wait_type("transcript", role="assistant", text="mock reply 2")
    done = rt.wait_type("response", state="done")
    expect(done["status"] == "completed", f"response after reconnect: {done}")

    # Backoff, as reported on stdout and stderr: 0.5 s, doubling per failed attempt.
    delays = [l["in_ms"] for l in rt.lines if l.get("type") == "session" and l.get("state") == "reconnecting"]
    expect(delays == DELAYS_MS, f"reconnect delays {delays}, wanted {DELAYS_MS}")
    err = rt.stderr()
    for d in DELAYS_MS:
        expect(f"reconnecting in {d / 1000:.1f} s" in err, f"no 'reconnecting in {d / 1000:.1f} s' on stderr: {err}")
    expect("HTTP 503" in err, f"the 503 is not reported: {err}")

    # ...and as the server saw it: each attempt waited at least the announced delay.
    entries = mock.entries()
    t_drop = next(e["t"] for e in entries if "dropping" in e)
    attempts = [e for e in entries if "refused" in e or e.get("connected") == 2]
    expect([a.get("how") for a in attempts] == ["http 503", "close 1013", "http 503", None],
           f"attempts seen by the mock: {attempts}")
    times = [t_drop] + [a["t"] for a in attempts]
    gaps = [b - a for a, b in zip(times, times[1:])]
    for gap, want in zip(gaps, DELAYS_MS):
        expect(gap >= want / 1000 * 0.9, f"attempt gaps {gaps} s, wanted at least {DELAYS_MS} ms")

    # Connection 2 got session.update first, then the conversation carried over (a note, the
    # turn of connection 1, the task states), then the held turns in order, the
    # announcement, and one response.create for all of it.
    on2 = [e["received"] for e in entries if e.get("connection") == 2 and "received" in e]
    carried = [r["item"]["content"][0]["text"] for r in on2[1:4]]
    expect(carried[0].startswith("[session renewed]") and carried[1] == "tell me a long story" and
           carried[2].startswith("[task states]"), f"carried over: {carried}")
    on2 = on2[:1] + on2[4:]
    kinds = []
    for r in on2:
        kind = (r["type"], r.get("item", {}).get("role"))
        if not (kinds and kind == kinds[-1] == ("input_audio_buffer.append", None)):
            kinds.append(kind)
    expect(kinds[:6] == [("session.update", None), ("conversation.item.create", "user"),
                         ("input_audio_buffer.append", None), ("input_audio_buffer.commit", None),
                         ("conversation.item.create", "system"), ("response.create", None)],
           f"connection 2 received: {kinds}")
    expect(on2[1]["item"]["content"][0]["text"] == "are you back?", f"held turn: {on2[1]}")
    held_audio = sum(r["audio"] for r in on2 if r["type"] == "input_audio_buffer.append")
    expect(held_audio == len(speech), f"held audio: {held_audio} bytes of {len(speech)}")
    expect(not any(r.get("item", {}).get("content", [{}])[0].get("text") == "are you back?"
                   for e in entries if e.get("connection") == 1 for r in [e.get("received", {})]),
           "the offline turn went to the dead connection")

    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    mock.expect_clean()
print(f"ok: dropped, refused {REFUSALS} reconnects, backed off {DELAYS_MS} ms, held turns and announcement delivered")
