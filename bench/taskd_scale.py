#!/usr/bin/python3
"""ptt-taskd holding a long history: N finished tasks (default 100,000).

A user who keeps months of history has far more tasks than a test ever makes. This
bench gives a daemon N finished tasks and measures what a person feels:
  - start-up: exec of ptt-taskd until it writes "ready" on --ready-fd (recovery of N
    records from disk), the CPU time it used until then, and its RSS then and after
    the list calls below;
  - `ptt-task list` (the table, to a pipe: every unfinished task and the newest 100
    finished ones), `ptt-task list --all` (all N rows) and `ptt-task list --json` (all N
    records), mean per call; for the tables also the CPU time of daemon and client (on a
    shared machine the wall time is mostly waiting for a core);
  - `ptt-task status ID` of an old task, mean per call;
  - `ptt-task spawn` latency, the median of --spawn-runs calls, against the same daemon
    with N tasks and against a fresh daemon holding 10, called in turn (the target: no
    worse than with 10).
The peer is task-spooler in the same run: `tsp -l` and `tsp CMD` with --tsp-tasks
finished jobs (tsp runs every job to fill its list, ~3 ms each, so 100,000 would take
minutes per repeat; it holds TS_MAXFINISHED of them in memory).

How the history is made: the real daemon runs a few tasks of the fake agent (succeeded
and failed ones) and is stopped; their final record lines in tasks.ndjson are the
templates, copied N times with new ids (the daemon's own format, not a copy of it here),
and each copy gets a log directory hard-linked to its template's logs, as a real history
has. Targets (issue 16): list table < 100 ms, start-up < 1 s, RSS < 64 MB, spawn latency
no worse than with 10 tasks; each target is printed beside its figure, met or missed.
The load average before and after the run is printed too: wall times on a shared
machine are mostly waiting for a core, CPU times and RSS much less so.

Usage: bench/taskd_scale.py [--build DIR] [--tasks N] [--tsp-tasks M] [--runs R] [--spawn-runs S] [--json FILE]
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
sys.path.insert(0, HERE)
from taskd_vs_tsp import cpu_seconds, rss_kb, start_daemon  # noqa: E402  (one copy of each, shared)


def fail(msg):
    sys.exit(f"bench: error: {msg}")


def run(cmd, env, check=True):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if check and p.returncode != 0:
        fail(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[-500:]}")
    return p


def children_cpu_seconds():
    t = os.times()
    return t.children_user + t.children_system


def mean_seconds(cmd, env, runs):
    """Mean wall time of `runs` calls of cmd (each a new process, output to a pipe)."""
    total = 0.0
    for _ in range(runs):
        t0 = time.monotonic()
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        total += time.monotonic() - t0
        if p.returncode != 0:
            fail(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.decode(errors='replace')[-500:]}")
    return total / runs


class Daemon:
    """ptt-taskd on its own socket and state dir; start() returns the seconds until ready."""

    def __init__(self, taskd, agent, root, name):
        self.taskd, self.agent = taskd, agent
        self.env = dict(os.environ, PTT_SOCKET=os.path.join(root, f"{name}.sock"),
                        PTT_STATE_DIR=os.path.join(root, f"{name}-state"), HOME=root, NO_COLOR="1",
                        PTT_NO_AUTOSTART="1")
        self.state_dir = self.env["PTT_STATE_DIR"]
        self.log = os.path.join(root, f"{name}.log")
        self.proc = None

    def start(self):
        t0 = time.monotonic()
        self.proc = start_daemon([self.taskd, "--max-running", "4", "--claude", self.agent], self.env,
                                 open(self.log, "a"))
        return time.monotonic() - t0

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None


def make_history(task, daemon, work, n):
    """Runs a few real tasks, stops the daemon, and copies their records to n tasks."""
    daemon.start()
    ids = []
    for prompt in ("result success ok", "result error boom", "result success done"):
        ids.append(run([task, "spawn", "--cwd", work, prompt], daemon.env).stdout.strip())
    run([task, "wait", *ids], daemon.env, check=False)  # a failed task exits 1
    daemon.stop()
    records = {}
    with open(os.path.join(daemon.state_dir, "tasks.ndjson")) as f:
        for line in f:
            line = line.strip()
            if line:
                rec = json.loads(line)
                if "id" in rec:
                    records[rec["id"]] = rec  # a later line wins
    templates = [r for r in records.values() if r.get("state") in ("succeeded", "failed")]
    if len(templates) != len(ids):
        fail(f"expected {len(ids)} finished template tasks, found {len(templates)}")
    logs = os.path.join(daemon.state_dir, "logs")
    tmp = os.path.join(daemon.state_dir, "tasks.ndjson.new")
    with open(tmp, "w") as out:
        for i in range(1, n + 1):
            t = templates[i % len(templates)]
            rec = dict(t, id=i)
            out.write(json.dumps(rec, separators=(",", ":")) + "\n")
            src = os.path.join(logs, str(t["id"]))
            if i > len(templates):  # the templates' own ids keep their logs
                dst = os.path.join(logs, str(i))
                os.makedirs(dst, exist_ok=True)
                for name in os.listdir(src):
                    os.link(os.path.join(src, name), os.path.join(dst, name))
    os.replace(tmp, os.path.join(daemon.state_dir, "tasks.ndjson"))
    with open(os.path.join(daemon.state_dir, "next_id"), "w") as f:
        f.write(f"{n + 1}\n")


def tsp_figures(agent, root, work, m, runs):
    env = dict(os.environ, TS_SOCKET=os.path.join(root, "ts.sock"), TS_SLOTS="4",
               TS_MAXFINISHED=str(m + runs + 10), TMPDIR=os.path.join(root, "tsp-out"))
    os.makedirs(env["TMPDIR"], exist_ok=True)
    subprocess.run(["tsp", "-K"], env=env, capture_output=True)
    try:
        subprocess.run(["bash", "-c", f'cd {work}; for i in $(seq {m}); do last=$(tsp {agent} -p "result success ok"); '
                                      f'done; tsp -w $last >/dev/null 2>&1 || true; '
                                      f'for id in $(tsp -l | awk \'$2=="running"||$2=="queued"{{print $1}}\'); '
                                      f'do tsp -w $id >/dev/null 2>&1 || true; done'],
                       env=env, check=True, capture_output=True)
        held = sum(1 for l in run(["tsp", "-l"], env).stdout.splitlines()[1:] if " finished " in l)
        list_s = mean_seconds(["tsp", "-l"], env, runs)
        spawn_s = mean_seconds(["tsp", agent, "-p", "result success ok"], env, runs)
    finally:
        subprocess.run(["tsp", "-K"], env=env, capture_output=True)
    return held, list_s, spawn_s


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--tasks", type=int, default=100_000, help="finished tasks the daemon holds")
    ap.add_argument("--tsp-tasks", type=int, default=2000, help="finished jobs task-spooler holds")
    ap.add_argument("--runs", type=int, default=10, help="calls averaged per figure")
    ap.add_argument("--spawn-runs", type=int, default=50,
                    help="spawns to each daemon, in turn, for the spawn latency (their median)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE (for bench/run_all.py)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    task, taskd = os.path.join(build, "tools", "ptt-task"), os.path.join(build, "tools", "ptt-taskd")
    agent = os.path.join(build, "tests", "fake-agent")
    for p in (task, taskd, agent):
        if not os.access(p, os.X_OK):
            fail(f"{p} is missing; run `make -f Makefile.dist build` first")
    if not shutil.which("tsp"):
        fail("tsp is missing; apt-get install task-spooler")

    root = tempfile.mkdtemp(prefix="ptt-bench-scale-")
    work = os.path.join(root, "work")
    os.makedirs(work)
    big = Daemon(taskd, agent, root, "big")
    small = Daemon(taskd, agent, root, "small")
    n, runs = args.tasks, args.runs
    load_before = os.getloadavg()
    try:
        t0 = time.monotonic()
        make_history(task, big, work, n)
        seed_s = time.monotonic() - t0

        startup_s = big.start()
        startup_cpu_s = cpu_seconds(big.proc.pid)
        rss_start = rss_kb(big.proc.pid)
        listed = run([task, "list", "--json"], big.env).stdout.count("\n")
        if listed < n:
            fail(f"the daemon lists {listed} tasks, expected {n}: was the history read?")
        daemon_cpu, client_cpu = cpu_seconds(big.proc.pid), children_cpu_seconds()
        list_s = mean_seconds([task, "list"], big.env, runs)
        list_cpu_s = (cpu_seconds(big.proc.pid) - daemon_cpu + children_cpu_seconds() - client_cpu) / runs
        daemon_cpu, client_cpu = cpu_seconds(big.proc.pid), children_cpu_seconds()
        list_all_s = mean_seconds([task, "list", "--all"], big.env, runs)
        list_all_cpu_s = (cpu_seconds(big.proc.pid) - daemon_cpu + children_cpu_seconds() - client_cpu) / runs
        list_json_s = mean_seconds([task, "list", "--json"], big.env, runs)
        status_s = mean_seconds([task, "status", "7"], big.env, runs)
        rss_after = rss_kb(big.proc.pid)

        small.start()
        ids = [run([task, "spawn", "--cwd", work, "result success ok"], small.env).stdout.strip() for _ in range(10)]
        run([task, "wait", *ids], small.env)
        # Spawns to the two daemons in turn: on a shared machine the load changes by the
        # second, and measuring one after the other compared two different loads.
        # The median of many: one call that waits for a core would move a mean of ten by 20%.
        spawn_big, spawn_small = [], []
        for _ in range(args.spawn_runs):
            spawn_big.append(mean_seconds([task, "spawn", "--cwd", work, "result success ok"], big.env, 1))
            spawn_small.append(mean_seconds([task, "spawn", "--cwd", work, "result success ok"], small.env, 1))
        spawn_big_s, spawn_small_s = statistics.median(spawn_big), statistics.median(spawn_small)
        big.stop()
        small.stop()

        tsp_held, tsp_list_s, tsp_spawn_s = tsp_figures(agent, root, work, args.tsp_tasks, runs)
    finally:
        big.stop()
        small.stop()
        shutil.rmtree(root, ignore_errors=True)

    load_after = os.getloadavg()
    ms = lambda s: s * 1e3
    met = lambda ok: "met" if ok else "MISSED"
    print(f"ptt-taskd with {n} finished tasks (history made in {seed_s:.1f} s); "
          f"task-spooler with {tsp_held} finished jobs; mean of {runs} calls each, spawn the median of {args.spawn_runs}")
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in load_before)} before, "
          f"{' '.join(f'{x:.2f}' for x in load_after)} after")
    print(f"{'measure':44} {'ptt':>10} {'peer':>10}  peer / target")
    print(f"{'start-up to ready (ms)':44} {ms(startup_s):10.1f} {'':>10}  < 1000 ms: {met(startup_s < 1)}")
    print(f"{'  its CPU time, user + system (ms)':44} {ms(startup_cpu_s):10.1f}")
    print(f"{'RSS after start-up (MB)':44} {rss_start / 1024:10.1f} {'':>10}  < 64 MB: {met(rss_start < 64 * 1024)}")
    print(f"{'RSS after the calls below (MB)':44} {rss_after / 1024:10.1f} {'':>10}  "
          f"< 64 MB: {met(rss_after < 64 * 1024)}")
    print(f"{'list, table to a pipe (ms per call)':44} {ms(list_s):10.1f} {ms(tsp_list_s):10.1f}  "
          f"tsp -l; < 100 ms: {met(list_s < 0.1)}")
    print(f"{'  CPU time, daemon + ptt-task (ms per call)':44} {ms(list_cpu_s):10.1f}")
    print(f"{'list --all, every row to a pipe (ms per call)':44} {ms(list_all_s):10.1f} {ms(tsp_list_s):10.1f}  tsp -l")
    print(f"{'  CPU time, daemon + ptt-task (ms per call)':44} {ms(list_all_cpu_s):10.1f}")
    print(f"{'list --json (ms per call)':44} {ms(list_json_s):10.1f} {'':>10}")
    print(f"{'status ID (ms per call)':44} {ms(status_s):10.2f} {'':>10}")
    print(f"{'spawn latency, median (ms per call)':44} {ms(spawn_big_s):10.2f} {ms(spawn_small_s):10.2f}  "
          f"same daemon with 10 tasks; no worse: {met(spawn_big_s <= spawn_small_s * 1.1)} (10% for noise)")
    print(f"{'tsp spawn latency (ms per call)':44} {'':>10} {ms(tsp_spawn_s):10.2f}  tsp CMD")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"load_avg": [load_before, load_after], "tasks": n, "tsp_tasks": tsp_held, "startup_s": startup_s, "startup_cpu_s": startup_cpu_s, "list_cpu_s": list_cpu_s, "rss_kb": [rss_start, rss_after],
                       "list_s": [list_s, tsp_list_s], "list_all_s": list_all_s, "list_all_cpu_s": list_all_cpu_s, "list_json_s": list_json_s, "status_s": status_s,
                       "spawn_s": [spawn_big_s, spawn_small_s, tsp_spawn_s]}, f)


if __name__ == "__main__":
    main()
