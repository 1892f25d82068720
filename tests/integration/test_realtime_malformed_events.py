"""Malformed server events are data: ptt-realtime logs each one and goes on. A "type"
that is not a string, fields of the wrong shape, a message that is not JSON and one
nested a million deep come right after session.updated; a normal turn then completes."""
from ptt_harness import Sandbox, expect
from realtime_fixture import MockServer, Realtime

DEEP = 1_000_000
BAD = [
    '{"type":5}',
    '{"type":null}',
    '{"type":["a"]}',
    '{"no_type":true}',
    '[1,2]',
    'this is not json',
    '{"type":"response.done","response":"garbage"}',
    '{"type":"response.done","response":{"status":7}}',
    '{"type":"error","error":{"code":3,"message":null,"param":' + "[" * DEEP + "]" * DEEP + '}}',
    '{"type":"response.function_call_arguments.done","call_id":7,"arguments":{"not":"a string"}}',
    '{"type":"response.output_audio.delta","delta":42,"item_id":[],"response_id":{}}',
]

with Sandbox("rt-malformed") as sb:
    bad_file = sb.path("bad-events.txt")
    with open(bad_file, "w") as f:
        f.write("\n".join(BAD) + "\n")
    mock = MockServer(sb, "--no-calls", "--after-updated", bad_file)
    rt = Realtime(sb, mock.url, "--socket", sb.path("no-daemon.sock"))
    rt.wait_type("session", state="ready")
    rt.send({"type": "text", "text": "are you still there?"})
    rt.wait_type("transcript", role="assistant")
    done = rt.wait_type("response", state="done")
    expect(done["status"] == "completed", f"the turn after the malformed events: {done}")
    rt.close_stdin()
    code = rt.wait_exit()
    err = rt.stderr()
    expect(code == 0, f"exit status {code}; stderr: {err[-2000:]}")
    expect(err.count("ptt-realtime: ignored a malformed server event") == 9, f"not every bad event was logged: {err}")
    expect("ptt-realtime: the server sent a message that is not JSON; ignored" in err, f"stderr: {err}")
    expect("ptt-realtime: the server sent a message nested too deeply; ignored" in err, f"stderr: {err}")
    expect([e["type"] for e in mock.received()][:1] == ["session.update"], "session.update was not first")
    mock.expect_clean()
print("ok: malformed server events are logged and the session goes on")
