#!/usr/bin/python3
"""ptt-realtime latency against the mock Realtime server on loopback, with the real
ptt-taskd and the fake agent.

  1. ptt.stop written to stdin -> input_audio_buffer.commit received by the server (p99 target < 2 ms)
  2. response.function_call_arguments.done sent -> function_call_output received, the daemon's
     spawn included (p50 target < 10 ms)
  3. a task finishing in the daemon (its finished_at) -> the announcement item received, while
     the session is idle (target < 50 ms)

Timestamps come from the mock's log (CLOCK_MONOTONIC / wall clock, shared by processes on
one machine). (1) starts at the bench's clock read just before it writes the ptt.stop
line to the client's stdin (the line is encoded beforehand) and is given to two ends:
  on the wire: the kernel's receive time of the commit's bytes at the mock's socket
    (mock --stamp-received: SO_TIMESTAMPNS, which on loopback is the client's send; when
    one read holds the commit and the response.create behind it, the later one's), put
    on CLOCK_MONOTONIC with the mock's own (wall, monotonic) pair; the target's figure;
  as the mock took it: the mock's clock when its handler takes the commit event, after
    its wake-up, websockets' frame parsing and json.loads (the figure before 2026-12):
    on a busy machine its tail is mostly the mock waiting for a CPU.
ptt-realtime and the peer take the turns of (1) alternately, so a burst of load on the
shared machine falls on both. The floor next to (1) is the same write-to-read path
through `cat`: a pipe and a process wake-up, which no stdin-driven client can beat.

While a figure's window is open the bench itself must stay off the two CPUs: it waits on
the client's stdout through a Cursor, which looks at each line once. (Until 2026-12 it
rescanned every line so far for each new one, counting responses: by turn 200 that was
~5 ms of the bench's CPU right after each ptt.stop, competing with the client and the
mock for the cores, and it made the p99 of (1) for ptt and the peer alike.) The load
average is printed before and after the run: compare runs only at a like load.

Run after a build:  /usr/bin/python3 bench/realtime_latency.py [--build build] [--turns 200]
"""
import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SOURCE, "tests", "support"))
PEER = os.path.join(HERE, "realtime_peer.py")


class Cursor:
    """A client's stdout lines (a Realtime fixture's), each looked at once, in order: a
    wait costs the lines that came since the last wait, never a rescan of all of them."""

    def __init__(self, rt):
        self.rt, self.at = rt, 0

    def next(self, deadline, what):
        from ptt_harness import fail
        rt = self.rt
        while self.at >= len(rt.lines):
            left = deadline - time.monotonic()
            if left <= 0:
                fail(f"timed out waiting for {what}; stdout so far: {rt.lines[-15:]}\nstderr: {rt.stderr()}")
            try:
                rt.lines.append(rt.q.get(timeout=left))
            except queue.Empty:
                pass
        self.at += 1
        return rt.lines[self.at - 1]

    def wait(self, predicate, timeout, what):
        """The next line matching predicate (lines before it are passed over)."""
        from ptt_harness import TIMEOUT_FACTOR
        deadline = time.monotonic() + timeout * TIMEOUT_FACTOR
        while not predicate(line := self.next(deadline, what)):
            pass
        return line


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def fmt_ms(values):
    ms = [v * 1000 for v in values]
    return f"p50 {pct(ms, 50):7.3f} ms  p99 {pct(ms, 99):7.3f} ms  max {max(ms):7.3f} ms  (n={len(ms)})"


def cat_floor(n):
    cat = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    out = []
    for _ in range(n):
        t0 = time.monotonic()
        cat.stdin.write(b'{"type":"ptt.stop"}\n')
        cat.stdout.readline()
        out.append(time.monotonic() - t0)
    cat.stdin.close()
    cat.wait()
    return out


def start_peer(sb, url, *args, name="peer"):
    """bench/realtime_peer.py, driven exactly like ptt-realtime (the fixture's stdin/stdout handling)."""
    from ptt_harness import start_thread
    from realtime_fixture import KEY, Realtime

    class PeerRealtime(Realtime):
        def __init__(self):  # the fixture's __init__, with the peer's command line
            self.err_path = sb.path(f"{name}.err")
            self.err = open(self.err_path, "w")
            self.proc = sb.start(["/usr/bin/python3", PEER, "--url", url, *args], env=dict(sb.env, OPENAI_API_KEY=KEY),
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err)
            self.lines, self.q = [], queue.Queue()
            self.reader = start_thread(self._read, name="the peer's stdout reader")

    return PeerRealtime()


def starter(sb, client, name):
    from realtime_fixture import Realtime
    return (lambda url, *a: Realtime(sb, url, *a)) if client == "ptt" else \
        (lambda url, *a: start_peer(sb, url, *a, name=f"{name}-peer"))


def stop_to_commit(sb, args):
    """1. ptt.stop -> commit, for ptt-realtime and the peer in alternate turns (each on a
    mock of its own, the first of the two swapping each turn), so that both meet the same
    machine state: on a shared machine the load moves within seconds. ptt.stop follows the
    last 20 ms chunk by 20 ms, as from a live microphone, so the mock has taken the appends
    and its clock measures the client's stdin-to-wire path, not its own backlog. Waits
    read the client's stdout, not the mock's log, to keep the bench itself off the two CPUs.
    Returns {client: {"stop_commit": [...], "stop_wire": [...], "violations": [...]}}."""
    from realtime_fixture import MockServer, audio_lines
    clients = {}
    for client in ("ptt", "peer"):
        mock = MockServer(sb, "--no-calls", "--reply-ms", "20", "--stamp-received", name=f"{client}-mock1")
        rt = starter(sb, client, client)(mock.url, *(["--socket", sb.path("unused.sock")] if client == "ptt" else []))
        clients[client] = (mock, rt, Cursor(rt), [])
    for _, rt, _, _ in clients.values():
        rt.wait_type("session", state="ready")
    chunk = audio_lines(b"\x01\x00" * 2880)  # 120 ms in 20 ms lines
    stop_line = (json.dumps({"type": "ptt.stop"}) + "\n").encode()
    for i in range(args.turns):
        for client in ("ptt", "peer") if i % 2 == 0 else ("peer", "ptt"):
            _, rt, out, stops = clients[client]
            rt.send({"type": "ptt.start"})
            for line in chunk:
                rt.send(line)
            time.sleep(0.02)
            stops.append(time.monotonic())
            rt.send_raw(stop_line)
            out.wait(lambda l: l.get("type") == "response" and l.get("state") == "done", timeout=30,
                     what=f"{client}'s turn {i} done")
    result = {}
    for client, (mock, rt, _, stops) in clients.items():
        rt.close_stdin()
        rt.wait_exit(30)
        commits = [e for e in mock.entries() if e.get("received", {}).get("type") == "input_audio_buffer.commit"]
        result[client] = {
            "stop_commit": [c["t"] - s for c, s in zip(commits, stops)],
            # n says if a commit lacked its stamp
            "stop_wire": [c["rx"] - (c["wall"] - c["t"]) - s for c, s in zip(commits, stops) if "rx" in c],
            "violations": mock.violations()}
    return result


def measure(sb, client, project, args, name):
    """One client (ptt-realtime or the peer) through scenarios 2 and 3 on fresh mocks.
    Returns lists of seconds: call_output, announce, spawn_rtt, and the mock's violations."""
    from ptt_harness import NdjsonClient
    from realtime_fixture import MockServer
    start = starter(sb, client, name)

    # 2. arguments done -> function_call_output, one typed turn at a time; each spawned
    # task finishes and is announced before the next turn.
    mock = MockServer(sb, "--spawn-prompt", "result success done", "--reply-ms", "20", name=f"{name}-mock2")
    rt = start(mock.url, "--project", f"demo={project}", "--socket", sb.socket)
    rt.wait_type("session", state="ready")
    rt.wait_type("daemon", state="connected")
    out = Cursor(rt)
    announced, answered = [], []  # line numbers of the announcements, of the response lines

    def announced_and_answered(n, timeout, what):
        """Waits until the n-th announcement went out and a response ended after it. Not a
        count of responses: a task that finishes before its call's response ends is
        announced with the follow-up's response, two responses for that turn instead of three."""
        def seen(line):
            (announced if line.get("type") == "announcement" else answered if line.get("type") == "response"
             else []).append(out.at - 1)
            return len(announced) >= n and bool(answered) and answered[-1] > announced[n - 1]
        if not seen({}):
            out.wait(seen, timeout, what)

    for i in range(args.calls):
        rt.send({"type": "text", "text": "spawn a task"})
        announced_and_answered(i + 1, 30, f"call turn {i} and its announcement")
    entries = mock.entries()
    args_done = {e["args_done"]: e["t"] for e in entries if "args_done" in e}
    outputs = {e["received"]["item"]["call_id"]: e["t"] for e in entries
               if e.get("received", {}).get("type") == "conversation.item.create"
               and e["received"]["item"].get("type") == "function_call_output"}
    call_output = [outputs[c] - t for c, t in args_done.items() if c in outputs]

    # The daemon's own share: the same spawn, asked directly (its announcements follow).
    client_conn = NdjsonClient(sb.socket)
    client_conn.request("hello", version=2, client="bench")  # lib/protocol/protocol.h
    spawn_rtt = []
    for i in range(args.calls):
        t0 = time.monotonic()
        task = client_conn.request("spawn", prompt="result success done", cwd=project)["task"]["id"]
        spawn_rtt.append(time.monotonic() - t0)
        client_conn.request("wait", tasks=[task])
    announced_and_answered(2 * args.calls, 60, "the direct spawns' announcements")

    # 3. task finished in the daemon (its finished_at) -> announcement item, while idle.
    announce = []
    for i in range(args.tasks):
        task = client_conn.request("spawn", prompt="result success ok", cwd=project)["task"]["id"]
        rec = client_conn.request("wait", tasks=[task])["tasks"][0]
        item = mock.wait_for(lambda e: e.get("received", {}).get("item", {}).get("role") == "system"
                             and f"task {task} " in e["received"]["item"]["content"][0]["text"],
                             what=f"announcement of task {task}")[0]
        announce.append(item["wall"] - rec["finished_at"])
        mock.wait_for(lambda e: "response_done" in e and e["t"] > item["t"], timeout=30)
    violations = mock.violations()
    client_conn.close()
    rt.close_stdin()
    rt.wait_exit(30)
    return {"call_output": call_output, "announce": announce,
            "spawn_rtt": spawn_rtt, "violations": violations}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(SOURCE, "build"))
    ap.add_argument("--turns", type=int, default=200)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--tasks", type=int, default=20)
    ap.add_argument("--json", metavar="FILE", help="also write every sample (seconds) as JSON to FILE")
    args = ap.parse_args()
    os.environ["PTT_BIN_DIR"] = os.path.join(args.build, "tools")
    os.environ["PTT_TEST_BIN_DIR"] = os.path.join(args.build, "tests")
    os.environ["PTT_SOURCE_DIR"] = SOURCE
    import ptt_harness
    ptt_harness.BIN_DIR, ptt_harness.TEST_BIN_DIR = os.environ["PTT_BIN_DIR"], os.environ["PTT_TEST_BIN_DIR"]
    from ptt_harness import Sandbox
    from taskd_fixture import Taskd

    load_before = os.getloadavg()
    with Sandbox("rt-bench") as sb:
        project = os.path.realpath(sb.path("proj"))
        os.makedirs(project)
        Taskd(sb, "--allow-root", project, "--max-running", "8")
        stops = stop_to_commit(sb, args)
        ours = measure(sb, "ptt", project, args, "ptt")
        peer = measure(sb, "peer", project, args, "peer")
        for result, client in ((ours, "ptt"), (peer, "peer")):
            violations = result.pop("violations")
            result.update(stops[client])
            result["violations"] += violations

    floor = cat_floor(args.turns)
    load_after = os.getloadavg()
    print("ptt-realtime vs the mock Realtime server on loopback (real ptt-taskd, fake agent);")
    print(f"load average (1, 5, 15 min) before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)}, on {os.cpu_count()} CPUs")
    print("peer: bench/realtime_peer.py, a minimal Python client doing the same on the same mock and daemon")
    print(f"  ptt.stop -> commit on the wire      {fmt_ms(ours['stop_wire'])}   target p99 < 2 ms")
    print(f"    peer                              {fmt_ms(peer['stop_wire'])}")
    print(f"    floor: same line through `cat`    {fmt_ms(floor)}")
    print(f"  ptt.stop -> commit as the mock took {fmt_ms(ours['stop_commit'])}")
    print(f"    peer                              {fmt_ms(peer['stop_commit'])}")
    print(f"  args.done -> function_call_output   {fmt_ms(ours['call_output'])}   target p50 < 10 ms (spawn included)")
    print(f"    peer                              {fmt_ms(peer['call_output'])}")
    print(f"    of which ptt-taskd spawn (direct) {fmt_ms(ours['spawn_rtt'])}")
    print(f"  task finished -> announcement sent  {fmt_ms(ours['announce'])}   target < 50 ms while idle")
    print(f"    peer                              {fmt_ms(peer['announce'])}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"ptt": ours, "peer": peer, "cat_floor": floor, "load": [load_before, load_after]}, f)
    violations = ours["violations"] + peer["violations"]
    if violations:
        print(f"  mock saw violations: {violations[:5]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
