"""logs -f, wait and watch outlive their daemon: each is connected when the daemon is
killed (kill -9) and another one started; the tasks run on meanwhile (docs/taskd.md,
Reconnecting). logs -f shows every line of the log exactly once, in order, the lines the
agent wrote while no daemon ran included; wait reports each task once, and only the tasks
unfinished when it began; watch reports what happened while it was cut off (a task that
finished, one created and finished meanwhile), each event once."""
import json
import os
import signal

from ptt_harness import Sandbox, expect, read_until, readline, wait_until
from taskd_fixture import Taskd, get, spawn, wait_tasks

LOST = "ptt-task: connection to ptt-taskd lost ("
BACK = "ptt-task: reconnected to ptt-taskd\n"


def reconnected(proc):
    """Reads proc's two notices about one lost connection from its stderr."""
    lost = readline(proc.stderr, what="the notice of a lost connection")
    back = readline(proc.stderr, what="the notice of a new connection")
    expect(lost.startswith(LOST) and back == BACK, f"{proc.args}: notices {lost!r} {back!r}")


def rest_of(proc):
    """What proc prints after what read_until() read, once it exits, and its stderr.
    (communicate() with a timeout reads the pipe past the buffer readline() filled.)"""
    proc.wait(timeout=30)
    return proc.stdout.read(), proc.stderr.read()


def stream_lines(sb, task):
    with open(os.path.join(sb.state_dir, "logs", str(task), "stream.ndjson")) as f:
        return f.read().split("\n")[:-1]  # whole lines: the agent may be writing one


with Sandbox("task-reconnect") as sb:
    d = Taskd(sb)
    c = d.client()
    gates = [sb.path(f"gate-{i}") for i in range(3)]
    script = "; ".join(f"tool Bash step-{i}-a; tool Bash step-{i}-b; wait-file {g}" for i, g in enumerate(gates))
    busy = spawn(c, script + "; result success all steps", sb.root)
    other = spawn(c, f"wait-file {gates[1]}; result success other", sb.root)
    watched = spawn(c, f"wait-file {gates[0]}; result success watched", sb.root)
    wait_until(lambda: get(c, busy)["activity"] == "Bash: step-0-b", what="the first steps")

    ptt = ["ptt-task", "--no-autostart"]
    raw = sb.start([*ptt, "logs", "-f", "--raw", str(busy)], text=True)
    shown = sb.start([*ptt, "logs", "-f", str(busy)], text=True)
    waits = sb.start([*ptt, "--json", "wait"], text=True)
    watch = sb.start([*ptt, "watch", "--json"], text=True)
    raw_head = read_until(raw, '"command":"step-0-b"')
    shown_head = read_until(shown, "Bash: step-0-b")
    # watch is subscribed once its first event comes: a probe task.
    probe = spawn(c, "result success probe", sb.root)
    watch_head = read_until(watch, '"finished"')

    # watch is stopped so that it sees the connection gone only after all of this.
    watch.send_signal(signal.SIGSTOP)
    d.kill9()
    # No daemon: the agents go on. busy writes its second steps, `watched` finishes.
    open(gates[0], "w").close()
    wait_until(lambda: any("step-1-b" in l for l in stream_lines(sb, busy)), what="steps written with no daemon")
    d = Taskd(sb)
    c = d.client()
    # While watch is stopped: a task created and finished, and `watched` seen finished.
    quick = spawn(c, "result success quick", sb.root)
    wait_tasks(c, [quick, watched])
    # A task spawned after `wait` began is not waited for, before or after the restart.
    late = spawn(c, f"wait-file {sb.path('never')}; result success late", sb.root)
    watch.send_signal(signal.SIGCONT)
    wait_until(lambda: get(c, busy)["activity"] == "Bash: step-1-b", what="the restarted daemon to re-adopt busy")
    for p in (raw, shown, waits, watch):
        reconnected(p)

    # A second restart, this time with logs -f at the daemon's door the whole time.
    d.kill9()
    open(gates[1], "w").close()
    d = Taskd(sb)
    c = d.client()
    for p in (raw, shown, waits, watch):
        reconnected(p)
    open(gates[2], "w").close()
    wait_tasks(c, [busy, other])

    out, err = rest_of(raw)
    out = raw_head + out
    expect(raw.returncode == 0, f"logs -f --raw exited {raw.returncode}: {err}")
    logged = stream_lines(sb, busy)
    expect(out.splitlines() == logged,
           f"logs -f --raw lost or repeated lines across restarts:\n{out}\n--- the log:\n" + "\n".join(logged))
    expect(not err, f"logs -f --raw's stderr: {err!r}")

    out, err = rest_of(shown)
    out = shown_head + out
    expect(shown.returncode == 0 and not err, f"logs -f exited {shown.returncode}: {err}")
    for i in range(3):
        for part in "ab":
            expect(out.count(f"Bash: step-{i}-{part}\n") == 1, f"logs -f: step-{i}-{part} in {out!r}")
    expect("✓ success" in out, f"logs -f's closing line: {out!r}")

    out, err = rest_of(waits)
    expect(waits.returncode == 0, f"wait exited {waits.returncode}: {err}")
    ended = [json.loads(l) for l in out.splitlines()]
    # The probe finished at once: whether wait saw it depends on which came first.
    expect(sorted(t["id"] for t in ended if t["id"] != probe) == sorted([busy, other, watched]) and
           all(t["state"] == "succeeded" for t in ended), f"wait reported {out!r}")
    expect(not err, f"wait's stderr: {err!r}")

    expect(get(c, late)["state"] == "running", "the late task stopped")
    watch.send_signal(signal.SIGTERM)
    out, err = rest_of(watch)
    out = watch_head + out
    events = [(e["event"], e["task"]["id"]) for e in map(json.loads, out.splitlines())]
    expect(not err, f"watch's stderr: {err!r}")
    once = [e for e in events if e[0] != "activity"]  # a task's activity may change often
    expect(len(once) == len(set(once)), f"watch told an event twice: {events}")
    for t in (probe, busy, other, watched, quick):
        expect(("finished", t) in events, f"watch missed task {t}'s end: {events}")
    for kind in ("created", "started"):
        expect((kind, quick) in events and (kind, late) in events, f"watch missed a {kind}: {events}")
    expect(events.index(("created", quick)) < events.index(("started", quick)) < events.index(("finished", quick)),
           f"watch told task {quick}'s life out of order: {events}")
    # The late task ends here: its supervisor and agent must not outlive the test.
    open(sb.path("never"), "w").close()
    wait_until(lambda: get(c, late)["state"] == "succeeded", 20, "the late task's end")
print("ok: logs -f, wait and watch reconnect to a restarted daemon, losing and repeating nothing")
