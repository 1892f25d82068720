"""The commands that diagnose and start the daemon do not hang either: `doctor` says a
stopped daemon does not answer (and how to resume it) within the reply timeout, and
auto-start gives up (exit 3) when another client holds the start-up lock for longer than
a start can take (that client stopped), instead of waiting for the lock for ever."""
import fcntl
import json
import os
import signal
import time

from ptt_harness import TIMEOUT_FACTOR, Sandbox, expect
from taskd_fixture import Taskd

with Sandbox("task-timeouts-doctor") as sb:
    # doctor also probes audio: a null ALSA device keeps the host's plugins (and their
    # leaks under ASan) out of it.
    asound = sb.path("asound.conf")
    with open(asound, "w") as f:
        f.write("pcm.!default { type null }\n")
    env = dict(sb.env, ALSA_CONFIG_PATH=asound)
    taskd = Taskd(sb)
    pid = taskd.proc.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        start = time.monotonic()
        r = sb.run(["ptt-task", "--timeout", "1", "doctor", "--json"], env=env, check=1)
        took = time.monotonic() - start
    finally:
        os.kill(pid, signal.SIGCONT)
    checks = {c["check"]: c for c in map(json.loads, r.stdout.splitlines())}
    daemon = checks["daemon"]
    expect(daemon["status"] == "fail" and daemon["detail"] ==
           f"ptt-taskd (pid {pid}) at {sb.socket} does not answer: it is stopped", f"doctor: {daemon}")
    expect(f"kill -CONT {pid}" in daemon["fix"], f"doctor's fix: {daemon}")
    expect(took < 1 + 10 * TIMEOUT_FACTOR, f"doctor took {took:.1f} s")
    r = sb.run(["ptt-task", "doctor", "--json"], env=env)
    daemon = {c["check"]: c for c in map(json.loads, r.stdout.splitlines())}["daemon"]
    expect(daemon["status"] == "ok", f"doctor after SIGCONT: {daemon}")

with Sandbox("task-timeouts-lock") as sb:
    # Another client holds the start-up lock and never lets go (it is stopped mid-start).
    os.makedirs(os.path.dirname(sb.socket), mode=0o700)
    lock = open(sb.socket + ".lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    start = time.monotonic()
    r = sb.run(["ptt-task", "--timeout", "0.5", "ping"])
    took = time.monotonic() - start
    expect(r.returncode == 3, f"ping with the lock held: exit {r.returncode}: {r.stderr!r}")
    expect(r.stderr.startswith("ptt-task: error: another client has been starting the daemon for 10.5 s and "
                               f"still holds {sb.socket}.lock (is it stopped?)"), f"message: {r.stderr!r}")
    expect(10 <= took < 10.5 + 5 * TIMEOUT_FACTOR, f"gave up after {took:.1f} s")
    lock.close()  # released: the next client starts the daemon as usual
    r = sb.run(["ptt-task", "ping"], check=0)
    expect("ptt-taskd" in r.stdout, f"ping after the lock was released: {r.stdout!r}")
    sb.run(["ptt-task", "shutdown"], check=0)
print("ok: doctor names a stopped daemon; auto-start does not wait for ever on a held lock")
