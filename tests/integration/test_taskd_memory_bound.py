"""Memory: 300 connections, each holding an unterminated request line of almost 1 MiB
(the per-line limit), must not take the daemon's memory with them.

Before, the daemon kept every partial line, growing from 5 MB to over 300 MB (and the
descriptor limit allowed ~20 GB). Now all partial lines together may hold 64 MiB; past
that the connections holding the most are dropped with a `busy` reply and a line in
the daemon's log, and a client that ends its lines is served throughout."""
import socket

from ptt_harness import Sandbox, expect
from taskd_fixture import Taskd, spawn, wait_tasks

CONNECTIONS = 300
LINE = (1 << 20) - 4096  # under the 1 MiB line limit: kept, not skipped as too long
GROWTH_MIB = 112  # the 64 MiB cap and malloc's slack, over what the daemon held before


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


with Sandbox("taskd-memory-bound") as sb:
    # ASan keeps freed memory in quarantine (256 MiB by default), which is not ours to bound.
    asan = sb.env.get("ASAN_OPTIONS")
    d = Taskd(sb, env=dict(sb.env, ASAN_OPTIONS=f"{asan}:quarantine_size_mb=0") if asan else None)
    c = d.client()
    before = rss_mib(d.proc.pid)
    chunk = b'{"id":1,"op":"list","pad":"' + b"x" * (LINE - 27)
    held, dropped, peak = [], 0, before
    for i in range(CONNECTIONS):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(20)
        s.connect(sb.socket)
        try:
            s.sendall(chunk)
            held.append(s)
        except (BrokenPipeError, ConnectionResetError):
            dropped += 1
            s.close()
        except TimeoutError:
            print(f"connection {i}: the daemon stopped reading\n{d.log()[-3000:]}")
            raise
        if i % 25 == 24:
            # The well-behaved client is answered while the flood goes on (the daemon
            # has also read everything sent so far once it answers).
            expect(c.request("list")["ok"], "a well-behaved client is not served during the flood")
            peak = max(peak, rss_mib(d.proc.pid))
    t = spawn(c, "result success served under the flood", sb.root)
    rec = wait_tasks(c, [t], timeout=20)[t]
    expect(rec["state"] == "succeeded", f"a task spawned under the flood: {rec}")
    peak = max(peak, rss_mib(d.proc.pid))
    print(f"daemon RSS {before:.1f} MiB before, peak {peak:.1f} MiB with {CONNECTIONS} connections "
          f"each sending {LINE >> 10} KiB without a newline")
    bound = before + GROWTH_MIB
    expect(peak < bound, f"the daemon grew to {peak:.1f} MiB (bound {bound:.0f})\n{d.log()[-2000:]}")
    expect("unfinished lines" in d.log(), "dropping a client for memory is not logged")
    # The dropped connections were told why (those whose sendall saw the close first were too).
    told = 0
    for s in held:
        s.settimeout(0.0)
        try:
            told += b'"code":"busy"' in s.recv(65536)
        except (BlockingIOError, ConnectionResetError):
            pass
    expect(told + dropped > 0, "no dropped connection was told why")
    for s in held:
        s.close()
print("ok: the partial lines of many connections stay within the daemon's memory bound")
