#!/usr/bin/python3
"""Where a spawn's time goes, in counts that do not depend on the machine's load:
per task, the system calls of each process kind, the fsyncs, the files and directories
created, and the processes started and exec'd, for ptt (ptt-task spawn through
ptt-taskd, --max-running 4) and task-spooler (tsp, 4 slots), the same agent on both.

Each side runs N1 and then N2 spawns + wait under `strace -f`; the difference divided by
N2 - N1 is the cost of one task (start-up, daemon start and shutdown cancel out).
Wall times beside them follow the load (printed too); the counts do not.

Usage: bench/spawn_counts.py [--build DIR] [--tasks N1,N2]
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROMPT = "result success ok"


def traced(cmd, env, trace_dir):
    """Runs `cmd` (bash) under strace -ff; returns its wall time."""
    os.makedirs(trace_dir)
    t0 = time.monotonic()
    subprocess.run(["strace", "-ff", "-qq", "-o", os.path.join(trace_dir, "t"), "bash", "-c", cmd], env=env,
                   check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - t0


def count(trace_dir):
    """Per process kind (the program it exec'd last, or `fork` when none): processes and
    system calls by name; plus the calls that may create a file (open with O_CREAT, mkdir)."""
    kinds = collections.defaultdict(collections.Counter)
    procs = collections.Counter()
    for name in os.listdir(trace_dir):
        with open(os.path.join(trace_dir, name), errors="replace") as f:
            lines = f.read().splitlines()
        execs = [l.split('"')[1].rsplit("/", 1)[-1] for l in lines
                 if l.startswith("execve(") and l.rstrip().endswith("= 0")]
        kind = execs[-1] if execs else "fork"
        procs[kind] += 1
        for l in lines:
            m = re.match(r"(\w+)\(", l)
            if not m:
                continue
            kinds[kind][m.group(1)] += 1
            if m.group(1) in ("mkdir", "mkdirat") or (m.group(1) in ("openat", "open") and "O_CREAT" in l):
                kinds[kind]["+creat"] += 1
    return kinds, procs


def run_ptt(build, n, root):
    env = dict(os.environ, PTT_SOCKET=os.path.join(root, "s.sock"), PTT_STATE_DIR=os.path.join(root, "state"),
               HOME=root, PTT_NO_AUTOSTART="1", NO_COLOR="1")
    task, work = os.path.join(build, "tools", "ptt-task"), os.path.join(root, "work")
    os.makedirs(work)
    cmd = (f'{build}/tools/ptt-taskd --max-running 4 --claude {build}/tests/fake-agent --ready-fd 9 9>{root}/ready '
           f'2>/dev/null & d=$!; until [ -s {root}/ready ]; do sleep 0.01; done; '
           f'for i in $(seq {n}); do {task} spawn --cwd {work} "{PROMPT}" >/dev/null; done; '
           f'{task} wait $(seq {n}) >/dev/null; kill $d; wait $d')
    wall = traced(cmd, env, os.path.join(root, "trace"))
    files = sum(len(d) + len(f) for _, d, f in os.walk(os.path.join(root, "state")))
    return wall, files


def run_tsp(build, n, root):
    out = os.path.join(root, "out")
    os.makedirs(out)
    env = dict(os.environ, TS_SOCKET=os.path.join(root, "ts.sock"), TS_SLOTS="4", TS_MAXFINISHED=str(2 * n),
               TMPDIR=out, HOME=root)
    cmd = (f'cd {out}; for i in $(seq {n}); do tsp {build}/tests/fake-agent -p "{PROMPT}" >/dev/null; done; '
           f'while tsp -l | awk \'$2=="running"||$2=="queued"{{f=1}} END{{exit !f}}\'; do '
           f'tsp -w >/dev/null 2>&1; done; tsp -K')
    wall = traced(cmd, env, os.path.join(root, "trace"))
    files = sum(len(d) + len(f) for _, d, f in os.walk(out))
    return wall, files


def per_task(small, big, dn):
    (ks, ps), (kb, pb) = small, big
    rows = {}
    for kind in set(kb) | set(ks):
        calls = {c: (kb[kind][c] - ks[kind][c]) / dn for c in set(kb[kind]) | set(ks[kind])}
        rows[kind] = ((pb[kind] - ps[kind]) / dn, calls)
    return rows


def report(name, rows, files, walls):
    total = sum(v for _, calls in rows.values() for c, v in calls.items() if not c.startswith("+"))
    fsyncs = sum(calls.get("fsync", 0) + calls.get("fdatasync", 0) for _, calls in rows.values())
    creats = sum(calls.get("+creat", 0) for _, calls in rows.values())
    procs = sum(p for p, _ in rows.values())
    execs = sum(calls.get("execve", 0) for _, calls in rows.values())
    print(f"{name}: per task {total:.0f} system calls, {fsyncs:.2f} fsyncs, {files:.2f} files and dirs left "
          f"({creats:.2f} O_CREAT opens and mkdirs), {procs:.2f} processes, {execs:.2f} execs "
          f"(wall {walls[0]:.2f} s / {walls[1]:.2f} s under strace)")
    for kind, (p, calls) in sorted(rows.items(), key=lambda kv: -sum(kv[1][1].values())):
        n = sum(v for c, v in calls.items() if not c.startswith("+"))
        if n < 0.5:
            continue
        top = ", ".join(f"{c} {v:g}" for c, v in sorted(calls.items(), key=lambda cv: -cv[1])[:8] if v >= 0.5)
        print(f"  {kind:14} {p:4.2f} proc {n:6.1f} calls: {top}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--tasks", default="50,150", help="N1,N2 (default 50,150)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    n1, n2 = (int(x) for x in args.tasks.split(","))
    for tool in ("strace", "tsp"):
        if not shutil.which(tool):
            sys.exit(f"bench: error: {tool} is missing (apt-get install {tool if tool == 'strace' else 'task-spooler'})")
    print(f"load average (1/5/15 min) at start {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")
    for name, run in (("ptt", run_ptt), ("tsp", run_tsp)):
        results = []
        for n in (n1, n2):
            root = tempfile.mkdtemp(prefix="ptt-counts-")
            try:
                wall, files = run(build, n, root)
                results.append((count(os.path.join(root, "trace")), files, wall))
            finally:
                shutil.rmtree(root, ignore_errors=True)
        dn = n2 - n1
        report(name, per_task(results[0][0], results[1][0], dn), (results[1][1] - results[0][1]) / dn,
               (results[0][2], results[1][2]))
    print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
