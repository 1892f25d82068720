"""A spoken turn end to end: espeak-ng speech goes in as NDJSON audio, the mock Realtime
server answers with a spawn_task call, the real ptt-taskd runs the fake agent, the
finished task is announced, and the reply audio lands in a WAV that is checked."""
import os

from mock_realtime_server import tone
from ptt_harness import Sandbox, binary, expect
from realtime_fixture import KEY, MockServer, Realtime, audio_lines, pcm_from_wav, speak
from taskd_fixture import Taskd

with Sandbox("rt-turn") as sb:
    project = os.path.realpath(sb.path("proj"))
    os.makedirs(project)
    taskd = Taskd(sb, "--allow-root", project)
    agent_script = "tool Bash npm test; result success all 12 tests pass"
    mock = MockServer(sb, "--save-input", sb.path("input.raw"), "--spawn-prompt", agent_script,
                      "--spawn-project", "demo")
    reply_wav = sb.path("reply.wav")
    rt = Realtime(sb, mock.url, "--project", f"demo={project}", "--audio-out", reply_wav, "--socket", sb.socket)
    rt.wait_type("session", state="ready")
    rt.wait_type("daemon", state="connected")

    speech = speak(sb, "spawn a task in the demo project to run the tests")
    rt.send({"type": "ptt.start"})
    for line in audio_lines(speech):
        rt.send(line)
    rt.send({"type": "ptt.stop"})
    committed = rt.wait_type("turn", state="committed")
    expect(committed["ms"] == len(speech) // 48, f"committed {committed['ms']} ms of {len(speech) // 48}")
    rt.wait_line(lambda l: l.get("type") == "transcript" and l.get("role") == "user", what="user transcript")

    call = rt.wait_type("tool_call", name="spawn_task")
    expect(call["arguments"]["prompt"] == agent_script, f"arguments were not joined right: {call}")
    result = rt.wait_type("tool_result", name="spawn_task")
    expect(result["output"]["ok"] is True, f"spawn failed: {result}")
    task_id = result["output"]["task"]

    announcement = rt.wait_type("announcement", timeout=30)
    expect(f"task {task_id} 'mock-task' succeeded: all 12 tests pass" in announcement["text"],
           f"announcement text: {announcement}")
    # Three responses: the call, "task started", and the announcement.
    rt.wait_line(lambda l: l.get("type") == "response" and rt.count("response", state="done") >= 3,
                 what="third response.done")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"ptt-realtime exited non-zero: {rt.stderr()}")

    # The mock heard exactly the speech, and each call was answered with its own call_id.
    with open(sb.path("input.raw"), "rb") as f:
        expect(f.read() == speech, "the audio the server got differs from the WAV sent")
    outputs = [e["item"] for e in mock.received("conversation.item.create") if e["item"]["type"] == "function_call_output"]
    expect([o["call_id"] for o in outputs] == ["call_1"], f"function_call_outputs: {outputs}")
    system_items = [e["item"] for e in mock.received("conversation.item.create") if e["item"].get("role") == "system"]
    expect(len(system_items) == 1, f"announcement items sent: {system_items}")
    mock.expect_clean()

    # The task really ran in the project chosen by name.
    c = taskd.client()
    rec = c.request("get", task=task_id)["task"]
    expect(rec["cwd"] == project and rec["state"] == "succeeded", f"task record: {rec}")

    # Reply audio: response 2 ("task started") then response 3 (the announcement), sample for sample.
    got = pcm_from_wav(reply_wav)
    want = tone(2, 300) + tone(3, 300)
    expect(got == want, f"reply WAV has {len(got)} bytes, wanted {len(want)} (or the samples differ)")
    expect(KEY not in rt.stderr() and all(KEY not in str(l) for l in rt.lines), "the API key was printed")
print("ok: speech -> commit -> spawn_task -> task ran -> announced -> reply audio in the WAV")
