#!/usr/bin/python3
"""list latency while ptt-taskd ingests one 64 MB stream-json line, 10 clients polling.

Ten client processes (one connection each) send `list` every --interval-ms and time
each reply. Two windows on the same daemon, with the same finished tasks in it:
  ingest    a task whose agent (build/tests/fake-agent `bigline 64`) writes one 64 MB
            line, then a result: from its spawn until it has finished;
  baseline  as long again, nothing else running.
The clients start polling half a second before either window (their start-up is left
out), and the baseline window comes after the ingest, as long as it. The figure is the
worst latency of the lists in flight during the ingest; the peer figure is the
baseline's worst (same clients, same daemon, no ingest), so the ratio is what the big
line costs a client.

Usage: bench/ingest_list.py [--build DIR] [--mb 64] [--clients 10] [--json FILE]
"""
import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "support"))
from ptt_harness import PROTOCOL_VERSION, NdjsonClient  # noqa: E402


def poller(sock, interval, go, stop, out, done):
    c = NdjsonClient(sock, timeout=60)
    c.request("hello", version=PROTOCOL_VERSION, client="bench-poller")
    go.wait()
    samples = []  # (start, end) of each list, CLOCK_MONOTONIC
    while not stop.is_set():
        t0 = time.monotonic()
        reply = c.request("list")
        samples.append((t0, time.monotonic()))
        with done.get_lock():
            done.value += 1
        if not reply.get("ok"):
            raise SystemExit(f"list failed: {reply}")
        time.sleep(interval)
    out.put(samples)


def poll_while(sock, clients, interval, body):
    """Runs body(lists_done) while `clients` processes poll list; returns (every (start, end),
    body's value). lists_done() is how many lists have completed so far."""
    ctx = multiprocessing.get_context("fork")
    go, stop, out, done = ctx.Event(), ctx.Event(), ctx.Queue(), ctx.Value("l", 0)
    procs = [ctx.Process(target=poller, args=(sock, interval, go, stop, out, done)) for _ in range(clients)]
    for p in procs:
        p.start()
    go.set()
    try:
        value = body(lambda: done.value)
    finally:
        stop.set()
    samples = [x for _ in procs for x in out.get(timeout=120)]
    for p in procs:
        p.join()
    return samples, value


def during(samples, a, b):
    """Latencies of the lists in flight at any time within [a, b]."""
    return [end - start for start, end in samples if end >= a and start <= b]


def measure(build, mb, clients, interval_ms, prefill, warmup=0.5):
    agent = os.path.join(build, "tests", "fake-agent")
    root = tempfile.mkdtemp(prefix="ptt-bench-ingest-")
    env = dict(os.environ, PTT_SOCKET=os.path.join(root, "taskd.sock"), PTT_STATE_DIR=os.path.join(root, "state"),
               HOME=root)
    r, w = os.pipe()
    daemon = subprocess.Popen([os.path.join(build, "tools", "ptt-taskd"), "--claude", agent, "--ready-fd", str(w)],
                              env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(root, "taskd.log"), "w"),
                              pass_fds=(w,))
    os.close(w)
    try:
        with os.fdopen(r) as f:
            if not f.readline().startswith("ready"):
                sys.exit(f"bench: error: ptt-taskd did not start; see {root}/taskd.log")
        sock = env["PTT_SOCKET"]
        c = NdjsonClient(sock, timeout=600)
        c.request("hello", version=PROTOCOL_VERSION, client="bench")
        ids = [c.request("spawn", prompt="result success ok", cwd=root)["task"]["id"] for _ in range(prefill)]
        c.request("wait", tasks=ids)
        interval = interval_ms / 1000

        windows = {}

        def until_lists_done(lists_done, since, count):
            # A window short beside the pollers' interval (a small --mb on a busy machine)
            # could hold no list at all; it stays open until each poller could finish one.
            deadline = time.monotonic() + 120
            while lists_done() < since + count and time.monotonic() < deadline:
                time.sleep(interval / 4)

        def phases(lists_done):
            time.sleep(warmup)  # the pollers' start-up is not part of either window
            t0, done0 = time.monotonic(), lists_done()
            tid = c.request("spawn", prompt=f"bigline {mb}; result success ingested", cwd=root)["task"]["id"]
            rec = c.request("wait", tasks=[tid])["tasks"][0]
            windows["ingest_seconds"] = time.monotonic() - t0
            until_lists_done(lists_done, done0, clients)
            windows["ingest"] = (t0, time.monotonic())
            time.sleep(warmup)  # let the daemon settle (it frees the line's buffers)
            t1, done1 = time.monotonic(), lists_done()
            time.sleep(windows["ingest"][1] - t0)  # a baseline window as long as the ingest
            until_lists_done(lists_done, done1, clients)
            windows["baseline"] = (t1, time.monotonic())
            return rec

        samples, rec = poll_while(sock, clients, interval, phases)
        if rec.get("state") != "succeeded":
            sys.exit(f"bench: error: the {mb} MB task did not succeed: {rec}")
        busy, idle = during(samples, *windows["ingest"]), during(samples, *windows["baseline"])
        if not busy or not idle:
            sys.exit(f"bench: error: no list completed within a window ({len(busy)} during the ingest, "
                     f"{len(idle)} in the baseline); is the machine overloaded?")
        return {"ingest_seconds": windows["ingest_seconds"], "mb": mb, "clients": clients,
                "tasks_listed": prefill + 1,
                "worst_ingest": max(busy), "median_ingest": statistics.median(busy), "n_ingest": len(busy),
                "worst_baseline": max(idle), "median_baseline": statistics.median(idle), "n_baseline": len(idle)}
    finally:
        daemon.terminate()
        daemon.wait()
        shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--mb", type=int, default=64)
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--interval-ms", type=float, default=20, help="each client's pause between lists")
    ap.add_argument("--prefill", type=int, default=50, help="finished tasks in the list")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    args = ap.parse_args()
    r = measure(os.path.abspath(args.build), args.mb, args.clients, args.interval_ms, args.prefill)
    print(f"{r['clients']} clients polling list ({r['tasks_listed']} tasks) every {args.interval_ms:g} ms; "
          f"ingest of one {r['mb']} MB line took {r['ingest_seconds']:.2f} s")
    print(f"  during the ingest: worst {r['worst_ingest'] * 1e3:.2f} ms, median {r['median_ingest'] * 1e3:.2f} ms "
          f"(n={r['n_ingest']})")
    print(f"  baseline, no ingest: worst {r['worst_baseline'] * 1e3:.2f} ms, median {r['median_baseline'] * 1e3:.2f} ms "
          f"(n={r['n_baseline']})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(r, f)


if __name__ == "__main__":
    main()
