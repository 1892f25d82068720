"""A single 64 MB line from the agent neither crashes nor stalls the daemon: another
client's list stays responsive, memory stays bounded, the raw log keeps the line and
`logs` reports it as omitted."""
import contextlib
import json
import os
import threading

from ptt_harness import TIMEOUT_FACTOR, Sandbox, expect, skip_part, start_thread, under_asan
from taskd_fixture import Taskd, spawn, wait_tasks

MB = 1024 * 1024


def rss_peak_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))


with Sandbox("taskd-bigline") as sb:
    d = Taskd(sb)
    c = d.client()
    idle_rss = rss_peak_kb(d.proc.pid)

    # A second client keeps asking for the list while the big line goes through (a
    # failed or timed-out request fails the thread, and join() fails the test).
    lister = d.client(timeout=10 * TIMEOUT_FACTOR)
    replies = []
    task = []
    stop = threading.Event()

    def raw_log_size():
        with contextlib.suppress(FileNotFoundError, IndexError):
            return os.path.getsize(os.path.join(sb.state_dir, "logs", str(task[0]), "stream.ndjson"))
        return 0

    def keep_listing():
        while not stop.is_set():
            before = raw_log_size()
            r = lister.request("list")
            expect(r["ok"], f"list failed during the big line: {r}")
            replies.append((before, raw_log_size()))

    follower = d.client(timeout=30 * TIMEOUT_FACTOR)
    thread = start_thread(keep_listing)
    try:
        t = spawn(c, "tool Bash before; bigline 64; tool Bash after the big line; bigline 64; result success survived", sb.root)
        task.append(t)
        follower.request("logs", task=t, follow=True)
        rec = wait_tasks(c, [t], timeout=120)[t]
    finally:
        stop.set()
    thread.join()
    expect(rec["state"] == "succeeded" and rec["result"]["text"] == "survived", str(rec))
    expect(rec["activity"] == "Bash: after the big line", f"lines after the big one were lost: {rec['activity']!r}")
    # list was served while the daemon was in the middle of a big line: the raw log held
    # part of the same big line when the request went out and when its reply came back.
    def big_line(size):
        return 1 if MB < size < 63 * MB else 2 if 66 * MB < size < 127 * MB else None

    mid_line = [(a, b) for a, b in replies if big_line(a) and big_line(a) == big_line(b)]
    expect(len(mid_line) >= 2, f"only {len(mid_line)} list replies in the middle of a big line "
           f"({len(replies)} in all): the daemon stalls while it reads one")

    # logs -f: every normal line, and the big ones as omitted_bytes.
    events = []
    while not events or events[-1].get("event") != "log_end":
        events.append(follower.read())
    omitted = [e["omitted_bytes"] for e in events if "omitted_bytes" in e]
    expect(len(omitted) == 2 and all(n > 64 * MB for n in omitted), f"omitted {omitted}")
    last = json.loads(events[-2]["line"])
    expect(last["type"] == "result", f"last log line {events[-2]}")

    raw = os.path.getsize(os.path.join(sb.state_dir, "logs", str(t), "stream.ndjson"))
    expect(raw > 128 * MB, f"the raw log lost the big lines ({raw} bytes)")
    # Offsets count the omitted lines' bytes too: the last line ends the file.
    offsets = [e["next_offset"] for e in events[:-1]]
    expect(offsets == sorted(set(offsets)) and offsets[-1] == raw, f"next_offsets {offsets[-3:]} (file {raw})")
    peak = rss_peak_kb(d.proc.pid)
    if under_asan(d.proc.pid):
        skip_part("AddressSanitizer build, the memory bound is not checked", "asan-memory")
    else:
        expect(peak - idle_rss < 24 * 1024, f"daemon peak RSS grew by {(peak - idle_rss) // 1024} MB (idle {idle_rss} kB)")
    print(f"{len(replies)} list replies ({len(mid_line)} in the middle of a big line); "
          f"peak RSS {peak // 1024} MB (idle {idle_rss // 1024} MB)")
print("ok: a 64 MB line is survived without stalls or unbounded memory")
