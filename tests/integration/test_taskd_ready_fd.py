"""--ready-fd is closed for good once the daemon is ready: an agent the daemon starts
while it recovers (before it is ready) must not inherit it. Otherwise the parent that
waits for the ready line and then for EOF (as a service manager may) hangs for as
long as that agent runs."""
import os
import select
import time

from ptt_harness import PROTOCOL_VERSION, TIMEOUT_FACTOR, NdjsonClient, Sandbox, binary, expect, wait_until
from taskd_fixture import FAKE_AGENT, Taskd, get, spawn, supervisor_status

with Sandbox("taskd-ready-fd") as sb:
    d = Taskd(sb, "--max-running", "1")
    c = d.client()
    first_gate, queued_gate = sb.path("first"), sb.path("queued")
    # (It exits without a result: an agent with a result waits for a daemon to end its session.)
    first = spawn(c, f"wait-file {first_gate}; exit 0", sb.root)
    queued = spawn(c, f"wait-file {queued_gate}; result success queued", sb.root)
    wait_until(lambda: get(c, first)["pid"], what="the first agent to start")
    expect(get(c, queued)["state"] == "queued", "the second task should wait behind --max-running 1")
    d.kill9()
    # The first task ends while the daemon is down, so the restarted daemon starts the
    # queued one during recovery, before it writes its ready line.
    open(first_gate, "w").close()
    wait_until(lambda: "exit" in supervisor_status(sb.state_dir, first), what="the first task to end")

    read_end, write_end = os.pipe()
    log = open(sb.path("taskd-2.log"), "a")
    proc = sb.start(["ptt-taskd", "--claude", binary(FAKE_AGENT), "--max-running", "1", "--ready-fd", str(write_end)],
                    stderr=log, pass_fds=(write_end,))
    os.close(write_end)
    data, eof = b"", False
    deadline = time.monotonic() + 10 * TIMEOUT_FACTOR
    while not eof:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([read_end], [], [], left)[0]:
            break
        chunk = os.read(read_end, 256)
        data += chunk
        eof = not chunk
    os.close(read_end)
    expect(data.startswith(b"ready "), f"no ready line: {data!r}")
    c2 = NdjsonClient(sb.socket, timeout=10)
    expect(c2.request("hello", version=PROTOCOL_VERSION, client="test")["ok"], "hello failed")
    expect(get(c2, queued)["state"] in ("starting", "running"), f"the queued task should have started: {get(c2, queued)}")
    expect(eof, "the ready fd stayed open after the ready line: a process the daemon started during "
                "recovery inherited it")
    open(queued_gate, "w").close()
    wait_until(lambda: get(c2, queued)["state"] == "succeeded", what="the queued task to finish")
    proc.terminate()
    proc.wait(timeout=10 * TIMEOUT_FACTOR)
