"""Runs the mock transcription endpoint (mock_transcribe_server.py) for dictation tests.

The mock prints "PORT n" when it listens and logs each request it checked as one NDJSON
line; waits poll that log, never a fixed sleep.
"""
import hashlib
import json
import os
import subprocess

from ptt_harness import OPENAI_KEY, SOURCE_DIR, expect, readline, wait_until

MOCK = os.path.join(SOURCE_DIR, "tests", "support", "mock_transcribe_server.py")
KEY = OPENAI_KEY


class MockTranscribe:
    def __init__(self, sb, *args, name="transcribe"):
        self.log_path = sb.path(f"{name}.log")
        self.err_path = sb.path(f"{name}.err")
        self.proc = sb.start(["/usr/bin/python3", MOCK, "--key", KEY, "--log", self.log_path, *args],
                             stdout=subprocess.PIPE, stderr=open(self.err_path, "w"), text=True)
        line = readline(self.proc.stdout, what="the mock's PORT line")
        expect(line.startswith("PORT "), f"mock did not start: {line!r} {open(self.err_path).read()}")
        self.base_url = f"http://127.0.0.1:{int(line.split()[1])}/v1"

    def entries(self):
        if not os.path.exists(self.log_path):
            return []
        with open(self.log_path) as f:
            return [json.loads(l) for l in f if l.endswith("\n")]

    def answered(self):
        return [e for e in self.entries() if "answered" in e]

    def wait_for(self, predicate, timeout=20.0, what="a request"):
        return wait_until(lambda: [e for e in self.entries() if predicate(e)], timeout, what)

    def expect_clean(self):
        bad = [(e["request"], e["violations"]) for e in self.answered() if e["violations"]]
        expect(not bad, f"the mock saw bad uploads: {bad}")


def sha(pcm):
    return hashlib.sha256(pcm).hexdigest()


def dictation_env(sb, key=KEY):
    env = dict(sb.env)
    env["OPENAI_API_KEY"] = key
    env.pop("OPENAI_BASE_URL", None)
    return env
