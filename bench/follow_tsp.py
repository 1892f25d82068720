#!/usr/bin/python3
"""The peer for the log-follow latency of bench/taskd_vs_tsp.py: `tsp -t` (task-spooler's
"tail -f the output of a job") following the same stamped-line agent.

The agent (taskd_vs_tsp.FOLLOW_AGENT) writes one line stamped with CLOCK_MONOTONIC for
each line it reads from a FIFO; we take the difference when `tsp -t ID` prints it. tsp
re-reads the output file on a timer, so each write waits a random 0–1 s first: the
samples then fall at random points of its polling cycle instead of right after a tick.

Usage: bench/follow_tsp.py [--samples 15] [--json FILE]
"""
import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from taskd_vs_tsp import FOLLOW_AGENT  # noqa: E402


def measure(samples):
    if not shutil.which("tsp"):
        sys.exit("bench: error: tsp is missing; apt-get install task-spooler")
    root = tempfile.mkdtemp(prefix="ptt-bench-tspfollow-")
    env = dict(os.environ, TS_SOCKET=os.path.join(root, "ts.sock"), TMPDIR=root)
    agent = os.path.join(root, "follow_agent.py")
    with open(agent, "w") as f:
        f.write(FOLLOW_AGENT)
    os.chmod(agent, 0o755)
    fifo = os.path.join(root, "follow.fifo")
    os.mkfifo(fifo)
    stamp = re.compile(r"t=(\d+)")
    latencies = []
    rng = random.Random(7)
    try:
        job = subprocess.run(["tsp", agent, "-p", fifo], env=env, check=True, capture_output=True,
                             text=True).stdout.strip()
        with open(fifo, "w") as w:  # opens once the agent runs
            tail = subprocess.Popen(["tsp", "-t", job], env=env, stdout=subprocess.PIPE, text=True, bufsize=1)
            tail.stdout.readline()  # the init line: the follower is attached
            for _ in range(samples):
                time.sleep(rng.random())  # a random phase of tsp's polling (see above)
                w.write("go\n")
                w.flush()
                while True:
                    line = tail.stdout.readline()
                    if not line:
                        sys.exit("bench: error: tsp -t ended early")
                    m = stamp.search(line)
                    if m:
                        latencies.append((time.monotonic_ns() - int(m.group(1))) / 1e6)
                        break
            w.write("end\n")
        tail.wait(timeout=30)
    finally:
        subprocess.run(["tsp", "-K"], env=env, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
    latencies.sort()
    return {"median_ms": statistics.median(latencies), "p95_ms": latencies[int(len(latencies) * 0.95) - 1],
            "max_ms": latencies[-1], "samples": len(latencies)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=15)
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    args = ap.parse_args()
    r = measure(args.samples)
    print(f"tsp -t follow latency: median {r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
          f"max {r['max_ms']:.1f} ms (n={r['samples']})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(r, f)


if __name__ == "__main__":
    main()
