"""ptt-task never aborts on a malformed reply: whatever answers on the socket, a reply
of the wrong types, nested a million deep, or with times no task has is an error with
exit 3 ("ptt-task: error: ...", saying what to do next), or shown as it is; never
exit 134 (abort), 139 (stack overflow) or "please report this as a bug".

A fake daemon in Python answers hello and every request as each case says."""
import json
import socketserver

from ptt_harness import PROTOCOL_VERSION as VERSION
from ptt_harness import Sandbox, expect, start_thread

DEEP = "[" * 1_000_000 + "]" * 1_000_000
RECORD = {"id": 1, "state": "succeeded", "prompt": "p", "cwd": "/", "created_at": 1.0}
HELLO = {"ok": True, "version": VERSION}


def record(**fields):
    return json.dumps(dict(RECORD, **fields))


class FakeDaemon(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    hello = json.dumps(HELLO)
    reply = "{}"  # the text after {"id":N, (a raw JSON text, so it may be anything)


class Connection(socketserver.StreamRequestHandler):
    def handle(self):
        try:
            for raw in self.rfile:
                msg = json.loads(raw)
                body = self.server.hello if msg.get("op") == "hello" else self.server.reply
                self.wfile.write(('{"id":%d,' % msg["id"] + body.lstrip("{") + "\n").encode())
        except (BrokenPipeError, ConnectionResetError):
            pass  # ptt-task gave up on a reply it could not read: what is tested


# (what, hello, reply, ptt-task arguments, exit status, words stderr must have)
CASES = [
    ("hello version of the wrong type", '{"ok":true,"version":"one"}', "{}", ["ping"], 3, "restart the daemon"),
    ("hello version an array", '{"ok":true,"version":[1]}', "{}", ["list"], 3, "restart the daemon"),
    ("hello ok not a boolean", '{"ok":"yes","version":%d}' % VERSION, "{}", ["list"], 3, "refused"),
    ("hello error not an object", '{"ok":false,"error":5}', "{}", ["list"], 3, "refused"),
    ("hello nested a million deep", '{"ok":true,"version":' + DEEP + "}", "{}", ["ping"], 3,
     "nested deeper than 512 levels"),
    ("task a number", json.dumps(HELLO), '{"ok":true,"task":5}', ["status", "1"], 3, "same version"),
    ("task id a string", json.dumps(HELLO), '{"ok":true,"task":' + record(id="1") + "}", ["spawn", "x"], 3,
     "same version"),
    ("task state a number", json.dumps(HELLO), '{"ok":true,"task":' + record(state=5) + "}", ["result", "1"], 3,
     "same version"),
    ("result not an object", json.dumps(HELLO), '{"ok":true,"task":' + record(result=[1]) + "}",
     ["status", "1"], 3, "same version"),
    ("tasks of the wrong type", json.dumps(HELLO), '{"ok":true,"tasks":[' + record(id=None) + "]}", ["list"], 3,
     "same version"),
    ("wait's tasks of the wrong type", json.dumps(HELLO), '{"ok":true,"tasks":[5]}', ["wait", "1"], 3,
     "same version"),
    ("error of the wrong types", json.dumps(HELLO), '{"ok":false,"error":{"code":5,"message":[1]}}',
     ["status", "1"], 1, "refused"),
    ("a reply nested a million deep", json.dumps(HELLO), '{"ok":true,"task":' + DEEP + "}", ["status", "1"], 3,
     "nested deeper than 512 levels"),
    ("a list reply nested a million deep", json.dumps(HELLO), '{"ok":true,"tasks":' + DEEP + "}",
     ["list", "--json"], 3, "nested deeper than 512 levels"),
    ("a deep field in a --json record", json.dumps(HELLO), '{"ok":true,"task":' + record(options=json.loads("[" * 400 + "]" * 400)) + ',"x":' + DEEP + "}",
     ["status", "--json", "1"], 3, "nested deeper than 512 levels"),
    # Every `log` event carries its next_offset (where a reconnected logs -f goes on):
    # one without it is unreadable, not a line shown or skipped.
    ("a log line without next_offset", json.dumps(HELLO),
     '{"ok":true,"task":' + record() + ',"path":"/nonexistent"}\n{"event":"log","task":1,"line":"{}"}',
     ["logs", "1"], 3, "same version"),
    ("times out of any range", json.dumps(HELLO),
     '{"ok":true,"task":' + record(created_at=-1e300, started_at=1e300, finished_at=1e18) + "}", ["status", "1"],
     0, ""),
]

with Sandbox("task-malformed-replies") as sb:
    fake = FakeDaemon(sb.path("fake.sock"), Connection)
    start_thread(fake.serve_forever, name="fake daemon")
    try:
        for what, hello, reply, args, status, words in CASES:
            fake.hello, fake.reply = hello, reply
            r = sb.run(["ptt-task", "--socket", fake.server_address, "--no-autostart", *args], check=None)
            expect(r.returncode == status, f"{what}: exit {r.returncode}, wanted {status}; stderr {r.stderr[:400]!r}")
            expect("please report" not in r.stderr, f"{what}: reported as a bug: {r.stderr[:400]!r}")
            if status:
                expect(r.stderr.startswith("ptt-task: error: ") and words in r.stderr,
                       f"{what}: stderr {r.stderr[:400]!r} lacks {words!r}")
            if status == 3 and words != "refused":
                expect("ptt-task shutdown" in r.stderr or "matching ptt-taskd" in r.stderr,
                       f"{what}: no advice in {r.stderr[:400]!r}")
    finally:
        fake.shutdown()
        fake.server_close()
print("ok: malformed replies are errors (exit 3) in ptt-task, never an abort")
