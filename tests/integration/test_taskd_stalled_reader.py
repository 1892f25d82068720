"""A client that stops reading its event stream does not make the daemon grow without
bound. Policy (docs/taskd.md):
- `subscribe`: events are pushed; a subscriber with more than 64 MiB unread is dropped
  and the daemon logs why (here the cap is set to 1 MiB by PTT_TASKD_CLIENT_QUEUE_MIB).
  Other subscribers, which keep reading, get every event.
- `logs -f`: the log file is the buffer; the daemon pauses a follower with 4 MiB unread
  and resumes when it drains, so a slow reader loses nothing.
Measured: the daemon's peak RSS (VmHWM) while ~3 MB of events go to a stalled
subscriber (more than twice the cap, so a daemon that queued it all would fail the
bound), and while a stalled `logs -f` follows a ~7 MB log."""
import os
import socket
import time

from ptt_harness import Sandbox, expect, fail, skip_part, start_thread, under_asan, wait_until
from taskd_fixture import Taskd, spawn, wait_tasks

MB = 1024 * 1024
ROUNDS, PER_ROUND = 12, 800  # activity events, each ~300 bytes (what changed: a ~110-character activity)
TOOLS = ROUNDS * PER_ROUND
QUEUE_MIB = 1  # the daemon's per-client cap, lowered from 64 MiB so the test is quick


def rss_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith(field + ":"))


with Sandbox("taskd-stalled-sub") as sb:
    d = Taskd(sb, env=dict(sb.env, PTT_TASKD_CLIENT_QUEUE_MIB=str(QUEUE_MIB)))
    c = d.client(timeout=120)
    idle = rss_kb(d.proc.pid, "VmRSS")

    stalled = d.client()
    stalled.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    expect(stalled.request("subscribe")["ok"], "subscribe")

    live = d.client(timeout=120)
    expect(live.request("subscribe")["ok"], "subscribe")
    counts = {"activity": 0, "finished": 0}
    event_bytes = [0]
    # The agent emits its events in rounds and waits for the reading subscriber to
    # have all of a round before the next: the reader is never more than a round
    # (~0.2 MB) behind however slow this machine is, while the stalled one falls
    # behind by everything.
    gates = [sb.path(f"gate-{i}") for i in range(ROUNDS)]
    script = "; ".join(f"tools {PER_ROUND} Bash step{i}-{'y' * 95}; wait-file {gates[i]}" for i in range(ROUNDS))

    def read_live():
        # Raw bytes and substring counts: json.loads per event would be slower than the
        # daemon, and this reader must keep up to show that readers are not dropped.
        sock, buf = live.sock, live.buf
        opened = 0
        while counts["finished"] < 1:
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise EOFError("the reading subscriber was dropped")
            event_bytes[0] += len(chunk)
            buf += chunk
            cut = buf.rfind(b"\n") + 1
            whole, buf = buf[:cut], buf[cut:]
            counts["activity"] += whole.count(b'{"event":"activity"')
            counts["finished"] += whole.count(b'{"event":"finished"')
            while opened < ROUNDS and counts["activity"] >= (opened + 1) * PER_ROUND:
                open(gates[opened], "w").close()
                opened += 1

    reader = start_thread(read_live)
    t0 = time.monotonic()
    t = spawn(c, f"text {'x' * 9000}; {script}; result success busy", sb.root)
    # The reader first: if it was dropped, the agent waits at a gate and the task never ends.
    try:
        reader.join(timeout=120)
    except Exception as e:
        fail(f"the reading subscriber failed after {event_bytes[0]} bytes, {counts}: {e!r}\n{d.log()}")
    done = wait_tasks(c, [t], timeout=120)
    elapsed = time.monotonic() - t0
    expect(done[t]["state"] == "succeeded", f"outcome: {done}")
    # One per tool use, and "thinking" once the agent's session is up.
    expect(counts["activity"] == TOOLS + 1,
           f"the reading subscriber got {counts['activity']} of {TOOLS + 1} activity events")
    peak = rss_kb(d.proc.pid, "VmHWM")
    wait_until(lambda: "stopped reading" in d.log(), 10, "the drop to be logged")
    expect(d.log().count("dropped client") == 1, f"only the stalled client should be dropped:\n{d.log()}")
    # The stalled client finds its stream cut once it reads what the kernel held.
    stalled.sock.settimeout(10)
    try:
        while True:
            stalled.read()
    except (EOFError, ConnectionResetError):
        pass
    expect(d.proc.poll() is None, "the daemon died")
    expect(c.request("list")["ok"], "the daemon stopped serving")
    growth = (peak - idle) // 1024
    print(f"subscribe: {TOOLS} events, {event_bytes[0] // MB} MB per subscriber in {elapsed:.1f} s; stalled "
          f"subscriber dropped; daemon RSS idle {idle // 1024} MB, peak {peak // 1024} MB (+{growth} MB)")
    expect(event_bytes[0] > 2 * QUEUE_MIB * MB, f"only {event_bytes[0] // MB} MB of events: too few to test the cap")
    if under_asan(d.proc.pid):
        skip_part("AddressSanitizer build, the memory bound is not checked", "asan-memory")
    else:
        # The stalled client's cap, the reader's one round (~0.2 MB) and working memory.
        expect(growth < QUEUE_MIB + 12, f"daemon RSS grew by {growth} MB under a stalled subscriber")

with Sandbox("taskd-stalled-logs") as sb:
    d = Taskd(sb)
    c = d.client(timeout=120)
    idle = rss_kb(d.proc.pid, "VmRSS")
    gate = sb.path("gate")
    lines = 300_000
    t = spawn(c, f"wait-file {gate}; flood {lines}; result success flooded", sb.root)
    follower = d.client(timeout=120)
    follower.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    expect(follower.request("logs", task=t, follow=True)["ok"], "logs -f")
    open(gate, "w").close()
    wait_tasks(c, [t], timeout=120)
    size = os.path.getsize(os.path.join(sb.state_dir, "logs", str(t), "stream.ndjson"))
    # The follower has read nothing; give the daemon's pump a moment to do its worst.
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        expect(c.request("list")["ok"], "list while a follower is stalled")
    peak = rss_kb(d.proc.pid, "VmHWM")
    # Now read it all: nothing may be missing.
    floods = 0
    while True:
        msg = follower.read()
        if msg.get("event") == "log_end":
            break
        if msg.get("event") == "log" and '"flood"' in msg.get("line", ""):
            floods += 1
    expect(floods == lines, f"the slow follower got {floods} of {lines} lines")
    growth = (peak - idle) // 1024
    print(f"logs -f: {size // MB} MB log, follower stalled then read all {floods} lines; "
          f"daemon RSS idle {idle // 1024} MB, peak {peak // 1024} MB (+{growth} MB)")
    if not under_asan(d.proc.pid):
        expect(growth < 16, f"daemon RSS grew by {growth} MB under a stalled log follower")
print("ok: a stalled subscriber is dropped with a logged reason; a stalled follower is paused; memory stays bounded")
