"""A paced fake microphone for ptt-listen's integration tests, and NDJSON helpers.

jackd's dummy backend runs at wall-clock speed; the ALSA `file` plugin in front of
it (RECIPES.md) replaces every captured sample with the next one from IN.raw. So
PortAudio (through ALSA, the way a real microphone is opened) records IN.raw
sample for sample, in real time. Each test gets its own jackd server name.
"""
import array
import atexit
import base64
import contextlib
import json
import math
import os
import sys
import queue
import signal
import shutil
import subprocess
import threading
import time

from ptt_harness import TIMEOUT_FACTOR, fail, skip, wait_until


def tone_frames(seconds, rate=48000, parts=((1000.0, 0.3),), right_scale=1.0):
    """Interleaved stereo PCM16 of a sum of sines; the right channel is scaled."""
    n = int(seconds * rate)
    out = array.array("h", bytes(4 * n))
    two_pi = 2 * math.pi
    for i in range(n):
        t = i / rate
        v = 0.0
        for f, a in parts:
            v += a * math.sin(two_pi * f * t)
        out[2 * i] = int(round(v * 32767))
        out[2 * i + 1] = int(round(v * right_scale * 32767))
    return out


class FakeMicrophone:
    def __init__(self, sandbox, frames, rate=48000):
        for tool in ("jackd", "jack_lsp"):
            if not shutil.which(tool):
                skip(f"{tool} not installed (Debian package jackd2; run make -f Makefile.dist deps)")
        self.raw = sandbox.path("IN.raw")
        self.rate = rate
        with open(self.raw, "wb") as f:
            frames.tofile(f)
        # JACK keeps a registry of at most 8 server names and only reuses a slot
        # for the same name, so names are fixed per test script (never per pid),
        # and jackd is stopped with SIGTERM so that it unregisters.
        script = os.path.splitext(os.path.basename(sys.argv[0]))[0]
        self.server = f"ptt-{script}"
        conf = sandbox.path("asound.conf")
        with open(conf, "w") as f:
            f.write(f"""
pcm.jackcap {{ type jack capture_ports {{ 0 system:capture_1 1 system:capture_2 }} }}
pcm.filecap {{ type file slave.pcm {{ type plug slave.pcm "jackcap" }} file "/dev/null" infile "{self.raw}" format "raw" }}
pcm.nullplay {{ type null }}
pcm.!default {{ type asym capture.pcm "filecap" playback.pcm "nullplay" }}
""")
        self.env = dict(sandbox.env, ALSA_CONFIG_PATH=conf, JACK_DEFAULT_SERVER=self.server,
                        JACK_NO_START_SERVER="1")
        self.log = sandbox.path("jackd.log")
        self.jackd = None
        atexit.register(self.close)
        # Engineers share a machine: the same test of another checkout may run now, under
        # the same fixed name (its jack_lsp would answer for ours). Ours starts once that
        # jackd is gone, and again if one started in between.
        for attempt in range(2):
            wait_until(lambda: not live_jackd(self.server), 120, f"another jackd named {self.server} to stop")
            self._start(rate)
            if self._up() or "already active" not in open(self.log, errors="replace").read():
                break
        if self.jackd.poll() is not None and "Too many servers" in open(self.log, errors="replace").read():
            # Servers killed with SIGKILL (by anyone) leave their registry slots
            # taken. With no jackd alive at all, the registry is only stale: reset it.
            if not live_jackd():
                for name in os.listdir("/dev/shm"):
                    if name.startswith("jack"):
                        with contextlib.suppress(OSError):
                            os.unlink(os.path.join("/dev/shm", name))
                self._start(rate)
                self._up()
        if self.jackd.poll() is not None:
            fail(f"jackd exited {self.jackd.returncode}: {open(self.log, errors='replace').read()}")

    def _up(self):
        """Waits until jackd serves its capture ports (True) or has exited (False)."""
        def settled():
            if self.jackd.poll() is not None:
                return "exited"
            r = subprocess.run(["jack_lsp"], env=self.env, capture_output=True, text=True)
            if self.jackd.poll() is not None:
                return "exited"  # another server of this name answered, not ours
            return r.returncode == 0 and "system:capture_1" in r.stdout and "up"

        return wait_until(settled, 20, "jackd to start") == "up"

    def _start(self, rate):
        # Period 1024: PortAudio probes a 4096-frame buffer, which the ALSA jack
        # plugin only allows as up to 4 periods of the server's size.
        self.jackd = subprocess.Popen(
            ["jackd", "--no-realtime", "-d", "dummy", "-r", str(rate), "-p", "1024", "-C", "2", "-P", "2"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=open(self.log, "wb"))

    def captured(self, pid):
        """Seconds of the fake microphone's samples process pid has read so far (the ALSA
        file plugin reads IN.raw as it captures: its file offset is the clock)."""
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/{pid}/fd/{fd}") == self.raw:
                    with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                        return int(f.readline().split()[1]) / 4 / self.rate  # "pos:\t<offset>", stereo PCM16
        return 0.0

    def wait_captured(self, pid, seconds, timeout=10.0):
        """Waits until process pid has read `seconds` of the fake microphone's samples."""
        want = int(seconds * self.rate) / self.rate
        wait_until(lambda: self.captured(pid) >= want, timeout + seconds, f"{seconds} s of capture")

    def close(self):
        if self.jackd is not None and self.jackd.poll() is None:
            self.jackd.send_signal(signal.SIGTERM)
            try:
                self.jackd.wait(5 * TIMEOUT_FACTOR)  # SIGKILL would leave its registry slot taken
            except subprocess.TimeoutExpired:
                self.jackd.kill()
                self.jackd.wait()


def live_jackd(server=None):
    """True if any jackd process (not a zombie) is running on this machine; with server,
    one serving that name (JACK_DEFAULT_SERVER in its environment, as FakeMicrophone sets)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            name, state = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2]
            if name != "jackd" or state == "Z":
                continue
            if server is None:
                return True
            with open(f"/proc/{pid}/environ", "rb") as f:
                if f"JACK_DEFAULT_SERVER={server}".encode() in f.read().split(b"\0"):
                    return True
    return False


class LineReader:
    """Reads a process's stdout lines on a thread, each with its arrival time."""

    def __init__(self, stream):
        self.lines = []
        self.arrivals = []  # time.monotonic() when each line was read, for pacing checks
        self._queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self._thread.start()
        self.closed = False

    def _run(self, stream):
        for raw in stream:
            self._queue.put((time.monotonic(), json.loads(raw)))
        self._queue.put(None)

    def _drain(self, timeout):
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            return
        if item is None:
            self.closed = True
        else:
            self.arrivals.append(item[0])
            self.lines.append(item[1])

    def wait_for(self, predicate, timeout=10.0, what="a line"):
        deadline = time.monotonic() + timeout * TIMEOUT_FACTOR
        while not predicate(self.lines):
            if self.closed:
                fail(f"output ended while waiting for {what}; got {summary(self.lines)}")
            if time.monotonic() > deadline:
                fail(f"timed out waiting for {what}; got {summary(self.lines)}")
            self._drain(0.05)
        return self.lines

    def wait_closed(self, timeout=10.0):
        deadline = time.monotonic() + timeout * TIMEOUT_FACTOR
        while not self.closed:
            if time.monotonic() > deadline:
                fail("output did not end")
            self._drain(0.05)
        return self.lines


def summary(lines):
    kinds = [l.get("type") for l in lines]
    return f"{len(lines)} lines: {kinds[:5]}...{kinds[-5:]}"


def pcm(lines):
    """All audio lines' samples, decoded, in order."""
    out = array.array("h")
    for l in lines:
        if l.get("type") == "audio":
            out.frombytes(base64.b64decode(l["data"], validate=True))
    return out


def wait_for_stderr_line(proc, needle, timeout=20.0):
    """Reads stderr until a line containing needle (readiness), on a thread."""
    found = threading.Event()
    seen = []

    def run():
        for line in proc.stderr:
            seen.append(line.decode(errors="replace") if isinstance(line, bytes) else line)
            if needle in seen[-1]:
                found.set()
        found.set()

    threading.Thread(target=run, daemon=True).start()
    if not found.wait(timeout * TIMEOUT_FACTOR) or not any(needle in s for s in seen):
        fail(f"no '{needle}' on stderr; got {''.join(seen)!r}")
    return seen
