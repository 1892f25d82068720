"""A ptt-taskd speaking another protocol version is an error in both clients, not "connected".

A tiny fake daemon (here, on a Unix socket) answers every hello: one with ok and
another version (a daemon that does not check), one refusing with version_mismatch
(what a real ptt-taskd of another version says). ptt-realtime must say so on stderr,
with what to do, once however often it retries, print no "connected" line, send
nothing past the hello, and answer a tool call with the error; ptt-task must exit 3
(daemon unreachable) with the same advice."""
import json
import os
import socketserver
import threading

from ptt_harness import Sandbox, expect, start_thread, wait_until
from realtime_fixture import MockServer, Realtime

OTHER_VERSION = 999


class FakeDaemon(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def __init__(self, path, refuse):
        self.refuse = refuse
        self.ops = []  # every op received, in order, over all connections
        self.lock = threading.Lock()
        super().__init__(path, FakeDaemonConnection)

    def seen(self, op):
        with self.lock:
            return self.ops.count(op)


class FakeDaemonConnection(socketserver.StreamRequestHandler):
    def handle(self):
        for raw in self.rfile:
            msg = json.loads(raw)
            with self.server.lock:
                self.server.ops.append(msg.get("op"))
            if msg.get("op") != "hello":
                continue  # a daemon that spoke another version would not understand it either
            if self.server.refuse:
                reply = {"id": msg["id"], "ok": False,
                         "error": {"code": "version_mismatch",
                                   "message": f"this daemon speaks protocol version {OTHER_VERSION}"}}
            else:
                reply = {"id": msg["id"], "ok": True, "version": OTHER_VERSION, "server": "ptt-taskd 0.0"}
            self.wfile.write((json.dumps(reply) + "\n").encode())


def check(sb, refuse, name, wanted):
    path = sb.path(f"{name}.sock")
    fake = FakeDaemon(path, refuse)
    start_thread(fake.serve_forever, name=f"fake daemon {name}")
    try:
        mock = MockServer(sb, name=f"mock-{name}")
        rt = Realtime(sb, mock.url, "--project", f"demo={sb.root}", "--socket", path)
        rt.wait_type("session", state="ready")
        wait_until(lambda: wanted in rt.stderr(), 10, f"the version error on ptt-realtime's stderr ({name})")
        # The client retries every 2 s while the daemon is not usable: wait for a retry,
        # the error must not be printed again.
        wait_until(lambda: fake.seen("hello") >= 2, 10, f"a second hello ({name})")
        rt.send({"type": "text", "text": "spawn a task"})
        result = rt.wait_type("tool_result", name="spawn_task")
        expect(result["output"]["ok"] is False and wanted in result["output"]["error"], f"tool result: {result}")
        rt.close_stdin()
        expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
        rt.drain()
        err = rt.stderr()
        expect(err.count(f"ptt-realtime: error: {wanted}") == 1, f"stderr ({name}): {err}")
        expect(refuse or "but ptt-realtime speaks" in err, f"the tool is not named ({name}): {err}")
        expect("ptt-task shutdown" in err or "matching ptt-taskd" in err, f"no advice ({name}): {err}")
        expect(not [l for l in rt.lines if l.get("type") == "daemon"], f"a daemon state line ({name}): {rt.lines}")
        expect(set(fake.ops) == {"hello"}, f"sent past the hello ({name}): {fake.ops}")

        task = sb.run(["ptt-task", "--socket", path, "--no-autostart", "list"])
        expect(task.returncode == 3, f"ptt-task exit {task.returncode} ({name}): {task.stderr}")
        expect(task.stderr.startswith("ptt-task: ") and wanted in task.stderr, f"ptt-task stderr: {task.stderr}")
        expect(task.stdout == "", f"ptt-task stdout: {task.stdout}")
    finally:
        fake.shutdown()
        fake.server_close()


with Sandbox("rt-version") as sb:
    check(sb, False, "old", f"the daemon speaks protocol {OTHER_VERSION} but")
    check(sb, True, "newer", "the daemon speaks another protocol version")
print("ok: a daemon of another protocol version is an error in ptt-realtime and ptt-task")
