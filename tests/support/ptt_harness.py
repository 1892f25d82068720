"""Integration-test helpers: start the real ptt binaries in a private sandbox.

Every test gets its own temp dir, socket path, state dir and HOME, so tests never
share a daemon. Readiness is waited for (a socket that accepts, a line on a
stream), never assumed after a fixed sleep.
"""
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

BIN_DIR = os.environ.get("PTT_BIN_DIR", "")
TEST_BIN_DIR = os.environ.get("PTT_TEST_BIN_DIR", "")
SOURCE_DIR = os.environ.get("PTT_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
SKIP = 77  # ctest SKIP_RETURN_CODE
# Waits for readiness scale by this (the ASan suite sets 3: everything runs slower there).
TIMEOUT_FACTOR = float(os.environ.get("PTT_TIMEOUT_FACTOR") or 1)

# The one OpenAI key every test uses (Sandbox sets it; mocks accept it), and the one a
# rejecting mock gets. After the run, tests/support/key_leak_check.py greps every test's
# output and the sandboxes' files (kept under build/test-artifacts/) for KEY_SENTINEL_PREFIX:
# ptt must never print or store the key.
KEY_SENTINEL_PREFIX = "sk-ptt-sentinel-"
OPENAI_KEY = KEY_SENTINEL_PREFIX + "do-not-print-5d2c"
OPENAI_WRONG_KEY = KEY_SENTINEL_PREFIX + "wrong-9b71"


def under_asan(pid):
    """True when pid runs an AddressSanitizer build, whose quarantine keeps freed memory on
    purpose (so RSS bounds do not hold). The ASan suite sets PTT_SANITIZE; its runtime is
    linked statically there, so it does not show in the maps."""
    if os.environ.get("PTT_SANITIZE") == "1":
        return True
    with open(f"/proc/{pid}/maps") as f:
        return "libasan" in f.read()


def skip(reason):
    print(f"SKIP: {reason}", flush=True)
    sys.exit(SKIP)


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def binary(name):
    for d in (BIN_DIR, TEST_BIN_DIR):
        p = os.path.join(d, name)
        if d and os.path.exists(p):
            return p
    fail(f"binary {name} not found in {BIN_DIR} or {TEST_BIN_DIR}")


def wait_until(predicate, timeout=10.0, what="condition"):
    """Polls predicate with a short back-off until true; fails after timeout."""
    timeout *= TIMEOUT_FACTOR
    deadline = time.monotonic() + timeout
    delay = 0.001
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


class Sandbox:
    """A private directory tree and environment for one test."""

    def __init__(self, name="ptt"):
        self.root = tempfile.mkdtemp(prefix=f"{name}-")
        self.socket = os.path.join(self.root, "run", "taskd.sock")
        self.state_dir = os.path.join(self.root, "state")
        self.home = os.path.join(self.root, "home")
        os.makedirs(self.home)
        self.procs = []
        self.env = dict(os.environ)
        self.env.update({
            "PTT_SOCKET": self.socket,
            "PTT_STATE_DIR": self.state_dir,
            "HOME": self.home,
            "XDG_RUNTIME_DIR": os.path.join(self.root, "xdg-run"),
            "XDG_STATE_HOME": os.path.join(self.root, "xdg-state"),
            "XDG_CONFIG_HOME": os.path.join(self.root, "xdg-config"),
            "NO_COLOR": "1",
            "OPENAI_API_KEY": OPENAI_KEY,  # never a real key from the caller's environment
        })
        self.runs = 0

    def path(self, *parts):
        return os.path.join(self.root, *parts)

    def run(self, args, input=None, timeout=60, check=None, env=None):
        """Runs a binary to completion; returns CompletedProcess (text mode)."""
        cmd = [binary(args[0])] + list(args[1:]) if not os.path.isabs(args[0]) else list(args)
        proc = subprocess.run(cmd, input=input, capture_output=True, text=True,
                              timeout=timeout * TIMEOUT_FACTOR, env=env or self.env)
        self.runs += 1
        with open(self.path("outputs.log"), "a") as f:  # kept for the key check
            f.write(f"--- run {self.runs}: {' '.join(args)} (exit {proc.returncode})\n"
                    f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}\n")
        if check is not None and proc.returncode != check:
            fail(f"{' '.join(args)} exited {proc.returncode}, wanted {check}\n"
                 f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
        return proc

    def start(self, args, env=None, **popen_kwargs):
        """Starts a long-running binary; it is killed at cleanup."""
        cmd = [binary(args[0])] + list(args[1:]) if not os.path.isabs(args[0]) else list(args)
        popen_kwargs.setdefault("stdout", subprocess.PIPE)
        popen_kwargs.setdefault("stderr", subprocess.PIPE)
        proc = subprocess.Popen(cmd, env=env or self.env, **popen_kwargs)
        self.procs.append(proc)
        return proc

    def wait_for_socket(self, path=None, timeout=10.0, proc=None):
        """Waits until a Unix socket accepts connections (the daemon is ready)."""
        path = path or self.socket

        def ready():
            if proc is not None and proc.poll() is not None:
                fail(f"process exited with {proc.returncode} before its socket was ready: "
                     f"{proc.stderr.read() if proc.stderr else ''}")
            with contextlib.suppress(OSError):
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                    s.connect(path)
                    return True
            return False

        wait_until(ready, timeout, f"socket {path}")

    def cleanup(self):
        # SIGTERM first: a daemon that exits on its own runs its exit checks (LeakSanitizer
        # in the ASan suite); SIGKILL only for what is still up after the grace.
        for p in self.procs:
            if p.poll() is None:
                with contextlib.suppress(OSError):
                    p.terminate()
        for p in self.procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.wait(timeout=5 * TIMEOUT_FACTOR)
            if p.poll() is None:
                p.kill()
            with contextlib.suppress(Exception):
                p.wait(timeout=5)
        with contextlib.suppress(OSError):
            keep_text_files(self.root, artifact_dir())
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def artifact_dir():
    """build/test-artifacts (or $PTT_ARTIFACT_DIR); None outside ctest."""
    if os.environ.get("PTT_ARTIFACT_DIR"):
        return os.environ["PTT_ARTIFACT_DIR"]
    return os.path.join(os.path.dirname(TEST_BIN_DIR.rstrip("/")), "test-artifacts") if TEST_BIN_DIR else None


def keep_text_files(root, dest_parent, max_bytes=8 << 20):
    """Copies root's regular text files (logs, state, captured output) to dest_parent/<root's name>/."""
    if not dest_parent:
        return
    dest = os.path.join(dest_parent, os.path.basename(root))
    for dirpath, _, files in os.walk(root):
        for name in files:
            src = os.path.join(dirpath, name)
            with contextlib.suppress(OSError):
                if os.path.islink(src) or not os.path.isfile(src) or os.path.getsize(src) > max_bytes:
                    continue
                with open(src, "rb") as f:
                    if b"\0" in f.read(8192):
                        continue  # audio and other binary data
                target = os.path.join(dest, os.path.relpath(src, root))
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(src, target)


class NdjsonClient:
    """A blocking NDJSON client over a Unix socket, for talking to ptt-taskd."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.next_id = 1

    def send_raw(self, data: bytes):
        self.sock.sendall(data)

    def send(self, obj):
        self.send_raw((json.dumps(obj) + "\n").encode())

    def read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def request(self, op, **fields):
        """Sends a request and returns its reply, keeping any events seen before it."""
        rid = self.next_id
        self.next_id += 1
        self.send({"id": rid, "op": op, **fields})
        while True:
            msg = self.read()
            if msg.get("id") == rid:
                return msg

    def close(self):
        self.sock.close()


def expect(cond, message):
    if not cond:
        fail(message)
