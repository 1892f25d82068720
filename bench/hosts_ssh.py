#!/usr/bin/python3
"""ptt-task over SSH (`--host`, docs/hosts.md) against its floor, `ssh host true`.

A remote host's daemon is reached by running `ptt-task dial-stdio` over ssh, so every
`ptt-task --host H CMD` pays for one ssh connection. The goal (issue 22) is that ptt adds
no more than a few milliseconds to what ssh itself costs. This bench starts a real sshd
on 127.0.0.1 (tests/support/ssh_fixture.py: generated keys, a private client config) and
measures, one call after another and interleaved so that a load change hits all alike:
  - `ssh host true`: the floor (connection, key exchange, authentication, a remote shell);
  - `ptt-task --host H list` and `ptt-task --host H spawn ...` over that ssh;
  - `ssh host 'ptt-task list'`: what a user would type without --host (the peer);
  - `ptt-task list` and `ptt-task spawn` over the local socket of the same daemon;
each without and with an OpenSSH ControlMaster connection (ControlMaster=auto,
ControlPersist, set through PTT_SSH as a user would in ~/.ssh/config). Printed: the
median and min–max per call in ms, and each ptt-over-ssh figure minus its floor.
The "remote" daemon is on this machine (the sshd is on loopback), started by the first
dial-stdio, and runs the fake agent.

Usage: bench/hosts_ssh.py [--build DIR] [--runs N] [--json FILE]
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SUPPORT = os.path.join(os.path.dirname(HERE), "tests", "support")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE (for bench/run_all.py)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    os.environ["PTT_BIN_DIR"] = os.path.join(build, "tools")
    sys.path.insert(0, SUPPORT)
    from ptt_harness import Sandbox  # noqa: E402  (needs PTT_BIN_DIR set first)
    from ssh_fixture import SshServer, remote_command, remote_env  # noqa: E402

    task = os.path.join(build, "tools", "ptt-task")
    agent = os.path.join(build, "tests", "fake-agent")
    for p in (task, agent, os.path.join(build, "tools", "ptt-taskd")):
        if not os.access(p, os.X_OK):
            sys.exit(f"bench: error: {p} is missing; run `make -f Makefile.dist build` first")

    with Sandbox("bench-hosts") as sb, SshServer(sb) as sshd:
        work = sb.path("work")
        os.makedirs(work)
        renv = remote_env(sb, PTT_CLAUDE=agent)
        rcmd = remote_command(renv, task)
        control = sb.path("cm")  # short: a ControlPath must fit in a socket address
        os.makedirs(control)
        cm_opts = f"-o ControlMaster=auto -o ControlPath={control}/%C -o ControlPersist=120"
        modes = {"plain": sshd.ptt_ssh, "controlmaster": f"{sshd.ptt_ssh} {cm_opts}"}
        config = sb.path("config.toml")
        with open(config, "w") as f:
            f.write(f'[hosts.bench]\nurl = "{sshd.url}"\nremote-command = {json.dumps(rcmd)}\n')
        local_env = dict(sb.env, PTT_SOCKET=renv["PTT_SOCKET"], PTT_STATE_DIR=renv["PTT_STATE_DIR"],
                         PTT_CLAUDE=agent, PTT_CONFIG=config)
        prompt = "result success ok"
        calls = {}
        for mode, ptt_ssh in modes.items():
            env = dict(local_env, PTT_SSH=ptt_ssh)
            ssh = shlex.split(ptt_ssh) + [sshd.alias]
            calls[f"ssh host true ({mode})"] = (ssh + ["true"], env)
            calls[f"ptt-task --host list ({mode})"] = ([task, "--host", "bench", "list"], env)
            calls[f"ptt-task --host spawn ({mode})"] = ([task, "--host", "bench", "spawn", "--cwd", work, prompt], env)
            calls[f"ssh host 'ptt-task list' ({mode})"] = (ssh + [rcmd + " list"], env)
        calls["ptt-task list (local socket)"] = ([task, "list"], local_env)
        calls["ptt-task spawn (local socket)"] = ([task, "spawn", "--cwd", work, prompt], local_env)

        def call(argv, env):
            t0 = time.monotonic()
            p = subprocess.run(argv, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
            elapsed = time.monotonic() - t0
            if p.returncode != 0:
                sys.exit(f"bench: error: {' '.join(argv)} exited {p.returncode}: {p.stderr.strip()[-500:]}")
            return elapsed

        for argv, env in calls.values():  # warm-up: starts the daemon and the ControlMaster
            call(argv, env)
        load_before = os.getloadavg()
        times = {name: [] for name in calls}
        for _ in range(args.runs):
            for name, (argv, env) in calls.items():
                times[name].append(call(argv, env) * 1000)
        load_after = os.getloadavg()
        subprocess.run(shlex.split(modes["controlmaster"]) + ["-O", "exit", sshd.alias], capture_output=True)
        subprocess.run([task, "shutdown"], env=local_env, capture_output=True)

    figures = {name: {"median_ms": statistics.median(v), "min_ms": min(v), "max_ms": max(v)}
               for name, v in times.items()}
    print(f"ptt-task over ssh to 127.0.0.1, {args.runs} calls each, interleaved; "
          f"load {load_before[0]:.1f} -> {load_after[0]:.1f}")
    print(f"{'call':44} {'median ms':>10} {'min-max ms':>16} {'over floor':>11}")
    for name, f in figures.items():
        over = ""
        for mode in modes:
            if name.startswith("ptt-task --host") and f"({mode})" in name:
                floor = figures[f"ssh host true ({mode})"]["median_ms"]
                f["over_floor_ms"] = f["median_ms"] - floor
                over = f"{f['over_floor_ms']:+.1f}"
        print(f"{name:44} {f['median_ms']:10.1f} {f['min_ms']:7.1f}-{f['max_ms']:<8.1f} {over:>11}")
    print("goal: ptt-task --host adds no more than a few ms to `ssh host true` (the 'over floor' column)")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"runs": args.runs, "load": [load_before[0], load_after[0]], "figures": figures}, out, indent=1)


if __name__ == "__main__":
    main()
