"""Integration-test helpers: start the real ptt binaries in a private sandbox.

Every test gets its own temp dir, socket path, state dir and HOME, so tests never
share a daemon. Readiness is waited for (a socket that accepts, a line on a
stream), never assumed after a fixed sleep.
"""
import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BIN_DIR = os.environ.get("PTT_BIN_DIR", "")
TEST_BIN_DIR = os.environ.get("PTT_TEST_BIN_DIR", "")
SOURCE_DIR = os.environ.get("PTT_SOURCE_DIR", os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def _protocol_version():
    with open(os.path.join(SOURCE_DIR, "lib", "protocol", "protocol.h")) as f:
        return int(re.search(r"kVersion = (\d+);", f.read()).group(1))


PROTOCOL_VERSION = _protocol_version()  # what ptt-taskd speaks (lib/protocol/protocol.h)
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


def test_name():
    """The running test's name (its script's, e.g. test_taskd_peer_uid)."""
    return os.path.splitext(os.path.basename(sys.argv[0]))[0]


def in_ci():
    return os.environ.get("CI", "").lower() in ("true", "1")


CI_ALLOWED_SKIPS = os.environ.get("PTT_CI_ALLOWED_SKIPS") or os.path.join(SOURCE_DIR, "tests", "ci_allowed_skips.txt")


def ci_allowed_skips(path=CI_ALLOWED_SKIPS):
    """The skip keys CI tolerates: one `key  # why CI may skip it` a line. An entry
    without its reason is an error, so the list cannot grow without saying why."""
    allowed = set()
    with open(path) as f:
        for number, line in enumerate(f, 1):
            key, _, why = line.partition("#")
            if not key.strip():
                continue
            if not why.strip():
                fail(f"{path}:{number}: `{key.strip()}` does not say why CI may skip it (`key  # why`)")
            allowed.add(key.strip())
    return allowed


def skip(reason, key=""):
    """Skips the test (prints `SKIP: reason`, exits 77). Under CI (CI=true) a skip is a
    failure unless `test_name[:key]` is in tests/ci_allowed_skips.txt: CI must not
    quietly stop running a test because its machine lacks something."""
    full_key = f"{test_name()}:{key}" if key else test_name()
    if in_ci() and full_key not in ci_allowed_skips():
        fail(f"CI must not skip {full_key} ({reason}); install what it needs, or add `{full_key}  # why` "
             f"to tests/ci_allowed_skips.txt")
    print(f"SKIP: {reason}", flush=True)
    sys.exit(SKIP)


def skip_part(reason, key):
    """Leaves out one part of a test and goes on with the rest (prints `SKIP: reason`).
    Under CI the same rule as skip(): `test_name:key` must be in tests/ci_allowed_skips.txt."""
    full_key = f"{test_name()}:{key}"
    if in_ci() and full_key not in ci_allowed_skips():
        fail(f"CI must not skip {full_key} ({reason}); install what it needs, or add `{full_key}  # why` "
             f"to tests/ci_allowed_skips.txt")
    print(f"SKIP: {reason} (the rest of the test runs)", flush=True)


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


class Thread(threading.Thread):
    """A thread whose failure fails the test: join() re-raises its exception (an assert
    or fail() in the thread included) and fails if it is still running after the timeout.
    A plain threading.Thread only prints its exception, so the test passes anyway."""

    def __init__(self, target, *args, name=None):
        super().__init__(name=name or getattr(target, "__name__", None), daemon=True)
        self._call = (target, args)
        self.error = None
        self.result = None

    def run(self):
        target, args = self._call
        try:
            self.result = target(*args)
        except BaseException as e:  # SystemExit from fail() too
            self.error = e

    def join(self, timeout=30.0):
        super().join(timeout * TIMEOUT_FACTOR)
        if self.is_alive():
            fail(f"thread {self.name} still running after {timeout * TIMEOUT_FACTOR}s")
        if self.error is not None:
            if isinstance(self.error, SystemExit):
                sys.exit(self.error.code)  # fail() in the thread already said why
            raise self.error
        return self.result


_thread_failures = []


def _note_thread_failure(args):
    """Any other thread's uncaught exception fails the test too (at exit): a test can
    start a plain threading.Thread and forget to check on it."""
    _thread_failures.append(args.thread.name if args.thread else "?")
    sys.__excepthook__(args.exc_type, args.exc_value, args.exc_traceback)


def _fail_on_thread_failures():
    if _thread_failures:
        print(f"FAIL: an exception escaped thread(s) {', '.join(_thread_failures)}", flush=True)
        sys.stdout.flush()
        os._exit(1)


threading.excepthook = _note_thread_failure
atexit.register(_fail_on_thread_failures)


def start_thread(target, *args, name=None):
    """Starts target(*args) in a Thread (see there); join() it to see its failure."""
    thread = Thread(target, *args, name=name)
    thread.start()
    return thread


def readline(stream, timeout=10.0, what="a line"):
    """stream.readline() that fails the test after timeout (scaled by TIMEOUT_FACTOR)
    instead of hanging until ctest kills it. The read runs on a thread, so this works for
    any stream, buffered or not; on a timeout that thread is left blocked (it is a daemon)."""
    return start_thread(stream.readline, name=f"reading {what}").join(timeout)


def read_until(proc, text, timeout=10.0):
    """The lines a started process prints up to the first that has `text` (each read
    bounded by timeout); fails when it ends first."""
    lines = []
    while not lines or text not in lines[-1]:
        lines.append(readline(proc.stdout, timeout, what=f"a line with {text!r}"))
        expect(lines[-1], f"{proc.args} ended before a line with {text!r}: {''.join(lines)!r}")
    return "".join(lines)


def binary(name):
    for d in (BIN_DIR, TEST_BIN_DIR):
        p = os.path.join(d, name)
        if d and os.path.exists(p):
            return p
    fail(f"binary {name} not found in {BIN_DIR} or {TEST_BIN_DIR}")


def switches(pid):
    """Context switches of every thread of pid so far (threads that ended are not counted)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                        total += int(line.split()[1])
        except OSError:
            pass  # the thread ended between listing and reading
    return total


def wait_asleep_in_epoll(pid, timeout=10.0):
    """Waits until pid's main thread sleeps in epoll_wait: then it has no event left to
    handle (a ready one would have returned epoll_wait at once). A wake-up count that
    starts earlier can count the tail of the work just asked for (a reply already read
    while the daemon still handles what came with it) as a wake-up."""
    wait_until(lambda: asleep_in_epoll(pid), timeout, f"process {pid} to sleep in epoll_wait")


def asleep_in_epoll(pid):
    """True while pid's main thread sleeps in epoll_wait (see wait_asleep_in_epoll)."""
    return asleep_in(pid, lambda wchan: "epoll" in wchan or wchan == "ep_poll")


def asleep_in(pid, wchan_matches):
    """True while pid's main thread sleeps (state S) in a kernel function wchan_matches takes."""
    try:
        with open(f"/proc/{pid}/wchan") as f:
            wchan = f.read()
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(") ", 1)[1].split()[0]
    except OSError:
        return False
    return state == "S" and wchan_matches(wchan)


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


class Process(subprocess.Popen):
    """A Popen whose wait() and communicate() timeouts scale by TIMEOUT_FACTOR, like every
    other wait of the harness (a test's `p.wait(10)` is a bound, not a measurement)."""

    def wait(self, timeout=None):
        return super().wait(None if timeout is None else timeout * TIMEOUT_FACTOR)

    def communicate(self, input=None, timeout=None):
        return super().communicate(input, None if timeout is None else timeout * TIMEOUT_FACTOR)


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
        proc = Process(cmd, env=env or self.env, **popen_kwargs)
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
        self.stop_leftover_daemons()
        self.stop_leftover_supervisors()
        with contextlib.suppress(OSError):
            keep_text_files(self.root, artifact_dir())
        shutil.rmtree(self.root, ignore_errors=True)

    def processes_of(self, program):
        """The pids of `program` processes whose PTT_SOCKET or PTT_STATE_DIR is in this sandbox."""
        root = os.path.realpath(self.root) + os.sep
        mine = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                if os.path.basename(os.readlink(f"/proc/{pid}/exe")).split(" ")[0] != program:
                    continue
                with open(f"/proc/{pid}/environ", "rb") as f:
                    env = f.read().split(b"\0")
            except OSError:
                continue
            for entry in env:
                name, _, value = entry.decode(errors="replace").partition("=")
                if name in ("PTT_SOCKET", "PTT_STATE_DIR") and os.path.realpath(value).startswith(root):
                    mine.append(int(pid))
                    break
        return mine

    def stop_leftover_supervisors(self):
        """Kills the agents (each its own process group) and the ptt-supervise servers this
        sandbox's daemons left: by design they outlive a daemon, and an agent that waits for
        more input (the real Claude CLI does) would wait for ever once the test is over."""
        for pid in self.processes_of("ptt-supervise"):
            with contextlib.suppress(OSError):
                with open(f"/proc/{pid}/task/{pid}/children") as f:
                    for child in map(int, f.read().split()):
                        with contextlib.suppress(OSError):
                            os.killpg(os.getpgid(child), signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def stop_leftover_daemons(self):
        """Stops every ptt-taskd whose socket or state dir is in this sandbox: one auto-started
        by a client (locally, or on a 'remote host' through ssh and dial-stdio) is no child of
        the test, and a test that failed half-way would leave it running for ever."""
        mine = self.processes_of("ptt-taskd")
        for pid in mine:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5 * TIMEOUT_FACTOR
        def running(pid):  # a zombie (no reaper here) counts as gone
            try:
                with open(f"/proc/{pid}/stat") as f:
                    return f.read().rsplit(")", 1)[1].split()[0] != "Z"
            except OSError:
                return False
        for pid in mine:
            while running(pid) and time.monotonic() < deadline:
                time.sleep(0.02)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

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
        # A bound on each reply, not a measurement: it scales like every wait here.
        self.sock.settimeout(timeout * TIMEOUT_FACTOR)
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
