"""A private session bus (its own dbus-daemon, in the test's sandbox) and the
stand-in desktop portal of stand_in_portal.py on it, for --hotkey portal tests.

The bus has its own configuration, not `dbus-daemon --session`'s: that one would let
D-Bus activate a real xdg-desktop-portal installed on the machine, and "no portal"
would no longer be true."""
import json
import os
import queue
import shutil
import subprocess
import sys
import threading

from ptt_harness import TIMEOUT_FACTOR, fail, readline, skip

HERE = os.path.dirname(os.path.abspath(__file__))

CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class PrivateSessionBus:
    """dbus-daemon on a socket in the sandbox; `env` points clients at it. Killed with
    the sandbox."""

    def __init__(self, sandbox):
        daemon = shutil.which("dbus-daemon")
        if not daemon:
            skip("dbus-daemon not installed (Debian package dbus-daemon; run make -f Makefile.dist deps)")
        try:
            import dbus  # noqa: F401
            from gi.repository import GLib  # noqa: F401
        except ImportError as e:
            skip(f"{e} (Debian packages python3-dbus and python3-gi; run make -f Makefile.dist deps)")
        self.sandbox = sandbox
        config = sandbox.path("bus.conf")
        with open(config, "w") as f:
            f.write(CONFIG.format(socket=sandbox.path("bus")))
        self.daemon = sandbox.start([daemon, f"--config-file={config}", "--nofork", "--nopidfile",
                                     "--print-address=1"])
        self.address = readline(self.daemon.stdout, 10, "the bus address").decode().strip()
        if not self.address.startswith("unix:"):
            fail(f"dbus-daemon printed {self.address!r}, not an address")
        self.env = dict(sandbox.env, DBUS_SESSION_BUS_ADDRESS=self.address)


class StandInPortal:
    """stand_in_portal.py on the bus: `calls` are what it was asked, in order."""

    def __init__(self, bus, *options):
        self.log = bus.sandbox.path("portal.log")
        with open(self.log, "w") as log:
            self.proc = bus.sandbox.start([sys.executable, os.path.join(HERE, "stand_in_portal.py"),
                                           "--address", bus.address, *options], stdin=subprocess.PIPE, stderr=log)
        self.events = queue.Queue()
        self.calls = []
        threading.Thread(target=self._read, daemon=True).start()
        self.expect("ready")

    def _read(self):
        for line in self.proc.stdout:
            self.events.put(json.loads(line))
        self.events.put({"event": "exit"})

    def expect(self, event, timeout=10.0):
        """Waits for the next report named `event` (others are kept in `calls`)."""
        try:
            while True:
                e = self.events.get(timeout=timeout * TIMEOUT_FACTOR)
                self.calls.append(e)
                if e["event"] == event:
                    return e
                if e["event"] == "error":
                    fail(f"the stand-in portal failed while waiting for '{event}': {e}")
                if e["event"] == "exit":
                    fail(f"the stand-in portal exited before '{event}': {open(self.log).read()}")
        except queue.Empty:
            fail(f"the stand-in portal reported no '{event}' within {timeout} s; got {self.calls}")

    def send(self, command):
        self.proc.stdin.write(command.encode() + b"\n")
        self.proc.stdin.flush()

    def sync(self):
        """Returns once ptt-listen has dispatched every signal sent before (a Ping on the
        same connection is answered only after them)."""
        self.send("sync")
        self.expect("synced")
