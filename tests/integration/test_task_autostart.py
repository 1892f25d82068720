"""Auto-start: several ptt-task at once against no daemon start exactly one;
--no-autostart and PTT_NO_AUTOSTART give exit 3 with a clear message."""
import os
import subprocess

from ptt_harness import SOURCE_DIR, Sandbox, binary, expect, wait_until

AGENT = os.path.join(SOURCE_DIR, "tests", "support", "script_agent.py")


def daemons_on(socket):
    """Pids of ptt-taskd daemons whose environment names this socket (by the
    executable in their command line, then by comm)."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"ptt-taskd" not in f.read().split(b"\0")[0]:
                    continue
            with open(f"/proc/{pid}/comm", "rb") as f:
                if f.read().strip() != b"ptt-taskd":
                    continue
            with open(f"/proc/{pid}/environ", "rb") as f:
                if f"PTT_SOCKET={socket}".encode() in f.read().split(b"\0"):
                    pids.append(int(pid))
        except OSError:
            pass
    return pids


with Sandbox("task-autostart") as sb:
    sb.env["PTT_CLAUDE"] = AGENT

    r = sb.run(["ptt-task", "--no-autostart", "list"], check=3)
    expect(r.stderr.startswith("ptt-task: error: no daemon answers at ") and "--no-autostart" in r.stderr,
           f"unclear message: {r.stderr!r}")
    env = dict(sb.env, PTT_NO_AUTOSTART="1")
    sb.run(["ptt-task", "ping"], env=env, check=3)
    expect(not os.path.exists(sb.socket), "a daemon was started despite --no-autostart")

    # A daemon that cannot start is reported, not waited on forever.
    bad_env = dict(sb.env, PTT_TASKD="/bin/false")
    r = sb.run(["ptt-task", "ping"], env=bad_env, check=3)
    expect("/bin/false exited at start-up" in r.stderr, f"start-up failure: {r.stderr!r}")

    # The failure shows this attempt's output only, not older runs' lines in taskd.log.
    os.makedirs(sb.state_dir, exist_ok=True)
    with open(os.path.join(sb.state_dir, "taskd.log"), "a") as f:
        f.write("ptt-taskd: error: stale trouble from an earlier run\n")
    failing = sb.path("failing-taskd")
    with open(failing, "w") as f:
        f.write("#!/bin/sh\necho 'ptt-taskd: error: fresh trouble' >&2\nexit 1\n")
    os.chmod(failing, 0o755)
    r = sb.run(["ptt-task", "ping"], env=dict(sb.env, PTT_TASKD=failing), check=3)
    expect("fresh trouble" in r.stderr and "stale trouble" not in r.stderr, f"start-up failure: {r.stderr!r}")
    r = sb.run(["ptt-task", "ping"], env=bad_env, check=3)  # prints nothing itself
    expect("trouble" not in r.stderr and "printed nothing" in r.stderr, f"silent start-up failure: {r.stderr!r}")

    # Starting a daemon for a socket in an existing shared directory never changes
    # that directory's mode (think --socket /tmp/x.sock).
    shared = sb.path("shared")
    os.makedirs(shared, mode=0o755)
    os.chmod(shared, 0o755)
    sb.run(["ptt-task", "--socket", os.path.join(shared, "x.sock"), "ping"], env=bad_env, check=3)
    expect(os.stat(shared).st_mode & 0o777 == 0o755, f"auto-start changed {shared} to {oct(os.stat(shared).st_mode)}")
    expect(os.stat(os.path.dirname(sb.socket)).st_mode & 0o777 == 0o700, "a created socket dir is not 0700")

    # The race: eight clients at once, no daemon.
    clients = [subprocess.Popen([binary("ptt-task"), "ping", "--json"], env=sb.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(8)]
    outs = [c.communicate(timeout=30) for c in clients]
    try:
        for c, (out, err) in zip(clients, outs):
            expect(c.returncode == 0, f"a racing client failed ({c.returncode}): {err}")
        pids = {__import__("json").loads(out)["pid"] for out, _ in outs}
        expect(len(pids) == 1, f"clients reached different daemons: {pids}")
        expect(daemons_on(sb.socket) == list(pids), f"daemons running: {daemons_on(sb.socket)}, wanted {pids}")
        expect(os.path.exists(os.path.join(sb.state_dir, "taskd.log")), "the daemon has no log file")
        # The auto-started daemon is detached: its own session, not our process group.
        daemon = pids.pop()
        expect(os.getsid(daemon) == daemon, "the daemon is not a session leader")
        expect(os.readlink(f"/proc/{daemon}/cwd") == "/", "the daemon keeps the first client's directory busy")
        # It serves tasks with the environment the first client had.
        r = sb.run(["ptt-task", "spawn", "--wait", "ok autostarted"], check=0)
        expect(sb.run(["ptt-task", "result", r.stdout.strip()], check=0).stdout == "autostarted\n", "result")
    finally:
        sb.run(["ptt-task", "--no-autostart", "shutdown"])
        for pid in daemons_on(sb.socket):
            os.kill(pid, 9)
    wait_until(lambda: not daemons_on(sb.socket), what="the daemon to exit")
print("ok: eight racing clients started exactly one daemon; --no-autostart exits 3")
