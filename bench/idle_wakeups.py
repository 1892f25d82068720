#!/usr/bin/python3
"""Idle wake-ups: ptt-taskd beside task-spooler's server over the same window.

Both daemons first run a few tasks of the same agent (build/tests/fake-agent) to the
end, so whatever they keep for finished tasks is in place; then, with nothing to do,
each one's context switches (voluntary + nonvoluntary, summed over all its threads from
/proc/PID/task/*/status) are read before and after the window. A daemon asleep in
epoll_wait/select with no timers switches 0 times; every timer tick or poll shows up.
Target: 0.

Usage: bench/idle_wakeups.py [--build DIR] [--seconds 10] [--tasks 10] [--json FILE]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "support"))
from ptt_harness import switches  # noqa: E402


def threads(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def tsp_server_pid(socket_path):
    """task-spooler forks its server on first use; find it by its TS_SOCKET."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if f"TS_SOCKET={socket_path}".encode() not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if os.path.basename(f.read().split(b"\0")[0]) in (b"tsp", b"ts"):
                    return int(pid)
        except OSError:
            pass
    return None


def start_taskd(build, root, agent):
    env = dict(os.environ, PTT_SOCKET=os.path.join(root, "taskd.sock"), PTT_STATE_DIR=os.path.join(root, "state"),
               HOME=root, NO_COLOR="1", PTT_NO_AUTOSTART="1")
    r, w = os.pipe()
    proc = subprocess.Popen([os.path.join(build, "tools", "ptt-taskd"), "--claude", agent, "--ready-fd", str(w)],
                            env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(root, "taskd.log"), "w"),
                            pass_fds=(w,))
    os.close(w)
    with os.fdopen(r) as f:
        if not f.readline().startswith("ready"):
            sys.exit(f"bench: error: ptt-taskd did not start; see {root}/taskd.log")
    return proc, env


def measure(build, seconds, tasks):
    agent = os.path.join(build, "tests", "fake-agent")
    task = os.path.join(build, "tools", "ptt-task")
    for p in (agent, task):
        if not os.access(p, os.X_OK):
            sys.exit(f"bench: error: {p} is missing; run `make -f Makefile.dist build` first")
    if not shutil.which("tsp"):
        sys.exit("bench: error: tsp is missing; apt-get install task-spooler")
    root = tempfile.mkdtemp(prefix="ptt-bench-idle-")
    daemon, env = start_taskd(build, root, agent)
    tsp_env = dict(os.environ, TS_SOCKET=os.path.join(root, "ts.sock"), TS_SLOTS="4", TMPDIR=root)
    try:
        ids = [subprocess.run([task, "spawn", "--cwd", root, "result success ok"], env=env, check=True,
                              capture_output=True, text=True).stdout.strip() for _ in range(tasks)]
        subprocess.run([task, "wait", *ids], env=env, check=True, capture_output=True)
        last = None
        for _ in range(tasks):
            last = subprocess.run(["tsp", agent, "-p", "result success ok"], env=tsp_env, check=True,
                                  capture_output=True, text=True, cwd=root).stdout.strip()
        subprocess.run(["tsp", "-w", last], env=tsp_env, capture_output=True)
        tsp_pid = tsp_server_pid(tsp_env["TS_SOCKET"])
        if tsp_pid is None:
            sys.exit("bench: error: could not find task-spooler's server process")
        # Both windows are the same wall-clock interval, so load from elsewhere hits both alike.
        ours0, theirs0, t0 = switches(daemon.pid), switches(tsp_pid), time.monotonic()
        time.sleep(seconds)  # the measurement window itself
        ours1, theirs1, elapsed = switches(daemon.pid), switches(tsp_pid), time.monotonic() - t0
        return {"seconds": elapsed, "ptt": ours1 - ours0, "tsp": theirs1 - theirs0,
                "ptt_threads": threads(daemon.pid), "tsp_threads": threads(tsp_pid), "tasks": tasks}
    finally:
        daemon.terminate()
        daemon.wait()
        subprocess.run(["tsp", "-K"], env=tsp_env, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--tasks", type=int, default=10, help="tasks each daemon runs to the end before the window")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    args = ap.parse_args()
    r = measure(os.path.abspath(args.build), args.seconds, args.tasks)
    print(f"idle wake-ups over {r['seconds']:.1f} s after {r['tasks']} finished tasks (target 0):")
    print(f"  ptt-taskd ({r['ptt_threads']} threads): {r['ptt']} context switches")
    print(f"  tsp server ({r['tsp_threads']} threads): {r['tsp']} context switches")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(r, f)


if __name__ == "__main__":
    main()
