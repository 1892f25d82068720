"""Runs ptt-realtime against the mock Realtime server (tests/support/mock_realtime_server.py).

The mock prints "PORT n" when it listens and logs what the client sent (NDJSON) to a
file; ptt-realtime's stdout lines are collected by a thread. Every wait polls for a
line or a log entry, never a fixed sleep.
"""
import base64
import json
import os
import queue
import subprocess
import time
import wave

from ptt_harness import OPENAI_KEY, SOURCE_DIR, TIMEOUT_FACTOR, expect, fail, readline, start_thread

MOCK = os.path.join(SOURCE_DIR, "tests", "support", "mock_realtime_server.py")
KEY = OPENAI_KEY


class MockServer:
    def __init__(self, sb, *args, name="mock"):
        self.log_path = sb.path(f"{name}.log")
        self.err_path = sb.path(f"{name}.err")
        self.err = open(self.err_path, "w")
        self.proc = sb.start(["/usr/bin/python3", MOCK, "--key", KEY, "--log", self.log_path, *args],
                             stdout=subprocess.PIPE, stderr=self.err, text=True)
        line = readline(self.proc.stdout, what="the mock's PORT line")
        expect(line.startswith("PORT "), f"mock did not start: {line!r} {open(self.err_path).read()}")
        self.port = int(line.split()[1])
        self.url = f"ws://127.0.0.1:{self.port}/v1/realtime?model=gpt-realtime"

    def entries(self):
        if not os.path.exists(self.log_path):
            return []
        with open(self.log_path) as f:
            return [json.loads(line) for line in f if line.endswith("\n")]

    def received(self, kind=None):
        return [e["received"] for e in self.entries()
                if "received" in e and (kind is None or e["received"].get("type") == kind)]

    def violations(self):
        return [e["violation"] for e in self.entries() if "violation" in e]

    def wait_for(self, predicate, timeout=20.0, what="mock log entry"):
        deadline = time.monotonic() + timeout * TIMEOUT_FACTOR
        delay = 0.002
        while time.monotonic() < deadline:
            found = [e for e in self.entries() if predicate(e)]
            if found:
                return found
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        fail(f"timed out waiting for {what}; mock log:\n" + "\n".join(json.dumps(e)[:200] for e in self.entries()[-20:]))

    def expect_clean(self):
        v = self.violations()
        expect(not v, f"the mock saw protocol violations: {v}")


class Realtime:
    """A running ptt-realtime with NDJSON stdin and collected stdout lines."""

    def __init__(self, sb, url, *args, env=None):
        env = dict(env or sb.env)
        env["OPENAI_API_KEY"] = KEY
        sb.realtimes = getattr(sb, "realtimes", 0) + 1
        suffix = "" if sb.realtimes == 1 else f"-{sb.realtimes}"
        self.err_path = sb.path(f"realtime{suffix}.err")
        self.err = open(self.err_path, "w")
        self.out = open(sb.path(f"realtime{suffix}.out"), "wb")  # a copy of stdout, for the key check
        self.proc = sb.start(["ptt-realtime", "--url", url, *args], env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=self.err)
        self.lines = []
        self.q = queue.Queue()
        self.reader = start_thread(self._read, name="ptt-realtime's stdout reader")

    def _read(self):
        for raw in self.proc.stdout:
            out = getattr(self, "out", None)  # subclasses (the bench's peer) may not tee
            if out:
                out.write(raw)
                out.flush()
            try:
                obj = json.loads(raw)
            except ValueError:
                obj = {"unparsed": raw.decode(errors="replace")}
            self.q.put(obj)

    def send(self, obj):
        self.proc.stdin.write((json.dumps(obj) + "\n").encode())
        self.proc.stdin.flush()

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def close_stdin(self):
        self.proc.stdin.close()

    def wait_line(self, predicate, timeout=20.0, what="output line"):
        """Returns the first line (seen so far or arriving) matching predicate."""
        for line in self.lines:
            if predicate(line):
                return line
        deadline = time.monotonic() + timeout * TIMEOUT_FACTOR
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                fail(f"timed out waiting for {what}; stdout so far: {self.lines[-15:]}\nstderr: {self.stderr()}")
            try:
                line = self.q.get(timeout=left)
            except queue.Empty:
                continue
            self.lines.append(line)
            if predicate(line):
                return line

    def wait_type(self, type_, timeout=20.0, **fields):
        return self.wait_line(lambda l: l.get("type") == type_ and all(l.get(k) == v for k, v in fields.items()),
                              timeout, f"{type_} {fields}")

    def count(self, type_, **fields):
        self.drain()
        return sum(1 for l in self.lines if l.get("type") == type_ and all(l.get(k) == v for k, v in fields.items()))

    def drain(self):
        while True:
            try:
                self.lines.append(self.q.get_nowait())
            except queue.Empty:
                return

    def wait_exit(self, timeout=15):
        code = self.proc.wait(timeout=timeout)  # scaled by the harness
        self.reader.join(timeout)  # every line it printed is in self.q (or self.lines) now
        return code

    def stderr(self):
        self.err.flush()
        with open(self.err_path) as f:
            return f.read()


def pcm_from_wav(path):
    with wave.open(path) as w:
        expect(w.getframerate() == 24000 and w.getnchannels() == 1 and w.getsampwidth() == 2,
               f"{path} is not 24 kHz mono PCM16")
        return w.readframes(w.getnframes())


def audio_lines(pcm, chunk_ms=20):
    """NDJSON audio events as ptt-listen sends them: 20 ms of base64 PCM16 each."""
    step = 24000 * 2 * chunk_ms // 1000
    return [{"type": "audio", "data": base64.b64encode(pcm[i:i + step]).decode()} for i in range(0, len(pcm), step)]


def speak(sb, text, name="speech"):
    """espeak-ng speech as 24 kHz mono PCM16 (sox -D: byte-reproducible)."""
    raw = sb.path(f"{name}22k.wav")
    out = sb.path(f"{name}.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", raw, text], check=True, capture_output=True)
    subprocess.run(["sox", "-D", raw, "-r", "24000", "-c", "1", "-b", "16", out], check=True, capture_output=True)
    return pcm_from_wav(out)
