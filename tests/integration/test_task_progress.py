"""Live progress: through a real pty, `ptt-task wait` and `logs -f` draw one live line
(spinner, elapsed, the fake agent's latest activity) redrawn with \\r and erased at the
end; NO_COLOR drops the colours; through a pipe the output has no \\r at all."""
import fcntl
import os
import select
import struct
import subprocess
import termios
import time

from ptt_harness import TIMEOUT_FACTOR, Sandbox, binary, expect, fail
from taskd_fixture import Taskd, spawn


class PtyRun:
    """Runs ptt-task with stdout on a pty of 80 columns; collects what it draws."""

    def __init__(self, sb, args, env):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.proc = subprocess.Popen([binary("ptt-task"), *args], stdin=subprocess.DEVNULL, stdout=slave,
                                     stderr=subprocess.PIPE, env=env)
        sb.procs.append(self.proc)
        os.close(slave)
        self.out = b""

    def read_until(self, predicate, what, timeout=20.0):
        deadline = time.monotonic() + timeout * TIMEOUT_FACTOR
        while not predicate(self.out):
            left = deadline - time.monotonic()
            if left <= 0:
                fail(f"timed out waiting for {what}; got {self.out!r}")
            if select.select([self.master], [], [], left)[0]:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:  # EIO: the process closed the pty
                    chunk = b""
                if not chunk:
                    if predicate(self.out):
                        break
                    fail(f"output ended before {what}; got {self.out!r}")
                self.out += chunk

    def finish(self):
        """Reads to the end of the output (EIO once the process has closed the pty)."""
        deadline = time.monotonic() + 20 * TIMEOUT_FACTOR
        while time.monotonic() < deadline:
            if select.select([self.master], [], [], 1)[0]:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                self.out += chunk
        return self.proc.wait(timeout=10 * TIMEOUT_FACTOR)


def gate_prompt(sb, tag, tool):
    g1, g2 = sb.path(f"{tag}-1"), sb.path(f"{tag}-2")
    return g1, g2, f"wait-file {g1}; tool {tool}; wait-file {g2}; result success ok"


with Sandbox("progress") as sb:
    d = Taskd(sb)
    c = d.client()
    colour_env = {k: v for k, v in sb.env.items() if k != "NO_COLOR"}
    colour_env["TERM"] = "xterm"

    # wait on a pty: the live line follows the agent's activity, then the outcome stays.
    g1, g2, prompt = gate_prompt(sb, "w", "Bash npm test")
    tid = spawn(c, prompt, sb.root, name="live-wait")
    run = PtyRun(sb, ["wait", str(tid)], colour_env)
    run.read_until(lambda o: b"\r" in o and b"task " in o, "the first live line")
    open(g1, "w").close()
    run.read_until(lambda o: b"Bash: npm test" in o, "the activity in the live line")
    expect(b"\r" in run.out.split(b"Bash: npm test")[0][-120:], "activity not drawn in place")
    expect(b"\033[36m" in run.out, "no colour on a terminal without NO_COLOR")
    open(g2, "w").close()
    expect(run.finish() == 0, f"wait exited {run.proc.returncode}")
    tail = run.out.rsplit(b"\r\033[K", 1)
    # (the pty turns "\n" into "\r\n")
    expect(len(tail) == 2 and b"succeeded" in tail[1] and b"\r" not in tail[1].replace(b"\r\n", b"\n"),
           f"the live line was not erased before the outcome: {run.out[-200:]!r}")
    for line in run.out.split(b"\r"):
        visible = line.replace(b"\033[K", b"")
        for esc in (b"\033[36m", b"\033[2m", b"\033[0m", b"\033[32m"):
            visible = visible.replace(esc, b"")
        expect(len(visible.decode(errors="replace")) <= 80, f"a line wider than the terminal: {visible!r}")

    # logs -f on a pty with NO_COLOR: log lines above, the live line below, no colours.
    g1, g2, prompt = gate_prompt(sb, "l", "Edit src/db.py")
    tid = spawn(c, prompt, sb.root)
    run = PtyRun(sb, ["logs", "-f", str(tid)], dict(sb.env, TERM="xterm"))
    run.read_until(lambda o: b"\r" in o, "the live line")
    open(g1, "w").close()
    run.read_until(lambda o: o.count(b"src/db.py") >= 2, "the edit in the log and in the live line")
    open(g2, "w").close()
    expect(run.finish() == 0, f"logs -f exited {run.proc.returncode}")
    expect(b"\033[3" not in run.out and b"\033[0m" not in run.out, f"colour despite NO_COLOR: {run.out!r}")
    # The live line is erased; only the log's closing line follows it.
    after = run.out.rsplit(b"\r\033[K", 1)
    expect(len(after) == 2 and after[1].startswith("✓ task ".encode()) and after[1].count(b"\n") == 1,
           f"the live line was not erased before the closing line: {run.out[-120:]!r}")

    # Through a pipe: plain lines, no \r, as before.
    g1, g2, prompt = gate_prompt(sb, "p", "Bash make")
    tid = spawn(c, prompt, sb.root)
    open(g1, "w").close()
    open(g2, "w").close()
    r = sb.run(["ptt-task", "wait", str(tid)], check=0)
    expect("\r" not in r.stdout and "\033" not in r.stdout and "succeeded" in r.stdout, repr(r.stdout))
    r = sb.run(["ptt-task", "logs", "-f", str(tid)], check=0)
    expect("\r" not in r.stdout and "make" in r.stdout, repr(r.stdout))
print("ok: live line on a pty for wait and logs -f; plain through a pipe")
