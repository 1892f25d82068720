#!/usr/bin/python3
"""Every ptt benchmark beside its peer, repeated, as one table; also written to RESULTS.md.

Each repeat runs every bench once (so a load change on a shared machine hits all of
them alike); each bench measures ours and the peer's in the same run. A figure is the
median over the repeats, with min–max beside it; the ratio is ours/peer of the medians.
The benches (each runs on its own and prints its own report too):
  taskd_vs_tsp.py   spawn+wait, list, daemon RSS, logs -f latency   vs task-spooler
  follow_tsp.py     the peer's follow latency (`tsp -t`)
  idle_wakeups.py   the daemon's context switches over an idle window vs tsp's server
  realtime_latency.py  voice-path latencies vs realtime_peer.py on the same mock
  listen_bench.py   ptt-listen CPU while capturing   vs arecord on the same device
  ingest_list.py    worst list latency of 10 pollers during a 64 MB line vs no ingest
  taskd_scale.py    a daemon holding 100,000 finished tasks: start-up, RSS, list, status,
                    spawn latency   vs tsp -l / tsp CMD, and vs the same daemon with 10 tasks

Usage: bench/run_all.py [--build DIR] [--repeats 3] [--tasks 1000] [--quick] [--results FILE]
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def run_bench(script, args, tmp, tag):
    """Runs one bench with --json; returns its figures. Its own report goes to tmp/tag.txt."""
    out_json = os.path.join(tmp, f"{tag}.json")
    out_txt = os.path.join(tmp, f"{tag}.txt")
    cmd = [PY, os.path.join(HERE, script), *args, "--json", out_json]
    t0 = time.monotonic()
    with open(out_txt, "w") as out:
        rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode
    if rc != 0 or not os.path.exists(out_json):
        with open(out_txt) as f:
            sys.exit(f"bench: error: {script} failed (exit {rc}):\n{f.read()[-3000:]}\n"
                     f"rerun it alone: {shlex.join(cmd[:-2])}")
    log(f"  {script} {time.monotonic() - t0:.1f} s")
    with open(out_json) as f:
        return json.load(f)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Figure:
    def __init__(self, name, unit, peer, target, digits=2):
        self.name, self.unit, self.peer, self.target, self.digits = name, unit, peer, target, digits
        self.ours, self.theirs = [], []

    def add(self, ours, theirs):
        self.ours.append(ours)
        self.theirs.append(theirs)

    def cell(self, values):
        d = self.digits
        med = statistics.median(values)
        if len(values) == 1:
            return f"{med:.{d}f}"
        return f"{med:.{d}f} ({min(values):.{d}f}–{max(values):.{d}f})"

    def ratio(self):
        o, t = statistics.median(self.ours), statistics.median(self.theirs)
        if t == 0:
            return "—" if o == 0 else "∞"
        r = o / t
        return f"{r:.2f}" if r >= 0.1 else f"{r:.2g}"

    def verdict(self):
        """met or MISSED for the target: "< X unit" (ours below X), "≤ R× ..." (ours/peer at
        most R), or "0" (ours exactly 0); "" for a figure without a target."""
        t, o = self.target, statistics.median(self.ours)
        if not t:
            return ""
        if t.startswith("< "):
            ok = o < float(t[2:].split()[0])
        elif t.startswith("≤ ") and "×" in t:
            theirs = statistics.median(self.theirs)
            ok = theirs > 0 and o / theirs <= float(t[2:].split("×")[0])
        else:
            ok = o == float(t)
        return "met" if ok else "MISSED"

    def row(self):
        target = f"{self.target}: {self.verdict()}" if self.target else ""
        if not self.peer:  # a figure with a target but no peer to run beside it
            return [f"{self.name} ({self.unit})", self.cell(self.ours), "—", "—", "—", target]
        return [f"{self.name} ({self.unit})", self.cell(self.ours), self.peer, self.cell(self.theirs),
                self.ratio(), target]


HEADER = ["figure", "ptt: median (min–max)", "peer", "peer: median (min–max)", "ptt/peer", "target: met?"]


def table(figures):
    rows = [HEADER] + [f.row() for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    fmt_row = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
    lines = [fmt_row(rows[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    return "\n".join(lines + [fmt_row(r) for r in rows[1:]])


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal:"))
    return {"cpu": model, "cores": os.cpu_count(), "kernel": f"{platform.system()} {platform.release()}",
            "memory": f"{mem_kb / 1024 / 1024:.1f} GiB", "python": platform.python_version()}


def loadavg():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--quick", action="store_true",
                    help="fewer repeats and samples (2 repeats, 200 tasks, shorter windows)")
    ap.add_argument("--repeats", type=int)
    ap.add_argument("--tasks", type=int, help="tasks for spawn/list/RSS (default 1000)")
    ap.add_argument("--list-runs", type=int, default=20, help="list calls averaged per run")
    ap.add_argument("--idle-seconds", type=float, default=10)
    ap.add_argument("--listen-seconds", type=float)
    ap.add_argument("--follow-samples", type=int)
    ap.add_argument("--tsp-follow-samples", type=int)
    ap.add_argument("--rt-turns", type=int)
    ap.add_argument("--rt-calls", type=int)
    ap.add_argument("--rt-tasks", type=int)
    ap.add_argument("--ingest-mb", type=int, default=64)
    ap.add_argument("--scale-tasks", type=int, help="finished tasks for taskd_scale.py (default 100000)")
    ap.add_argument("--results", default=os.path.join(HERE, "RESULTS.md"), help="the report to write")
    args = ap.parse_args()
    quick = args.quick
    defaults = {"repeats": (3, 2), "tasks": (1000, 200), "listen_seconds": (10, 5), "follow_samples": (200, 100),
                "tsp_follow_samples": (15, 8), "rt_turns": (100, 40), "rt_calls": (30, 15), "rt_tasks": (20, 10),
                "scale_tasks": (100_000, 10_000)}
    for key, (full, short) in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, short if quick else full)
    build = os.path.abspath(args.build)
    n = args.tasks
    spawn_runs = 10 if quick else 50

    figs = {
        "spawn": Figure(f"{n} spawns + wait, --max-running 4", "s", "task-spooler, 4 slots", "≤ 0.7× tsp"),
        "spawn_cpu": Figure(f"CPU time per task of the {n} spawns + wait (user + system, all processes)",
                            "ms", "task-spooler, same run", ""),
        "spawn_floor": Figure(f"floor of the {n} spawns + wait for any daemon: ptt's clients + agents CPU / cores",
                              "s", "task-spooler, same run", ""),
        "list": Figure(f"list over {n} tasks", "ms per call", "tsp -l", "≤ 0.8× tsp"),
        "rss": Figure(f"daemon RSS, {n} finished tasks", "MB", "tsp server", "< 10 MB"),
        "idle": Figure(f"idle wake-ups over {args.idle_seconds:g} s", "context switches", "tsp server, same window",
                       "0", digits=0),
        "follow": Figure("logs -f latency, median", "ms", "tsp -t", "< 5 ms", digits=3),
        "stop": Figure("ptt.stop → commit, p50", "ms", "Python client, same mock", "", digits=3),
        "stop99": Figure("ptt.stop → commit, p99", "ms", "Python client, same mock", "< 2 ms", digits=3),
        "call": Figure("function call → output, p50", "ms", "Python client, same mock", "< 10 ms", digits=3),
        "announce": Figure("finish → announcement, p50", "ms", "Python client, same mock", "< 50 ms", digits=3),
        "cpu": Figure("ptt-listen CPU while capturing", "% of a core", "arecord, same device", "< 2 %"),
        "ingest": Figure(f"worst list latency, {args.ingest_mb} MB line + 10 pollers", "ms",
                         "same pollers, no ingest", "", digits=1),
    }
    big = f"{args.scale_tasks:,}"
    tsp_held = min(2000, args.scale_tasks)  # tsp runs every job it holds: more takes minutes
    figs.update({
        "scale_start": Figure(f"daemon start-up, {big} finished tasks", "ms", "", "< 1000 ms", digits=0),
        "scale_start_cpu": Figure(f"daemon start-up CPU time (user + system), {big} finished tasks", "ms", "", "", digits=0),
        "scale_rss_start": Figure(f"daemon RSS after start-up, {big} finished tasks", "MB", "", "< 64 MB", digits=1),
        "scale_rss": Figure(f"daemon RSS after list, {big} finished tasks", "MB", "", "< 64 MB", digits=1),
        "scale_list": Figure(f"list table (newest 100 finished) over {big} tasks", "ms per call", f"tsp -l, {tsp_held:,} finished", "< 100 ms",
                             digits=1),
        "scale_list_cpu": Figure(f"list table CPU time (daemon + ptt-task), {big} tasks", "ms per call", "", "", digits=1),
        "scale_list_all": Figure(f"list --all, every row, {big} tasks", "ms per call", "", "", digits=1),
        "scale_list_all_cpu": Figure(f"list --all CPU time (daemon + ptt-task), {big} tasks", "ms per call", "", "",
                                     digits=1),
        "scale_json": Figure(f"list --json over {big} tasks", "ms per call", "", "", digits=1),
        "scale_status": Figure(f"status of one of {big} tasks", "ms per call", "", "", digits=2),
        "scale_spawn": Figure(f"spawn latency (median of {spawn_runs}), {big} tasks held", "ms per call", "same daemon, 10 tasks",
                              "≤ 1.1× (10 tasks; 10% for noise)", digits=2),
    })
    command = f"`{shlex.join(sys.argv)}`"
    if "MAKELEVEL" in os.environ:  # say how a person reruns it
        command += " (run by `make -f Makefile.dist bench`)"
    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = loadavg()
    t_start = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="ptt-bench-all-")
    log(f"{args.repeats} repeats, {n} tasks; load average {load_start}; reports in {tmp}")
    for r in range(1, args.repeats + 1):
        log(f"repeat {r}/{args.repeats}")
        t = run_bench("taskd_vs_tsp.py", ["--build", build, "--tasks", str(n),
                                          "--list-runs", str(args.list_runs),
                                          "--follow-samples", str(args.follow_samples)], tmp, f"taskd-{r}")
        if t["succeeded"][0] != n or t["succeeded"][1] != n:
            log(f"  warning: only {t['succeeded']} of {n} tasks finished (ptt, tsp)")
        figs["spawn"].add(*t["spawn_wait_s"])
        figs["spawn_cpu"].add(*t["spawn_cpu_ms_per_task"])
        figs["spawn_floor"].add(t["spawn_floor_s"], t["spawn_wait_s"][1])
        figs["list"].add(t["list_s"][0] * 1e3, t["list_s"][1] * 1e3)
        figs["rss"].add(t["rss_kb"][0] / 1024, t["rss_kb"][1] / 1024)
        f = run_bench("follow_tsp.py", ["--samples", str(args.tsp_follow_samples)], tmp, f"follow-{r}")
        figs["follow"].add(t["follow_ms"][0], f["median_ms"])
        i = run_bench("idle_wakeups.py", ["--build", build, "--seconds", str(args.idle_seconds)], tmp, f"idle-{r}")
        figs["idle"].add(i["ptt"], i["tsp"])
        rt = run_bench("realtime_latency.py", ["--build", build, "--turns", str(args.rt_turns), "--calls",
                                               str(args.rt_calls), "--tasks", str(args.rt_tasks)], tmp, f"rt-{r}")
        for key, field, p in (("stop", "stop_wire", 50), ("stop99", "stop_wire", 99),
                              ("call", "call_output", 50), ("announce", "announce", 50)):
            figs[key].add(pct(rt["ptt"][field], p) * 1e3, pct(rt["peer"][field], p) * 1e3)
        li = run_bench("listen_bench.py", ["--build", build, "--seconds", str(args.listen_seconds), "--cpu-only"],
                       tmp, f"listen-{r}")
        figs["cpu"].add(li["ptt_cpu_pct"], li["arecord_cpu_pct"])
        ing = run_bench("ingest_list.py", ["--build", build, "--mb", str(args.ingest_mb)], tmp, f"ingest-{r}")
        figs["ingest"].add(ing["worst_ingest"] * 1e3, ing["worst_baseline"] * 1e3)
        sc = run_bench("taskd_scale.py", ["--build", build, "--tasks", str(args.scale_tasks),
                                           "--tsp-tasks", str(tsp_held), "--runs", str(min(10, args.list_runs)),
                                           "--spawn-runs", str(spawn_runs)], tmp, f"scale-{r}")
        figs["scale_start"].add(sc["startup_s"] * 1e3, 0)
        figs["scale_start_cpu"].add(sc["startup_cpu_s"] * 1e3, 0)
        figs["scale_rss_start"].add(sc["rss_kb"][0] / 1024, 0)
        figs["scale_rss"].add(sc["rss_kb"][1] / 1024, 0)
        figs["scale_list"].add(sc["list_s"][0] * 1e3, sc["list_s"][1] * 1e3)
        figs["scale_list_cpu"].add(sc["list_cpu_s"] * 1e3, 0)
        figs["scale_list_all"].add(sc["list_all_s"] * 1e3, 0)
        figs["scale_list_all_cpu"].add(sc["list_all_cpu_s"] * 1e3, 0)
        figs["scale_json"].add(sc["list_json_s"] * 1e3, 0)
        figs["scale_status"].add(sc["status_s"] * 1e3, 0)
        figs["scale_spawn"].add(sc["spawn_s"][0] * 1e3, sc["spawn_s"][1] * 1e3)
    wall = time.monotonic() - t_start
    load_end = loadavg()

    text = table(figs.values())
    print(text)
    m = machine()
    report = f"""# ptt benchmarks

Generated by `bench/run_all.py` (`make -f Makefile.dist bench`); do not edit by hand, rerun it.

- Date: {started.strftime('%Y-%m-%d %H:%M UTC')}
- Command: {command}
- Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM; {m['kernel']}; Python {m['python']}
- Load average (1/5/15 min) at start: {load_start}; at end: {load_end}
- Repeats: {args.repeats} (each runs every bench once, in turn); {n} tasks; wall time {wall / 60:.1f} min

Each figure is the median over the repeats, min–max in brackets; ours and the peer's
are measured in the same run, and ptt/peer is the ratio of the medians (lower is better
for every figure). Beside each target: met or MISSED, by the median.

{text}

How each figure is taken (see each script's header for details):
- spawn + wait, list, RSS, logs -f: `bench/taskd_vs_tsp.py` (through the `ptt-task` CLI, each
  call a process, as with `tsp`). The same agent binary (`build/tests/fake-agent`) runs under both.
  The CPU time per task sums user + system time over the run of every process: ptt-task clients,
  ptt-taskd, its supervisor and the agents; tsp's clients, server and the job processes it leaves
  behind (the bench reaps them as their subreaper), agents included.
  list is the mean of {args.list_runs} calls per run. The peer's follow latency is `tsp -t` on the same
  stamped-line agent (`bench/follow_tsp.py`; tsp polls the output file, so writes are at random phases).
- idle wake-ups: `bench/idle_wakeups.py`; voluntary + nonvoluntary context switches summed over
  all threads (/proc/PID/task/*/status) of ptt-taskd and of tsp's server across the same window,
  after each ran 10 tasks to the end.
- voice path: `bench/realtime_latency.py`, the mock Realtime server on loopback with the real
  ptt-taskd; the peer is `bench/realtime_peer.py`, a minimal python3-websockets client doing the
  same job (stdin NDJSON in, commit, spawn through the daemon, announce finished tasks).
  ptt.stop → commit ends at the kernel's receive time of the commit at the mock's socket
  (SO_TIMESTAMPNS), not when the mock's Python got round to it.
- ptt-listen CPU: `bench/listen_bench.py --cpu-only`, 48 kHz stereo from a real-time paced device
  (jackd dummy + ALSA file plugin), {args.listen_seconds:g} s windows; the peer is `arecord` on the
  same device. Whole-process CPU (PortAudio/JACK client threads included).
- ingest: `bench/ingest_list.py`; 10 client processes poll `list` every 20 ms while one task's agent
  writes a single {args.ingest_mb} MB stream-json line; the peer figure is the same pollers' worst
  over an equally long window with no ingest (same daemon, same tasks).
- scale: `bench/taskd_scale.py`; a history of {args.scale_tasks:,} finished tasks made from the real
  daemon's own records of three fake-agent runs (copied with new ids, logs hard-linked), then
  start-up to `--ready-fd`, RSS after the calls, list and status (mean of 10 calls each) and spawn (median of {spawn_runs},
  in turn with the 10-task daemon).
  task-spooler must run every job to hold it, so its list is measured over {min(2000, args.scale_tasks):,} finished jobs.

Per-repeat values (ptt; peer):
"""
    report += "\n".join(f"- {f.name}: {', '.join(f'{v:.{f.digits}f}' for v in f.ours)}; "
                         f"{', '.join(f'{v:.{f.digits}f}' for v in f.theirs)}" for f in figs.values())
    report += "\n\nEach bench's own report for the last repeat:\n"
    for tag in ("taskd", "follow", "idle", "rt", "listen", "ingest", "scale"):
        with open(os.path.join(tmp, f"{tag}-{args.repeats}.txt")) as f:
            report += f"\n```\n{f.read().rstrip()}\n```\n"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.results)), exist_ok=True)
    with open(args.results, "w") as f:
        f.write(report)
    log(f"wrote {args.results}; wall time {wall:.0f} s; load average at end {load_end}")


if __name__ == "__main__":
    main()
