#!/usr/bin/python3
"""ptt-taskd measured at the protocol level (no CLI start-up in the figures), beside
task-spooler running the same agent in the same run.

  1. N spawns of the fake agent over one connection, then `wait` (--max-running 4),
     vs N `tsp -n AGENT` with 4 slots, then waiting for all.
  2. `list` over N tasks (mean of 20), vs `tsp -l`.
  3. Daemon RSS with N finished tasks.
  4. Follow latency: an agent writes a line stamped with CLOCK_MONOTONIC; a `logs`
     follower receives it (median / p95 / max of 200).

Usage: bench/taskd_protocol.py [--build DIR] [--tasks N]
(bench/taskd_vs_tsp.py measures the same through the ptt-task CLI.)
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "support"))
from ptt_harness import NdjsonClient  # noqa: E402
from taskd_vs_tsp import follow_agent  # noqa: E402  (one agent, two tick lines)

# Each line a bare {"type": "tick", "t": <CLOCK_MONOTONIC ns>}: the daemon's own events carry it.
FOLLOW_AGENT = follow_agent('{"type": "tick", "t": time.monotonic_ns()}')


def start_daemon(build, root, agent):
    env = dict(os.environ, PTT_SOCKET=os.path.join(root, "run", "s.sock"), PTT_STATE_DIR=os.path.join(root, "state"))
    r, w = os.pipe()
    proc = subprocess.Popen([os.path.join(build, "tools", "ptt-taskd"), "--claude", agent, "--ready-fd", str(w)],
                            env=env, stderr=subprocess.DEVNULL, pass_fds=(w,))
    os.close(w)
    with os.fdopen(r) as f:
        if not f.readline().startswith("ready"):
            sys.exit("bench: error: ptt-taskd did not start")
    return proc, env["PTT_SOCKET"]


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))


def bench_ptt(build, n, root):
    proc, sock = start_daemon(build, root, os.path.join(build, "tests", "fake-agent"))
    c = NdjsonClient(sock, timeout=600)
    t0 = time.monotonic()
    ids = [c.request("spawn", prompt="result success ok", cwd=root)["task"]["id"] for _ in range(n)]
    done = c.request("wait", tasks=ids)
    total = time.monotonic() - t0
    ok = sum(t["state"] == "succeeded" for t in done["tasks"])
    lists = []
    for _ in range(20):
        t = time.monotonic()
        c.request("list")
        lists.append(time.monotonic() - t)
    rss = rss_kb(proc.pid)
    c.request("shutdown")
    proc.wait()
    return total, ok, statistics.mean(lists), rss


def bench_tsp(build, n, root):
    env = dict(os.environ, TS_SOCKET=os.path.join(root, "tsp.sock"), TMPDIR=root, TS_SAVELIST="/dev/null")
    agent = os.path.join(build, "tests", "fake-agent")
    subprocess.run(["tsp", "-S", "4"], env=env, check=True, capture_output=True)
    t0 = time.monotonic()
    for _ in range(n):
        subprocess.run(["tsp", "-n", agent, "-p", "result success ok"], env=env, check=True, capture_output=True)
    while True:  # tsp -w waits for the last job only; poll the list until nothing is left
        out = subprocess.run(["tsp", "-l"], env=env, capture_output=True, text=True).stdout
        if "running" not in out and "queued" not in out:
            break
        time.sleep(0.01)
    total = time.monotonic() - t0
    lists = []
    for _ in range(20):
        t = time.monotonic()
        subprocess.run(["tsp", "-l"], env=env, capture_output=True)
        lists.append(time.monotonic() - t)
    subprocess.run(["tsp", "-K"], env=env, capture_output=True)
    return total, statistics.mean(lists)


def bench_follow(build, root, samples=200):
    agent = os.path.join(root, "follow_agent.py")
    with open(agent, "w") as f:
        f.write(FOLLOW_AGENT)
    os.chmod(agent, 0o755)
    proc, sock = start_daemon(build, os.path.join(root, "f"), agent)
    fifo = os.path.join(root, "fifo")
    os.mkfifo(fifo)
    c = NdjsonClient(sock, timeout=30)
    task = c.request("spawn", prompt=fifo, cwd=root)["task"]["id"]
    follower = NdjsonClient(sock, timeout=30)
    follower.request("logs", task=task, follow=True)
    lat = []
    with open(fifo, "w") as w:
        for _ in range(samples):
            w.write("x\n")
            w.flush()
            while True:
                m = follower.read()
                if m.get("event") == "log" and '"tick"' in m.get("line", ""):
                    lat.append((time.monotonic_ns() - json.loads(m["line"])["t"]) / 1e6)
                    break
            time.sleep(0.002)
        w.write("end\n")
    c.request("shutdown")
    proc.wait()
    lat.sort()
    return statistics.median(lat), lat[int(len(lat) * 0.95)], lat[-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--tasks", type=int, default=1000)
    args = ap.parse_args()
    root = tempfile.mkdtemp(prefix="ptt-bench-")
    print(f"load average (1/5/15 min) at start {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    try:
        total, ok, list_s, rss = bench_ptt(args.build, args.tasks, root)
        print(f"ptt-taskd: {args.tasks} spawn+wait {total:.2f} s ({ok} succeeded), list {list_s * 1000:.1f} ms, "
              f"RSS {rss / 1024:.1f} MB with {args.tasks} finished tasks")
        if shutil.which("tsp"):
            tsp_total, tsp_list = bench_tsp(args.build, args.tasks, root)
            print(f"tsp:       {args.tasks} submit+finish {tsp_total:.2f} s, tsp -l {tsp_list * 1000:.1f} ms")
            print(f"ratio:     {total / tsp_total:.2f}x tsp's time (target <= 0.8; ptt's figure has no CLI start-up)")
        else:
            print("tsp: not installed (apt-get install task-spooler); no side-by-side figure")
        print(f"load average after the spawn runs {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        med, p95, worst = bench_follow(args.build, root)
        print(f"follow latency: median {med:.2f} ms, p95 {p95:.2f} ms, max {worst:.2f} ms (target < 5 ms)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
