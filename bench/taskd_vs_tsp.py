#!/usr/bin/python3
"""ptt-taskd/ptt-task against task-spooler (tsp), side by side in one run.

  1. N `ptt-task spawn` of a trivial agent, then `ptt-task wait` (--max-running 4)
     vs N `tsp AGENT` then waiting for all (TS_SLOTS=4); the same agent binary.
  2. `ptt-task list` over N tasks vs `tsp -l` (mean of several calls).
  3. ptt-taskd's RSS with N finished tasks (tsp's server beside it).
  4. Follow latency: the agent writes a line stamped with CLOCK_MONOTONIC; we read
     it from `ptt-task logs -f`'s stdout and take the difference.

Targets: ≤ 0.7× tsp on 1 (issue 16), ≤ 0.8× on 2, RSS < 10 MB, follow latency < 5 ms (issue 3).
The load average is printed beside the figures (before and after the spawn run): on a
shared machine the wall times follow it. The CPU time (user + system) per task of run 1
follows it much less: for ptt the ptt-task clients (and their shell), ptt-taskd, and its
supervisor with the agents it reaped; for tsp the clients, the server, and the job
processes tsp leaves behind (each waits for its job's agent; this bench is their child
subreaper, so it reaps them and gets their CPU time, agents included).
Beside run 1 it prints its floor: the CPU time of ptt's clients and agents spread over
every core, the shortest the run could take with a daemon and supervisor costing nothing;
those processes do the same work as tsp's clients and jobs, so a target below the floor is
out of reach of any daemon on this machine.
bench/spawn_counts.py gives the per-task counts (system calls, fsyncs, files, processes).
Usage: bench/taskd_vs_tsp.py [--build DIR] [--tasks N] [--spawners K] [--json FILE]
"""
import argparse
import ctypes
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# An agent for the latency runs: each line read from the FIFO named by its prompt
# becomes one stream-json line, TICK_LINE, carrying the time it was written.
FOLLOW_AGENT_TEMPLATE = r"""#!/usr/bin/python3
import json, sys, time
argv = sys.argv[1:]
stream_input = "--input-format" in argv  # ptt-taskd: the prompt is the first message on stdin
if stream_input:
    m = json.loads(sys.stdin.readline())
    fifo = m["message"]["content"]
    print(json.dumps({"type": "user", "message": m["message"], "isReplay": True, "uuid": m.get("uuid")}), flush=True)
else:
    fifo = argv[argv.index("-p") + 1]
print(json.dumps({"type": "system", "subtype": "init", "session_id": "bench", "model": "bench"}), flush=True)
with open(fifo) as f:
    for line in f:
        if line.strip() == "end":
            break
        sys.stdout.write(json.dumps(TICK_LINE) + "\n")
        sys.stdout.flush()
print(json.dumps({"type": "result", "subtype": "success", "is_error": False, "result": "ok"}), flush=True)
if stream_input:
    sys.stdin.read()  # the session ends when ptt-taskd closes the input
"""


def follow_agent(tick_line):
    """FOLLOW_AGENT_TEMPLATE whose lines are `tick_line` (a Python expression, time imported)."""
    return FOLLOW_AGENT_TEMPLATE.replace("TICK_LINE", tick_line)


# Here each line is an assistant text "t=<CLOCK_MONOTONIC ns>", as logs -f and tsp -t show it.
FOLLOW_AGENT = follow_agent(
    '{"type": "assistant", "message": {"content": [{"type": "text", "text": f"t={time.monotonic_ns()}"}]}}')


def sh(cmd, env, **kw):
    return subprocess.run(["bash", "-c", cmd], env=env, check=True, capture_output=True, text=True, **kw)


def timed(cmd, env):
    t0 = time.monotonic()
    sh(cmd, env)
    return time.monotonic() - t0


def timed_cpu(cmd, env):
    """Runs `cmd` (bash); returns its wall time and the CPU time (user, system) of the
    shell and every process it waited for."""
    t0 = time.monotonic()
    p = subprocess.Popen(["bash", "-c", cmd], env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"bench: error: `{cmd[:200]}` exited {p.returncode}")
    return time.monotonic() - t0, (usage.ru_utime, usage.ru_stime)


def cpu_times(pid, reaped=False):
    """The (user, system) CPU time a live process has used (with `reaped`, also that of
    the children it waited for): on a loaded machine, what its wall time is not. 0 when gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = [int(x) for x in f.read().rsplit(")", 1)[1].split()[11:15]]
    except OSError:
        return (0.0, 0.0)
    user, system = fields[0] + (fields[2] if reaped else 0), fields[1] + (fields[3] if reaped else 0)
    return (user / os.sysconf("SC_CLK_TCK"), system / os.sysconf("SC_CLK_TCK"))


def cpu_seconds(pid, reaped=False):
    return sum(cpu_times(pid, reaped))


def minus(a, b):
    return tuple(x - y for x, y in zip(a, b))


def summed(times):
    return tuple(map(sum, zip((0.0, 0.0), *times)))


def child_pids(ppid):
    """The live (or not yet reaped) children of ppid."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:
                    pids.append(int(pid))
        except (OSError, IndexError, ValueError):
            pass
    return pids


def become_subreaper():
    """Orphans of our descendants (tsp's detached job processes) become our children, so
    that reap_orphans gets their CPU time."""
    PR_SET_CHILD_SUBREAPER = 36
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"bench: error: prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")


def reap_orphans(keep, timeout=30):
    """Waits for our children other than `keep` (they were orphaned to us) until none is
    left or `timeout` s pass; returns their CPU time (user, system), with that of the
    children they reaped."""
    total, deadline = (0.0, 0.0), time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = [pid for pid in child_pids(os.getpid()) if pid not in keep]
        if not left:
            break
        for pid in left:
            try:
                got, _, usage = os.wait4(pid, os.WNOHANG)
            except ChildProcessError:
                continue
            if got:
                total = (total[0] + usage.ru_utime, total[1] + usage.ru_stime)
        time.sleep(0.01)
    return total


def spawn_floor_s(cpu_ours):
    """The shortest the spawn run could take with a daemon and supervisor that cost nothing:
    the CPU time of the ptt-task clients (with their shell) and of the agents, spread over
    every core with none idle. Both are the same work as tsp's clients and jobs (a process
    started per call, the same agent binary), so a target below this is out of any daemon's
    reach on this machine."""
    return sum(map(sum, (cpu_ours["clients"], cpu_ours["agents"]))) / (os.cpu_count() or 1)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start_daemon(argv, env, stderr):
    """Starts ptt-taskd and returns once it listens: it writes "ready" on --ready-fd then
    (the socket file alone appears at bind(2), before listen(2), when a connect is refused)."""
    r, w = os.pipe()
    proc = subprocess.Popen([*argv, "--ready-fd", str(w)], env=env, pass_fds=(w,), stdout=subprocess.DEVNULL,
                            stderr=stderr)
    os.close(w)
    with os.fdopen(r, "rb") as ready:
        if not ready.readline().startswith(b"ready"):
            sys.exit(f"bench: error: ptt-taskd did not start (exit {proc.wait()})")
    return proc


def tsp_server_pid(env):
    """The tsp server on env's TS_SOCKET, or None."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if f"TS_SOCKET={env['TS_SOCKET']}".encode() in f.read().split(b"\0"):
                    with open(f"/proc/{pid}/cmdline", "rb") as c:
                        if b"tsp" in c.read():
                            return int(pid)
        except OSError:
            pass
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--tasks", type=int, default=1000)
    ap.add_argument("--list-runs", type=int, default=20)
    ap.add_argument("--follow-samples", type=int, default=200)
    ap.add_argument("--spawners", type=int, default=1,
                    help="spawn from K shells at once, N/K tasks each (both sides; default 1: one after another)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE (for bench/run_all.py)")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    task = os.path.join(args.build, "tools", "ptt-task")
    taskd = os.path.join(args.build, "tools", "ptt-taskd")
    agent = os.path.join(args.build, "tests", "fake-agent")
    for p in (task, taskd, agent):
        if not os.access(p, os.X_OK):
            sys.exit(f"bench: error: {p} is missing; run `make -f Makefile.dist build` first")
    if not shutil.which("tsp"):
        sys.exit("bench: error: tsp is missing; apt-get install task-spooler")

    become_subreaper()
    root = tempfile.mkdtemp(prefix="ptt-bench-")
    work = os.path.join(root, "work")
    os.makedirs(work)
    env = dict(os.environ, PTT_SOCKET=os.path.join(root, "taskd.sock"), PTT_STATE_DIR=os.path.join(root, "state"),
               HOME=root, NO_COLOR="1", PTT_NO_AUTOSTART="1",
               TS_SOCKET=os.path.join(root, "ts.sock"), TS_SLOTS="4", TS_MAXFINISHED=str(args.tasks * 2),
               TMPDIR=os.path.join(root, "tsp-out"))
    os.makedirs(env["TMPDIR"])
    n = args.tasks
    prompt = "result success ok"
    procs = []
    try:
        daemon = start_daemon([taskd, "--max-running", "4", "--claude", agent], env,
                              open(os.path.join(root, "taskd.log"), "w"))
        procs.append(daemon)
        sh("tsp -K 2>/dev/null || true", env)  # a stale server on this socket would skew the run

        # 1. Spawn N, then wait for all (from K shells at once when --spawners K).
        k = max(1, min(args.spawners, n))
        load_before = os.getloadavg()
        if k == 1:  # as measured since issue 3: one spawn after another
            spawn_ours = f'for i in $(seq {n}); do {task} spawn --cwd {work} "{prompt}" >/dev/null; done'
            spawn_theirs = f'for i in $(seq {n}); do last=$(tsp {agent} -p "{prompt}"); done'
        else:  # K shells at once, N/K each; tsp's last job is the highest id
            share = f'$(seq $(( {n} / {k} + (s <= {n} % {k}) )))'
            spawn_ours = (f'for s in $(seq {k}); do (for i in {share}; do {task} spawn --cwd {work} "{prompt}" '
                          f'>/dev/null; done) & done; wait')
            spawn_theirs = (f'for s in $(seq {k}); do (for i in {share}; do tsp {agent} -p "{prompt}" >/dev/null; '
                            f'done) & done; wait; last=$(tsp -l | awk \'NR>1{{print $1}}\' | sort -n | tail -1)')
        daemon_cpu = cpu_times(daemon.pid)
        ours, clients_cpu = timed_cpu(f'{spawn_ours}; {task} wait $(seq {n}) >/dev/null', env)
        daemon_cpu = minus(cpu_times(daemon.pid), daemon_cpu)
        supervisor_cpu = summed(cpu_times(pid) for pid in child_pids(daemon.pid))
        agents_cpu = minus(summed(cpu_times(pid, reaped=True) for pid in child_pids(daemon.pid)), supervisor_cpu)
        keep = {daemon.pid}
        theirs, tsp_clients_cpu = timed_cpu(f'cd {work}; {spawn_theirs}; '
                                            f'tsp -w $last >/dev/null 2>&1 || true; '
                                            f'for id in $(tsp -l | awk \'$2=="running"||$2=="queued"{{print $1}}\'); '
                                            f'do tsp -w $id >/dev/null 2>&1 || true; done', env)
        tsp_pid = tsp_server_pid(env)
        tsp_server_cpu = cpu_times(tsp_pid, reaped=True) if tsp_pid else (0.0, 0.0)
        tsp_jobs_cpu = reap_orphans(keep | {tsp_pid})
        cpu_ours = {"clients": clients_cpu, "daemon": daemon_cpu, "supervisor": supervisor_cpu, "agents": agents_cpu}
        cpu_theirs = {"clients": tsp_clients_cpu, "server": tsp_server_cpu, "jobs and agents": tsp_jobs_cpu}
        states = [json.loads(l)["state"] for l in sh(f"{task} list --json", env).stdout.splitlines()]
        tsp_done = sum(1 for l in sh("tsp -l", env).stdout.splitlines()[1:] if " finished " in l)
        ok = states.count("succeeded")
        load_after = os.getloadavg()

        # 2. list over N tasks.
        runs = args.list_runs
        list_ours = timed(f"for i in $(seq {runs}); do {task} list >/dev/null; done", env) / runs
        list_theirs = timed(f"for i in $(seq {runs}); do tsp -l >/dev/null; done", env) / runs

        # 3. RSS with N finished tasks.
        rss = rss_kb(daemon.pid)
        tsp_rss = rss_kb(tsp_pid) if tsp_pid else 0

        # 4. Follow latency.
        follow_agent = os.path.join(root, "follow_agent.py")
        with open(follow_agent, "w") as f:
            f.write(FOLLOW_AGENT)
        os.chmod(follow_agent, 0o755)
        # A second daemon runs the latency agent (--claude is per daemon).
        lat = follow_latency(task, taskd, follow_agent, root, work, args.follow_samples, env)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        sh("tsp -K 2>/dev/null || true", env)
        shutil.rmtree(root, ignore_errors=True)

    spawners = "one after another" if k == 1 else f"from {k} shells at once"
    print(f"ptt-taskd vs task-spooler, {n} tasks spawned {spawners}, 4 at once, same agent "
          f"({os.path.basename(agent)})")
    print(f"load average (1/5/15 min) before the spawn run {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} cores)")
    print(f"{'measure':42} {'ptt':>12} {'tsp':>12} {'ptt/tsp':>8}  target")
    print(f"{'spawn N + wait all (s)':42} {ours:12.2f} {theirs:12.2f} {ours / theirs:8.2f}  <= 0.70")
    cpu_ms = lambda parts: 1e3 * sum(map(sum, parts.values())) / n
    print(f"{'  CPU time per task, user + system (ms)':42} {cpu_ms(cpu_ours):12.2f} {cpu_ms(cpu_theirs):12.2f} "
          f"{cpu_ms(cpu_ours) / max(cpu_ms(cpu_theirs), 1e-9):8.2f}")
    for name, parts in (("ptt", cpu_ours), ("tsp", cpu_theirs)):
        print(f"    {name} (ms per task, user + system): " +
              ", ".join(f"{k} {1e3 * u / n:.2f} + {1e3 * s / n:.2f}" for k, (u, s) in parts.items()))
    floor = spawn_floor_s(cpu_ours)
    print(f"{'  floor for any daemon (s)':42} {floor:12.2f} {'':12} {floor / theirs:8.2f}  "
          f"(ptt's clients + agents CPU / {os.cpu_count()} cores)")
    print(f"{'list over N tasks (ms per call)':42} {list_ours * 1e3:12.2f} {list_theirs * 1e3:12.2f} "
          f"{list_ours / list_theirs:8.2f}  <= 0.80")
    print(f"{'daemon RSS with N finished tasks (MB)':42} {rss / 1024:12.2f} {tsp_rss / 1024:12.2f} {'':8}  < 10 MB")
    print(f"{'logs -f latency median / p95 / max (ms)':42} "
          f"{lat[0]:.3f} / {lat[1]:.3f} / {lat[2]:.3f}{'':6}  < 5 ms")
    print(f"(succeeded: ptt {ok}/{n}, tsp finished {tsp_done}/{n})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"tasks": n, "spawn_wait_s": [ours, theirs],
                       "spawn_cpu_ms_per_task": [cpu_ms(cpu_ours), cpu_ms(cpu_theirs)],
                       "spawn_cpu_parts_s": [cpu_ours, cpu_theirs], "spawn_floor_s": floor,
                       "list_s": [list_ours, list_theirs],
                       "rss_kb": [rss, tsp_rss], "follow_ms": lat, "succeeded": [ok, tsp_done],
                       "spawners": k, "load_before": load_before, "load_after": load_after}, f)


def follow_latency(task, taskd, follow_agent, root, work, samples, env):
    env = dict(env, PTT_SOCKET=os.path.join(root, "follow.sock"), PTT_STATE_DIR=os.path.join(root, "follow-state"))
    daemon = start_daemon([taskd, "--claude", follow_agent], env, subprocess.DEVNULL)
    try:
        fifo = os.path.join(root, "follow.fifo")
        os.mkfifo(fifo)
        tid = sh(f"{task} spawn --cwd {work} {fifo}", env).stdout.strip()
        logs = subprocess.Popen([task, "logs", "-f", tid], env=env, stdout=subprocess.PIPE, text=True, bufsize=1)
        stamp = re.compile(r"t=(\d+)")
        latencies = []
        with open(fifo, "w") as f:
            logs.stdout.readline()  # the session line: the follower is attached
            for _ in range(samples):
                f.write("go\n")
                f.flush()
                line = logs.stdout.readline()
                now = time.monotonic_ns()
                m = stamp.search(line)
                if m:
                    latencies.append((now - int(m.group(1))) / 1e6)
                time.sleep(0.002)
            f.write("end\n")
        logs.wait(timeout=10)
    finally:
        daemon.terminate()
        daemon.wait()
    latencies.sort()
    return (statistics.median(latencies), latencies[int(len(latencies) * 0.95) - 1], latencies[-1])


if __name__ == "__main__":
    main()
