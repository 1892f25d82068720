"""Load: 100 concurrent clients x 100 requests each against one daemon. Every request
is answered with its own id and the right shape, and once the clients hang up the
daemon's open file descriptors are back to where they were before."""
import os
import threading
import time

from ptt_harness import PROTOCOL_VERSION, TIMEOUT_FACTOR, NdjsonClient, Sandbox, asleep_in_epoll, expect, start_thread, wait_until
from taskd_fixture import Taskd, spawn, wait_tasks

CLIENTS = 100
REQUESTS = 100


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def settled_fd_count(pid):
    """The fd count once it has not changed for 0.3 s and the daemon sleeps in epoll_wait:
    closes (the setup client, the finished tasks' watches) complete asynchronously in the
    daemon's loop. The window alone passed while a loaded machine had not yet run the
    daemon to do them; asleep in epoll_wait, it has nothing left to handle."""
    seen = [(time.monotonic(), fd_count(pid))]

    def steady():
        now, n = time.monotonic(), fd_count(pid)
        if n != seen[-1][1]:
            seen.append((now, n))
        return now - seen[-1][0] >= 0.3 and asleep_in_epoll(pid) and fd_count(pid) == n and n

    return wait_until(steady, 10, "a steady fd count")


with Sandbox("taskd-load") as sb:
    d = Taskd(sb)
    setup = d.client()
    ids = [spawn(setup, f"result success load {i}", sb.root) for i in range(5)]
    wait_tasks(setup, ids)
    setup.close()
    baseline = settled_fd_count(d.proc.pid)

    barrier = threading.Barrier(CLIENTS)
    errors = []
    answered = [0] * CLIENTS
    peak_fds = []

    def one_client(n):
        try:
            c = NdjsonClient(sb.socket, timeout=60)  # scaled by the harness
            for i in range(REQUESTS):
                if i == 1:
                    # All connected at once: every client has had its first answer, so the
                    # daemon has accepted every connection, and none is closed yet. (A count
                    # taken right after connect() raced the daemon's accept() under load.)
                    barrier.wait(timeout=60 * TIMEOUT_FACTOR)
                    peak_fds.append(fd_count(d.proc.pid))
                kind = i % 4
                if kind == 0:
                    r = c.request("hello", version=PROTOCOL_VERSION, client=f"load-{n}")
                    ok = r["ok"] and r["pid"] == d.proc.pid
                elif kind == 1:
                    r = c.request("list")
                    ok = r["ok"] and [t["id"] for t in r["tasks"]] == ids
                elif kind == 2:
                    want = ids[(n + i) % len(ids)]
                    r = c.request("get", task=want)
                    ok = r["ok"] and r["task"]["id"] == want and r["task"]["state"] == "succeeded"
                else:
                    r = c.request("get", task=9999)
                    ok = not r["ok"] and r["error"]["code"] == "not_found"
                if not ok:
                    errors.append(f"client {n} request {i}: {r}")
                    return
                answered[n] += 1
            c.close()
        except Exception as e:  # a timeout or EOF is a lost request
            errors.append(f"client {n}: {type(e).__name__}: {e}")

    t0 = time.monotonic()
    threads = [start_thread(one_client, n) for n in range(CLIENTS)]
    for t in threads:
        t.join(120)
    elapsed = time.monotonic() - t0
    expect(not errors, f"{len(errors)} client(s) failed, first: {errors[:3]}")
    total = sum(answered)
    expect(total == CLIENTS * REQUESTS, f"{total} of {CLIENTS * REQUESTS} requests answered")
    expect(max(peak_fds) >= baseline + CLIENTS, f"the clients were not concurrent (peak {max(peak_fds)} fds, "
           f"baseline {baseline})")
    wait_until(lambda: fd_count(d.proc.pid) == baseline, 10, f"fd count back to {baseline} "
               f"(now {fd_count(d.proc.pid)})")
    after_count = settled_fd_count(d.proc.pid)
    expect(after_count == baseline, f"fd count {after_count} after the load, {baseline} before")
    expect(d.proc.poll() is None, "the daemon died under load")
    after = d.client()
    expect(after.request("list")["ok"], "the daemon stopped serving after the load")
    print(f"{total} requests from {CLIENTS} concurrent clients in {elapsed:.2f} s "
          f"({total / elapsed:.0f}/s); daemon fds: baseline {baseline}, peak {max(peak_fds)}, after {baseline}")
print("ok: every request under load was answered and no fd leaked")
