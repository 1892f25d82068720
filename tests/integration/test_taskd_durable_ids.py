"""Task ids are never reused, even when tasks.ndjson loses its tail (truncated, or a
crash before the appended lines reached the disk). The daemon claims a task's log dir
(logs/<id>) before it answers the spawn, and a restart takes the next id past every log
dir there is: a new task never takes an old id, appends to that task's
logs/<id>/stream.ndjson, or shows its result.

  1. Three tasks finish; the records of the last two are cut off; after a restart the
     next task is 4, its logs and its result are its own.
  2. kill -9 with queued tasks (never started: only the spawn reached the disk), the
     records file cut back to the first task: the next id is past the queued ones.
  3. Under strace: a spawn's reply is written only after its log dir is claimed and the
     records file (and the state dir, which got that file) are fsync'ed. The claim is a
     rename of logs/.next, the spare dir made ahead (at start-up, then after each spawn's
     reply): the reply waits for no mkdir."""
import json
import os
import re
import shutil

from ptt_harness import Sandbox, expect, skip
from taskd_fixture import Taskd, log_lines, spawn, wait_tasks


def cut_records(state_dir, keep):
    """Keeps the first `keep` records of tasks.ndjson, as a lost tail would."""
    path = os.path.join(state_dir, "tasks.ndjson")
    with open(path) as f:
        lines = [l for l in f.read().split("\n") if l]
    with open(path, "w") as f:
        f.write("".join(l + "\n" for l in lines[:keep]))
    return [json.loads(l)["id"] for l in lines[:keep]]


def stream_of(state_dir, task):
    with open(os.path.join(state_dir, "logs", str(task), "stream.ndjson")) as f:
        return [json.loads(l) for l in f.read().split("\n")[:-1] if l.strip()]  # whole lines only


with Sandbox("taskd-durable-ids-cut") as sb:
    d = Taskd(sb)
    c = d.client()
    ids = [spawn(c, f"result success old-{i}", sb.root) for i in (1, 2, 3)]
    wait_tasks(c, ids)
    expect(c.request("shutdown")["ok"], "shutdown")
    d.wait_exit()
    expect(cut_records(sb.state_dir, 1) == [ids[0]], "the records file did not hold task 1 first")

    d = Taskd(sb)
    c = d.client()
    new = spawn(c, "result success new-task", sb.root)
    expect(new == ids[-1] + 1, f"the new task took id {new}; ids {ids} were handed out before")
    t = wait_tasks(c, [new])[new]
    expect(t["result"]["text"] == "new-task", f"the new task shows another result: {t['result']}")
    prompts = [line["prompt"] for line in stream_of(sb.state_dir, new) if line.get("type") == "fake_agent"]
    expect(prompts == ["result success new-task"], f"logs/{new} holds other runs too: {prompts}")
    expect("result success old-" not in json.dumps(log_lines(c, new)), "`logs` shows an old task's lines")
    out = sb.run(["ptt-task", "result", str(new)]).stdout
    expect(out.strip() == "new-task", f"ptt-task result {new}: {out!r}")
    expect(f"logs/{ids[-1]} exists, but no task record for it" in d.log(), "the daemon does not say:\n" + d.log())
    print(f"ok: records of tasks {ids[1:]} cut off; the next task is {new}, with its own logs and result")

with Sandbox("taskd-durable-ids-kill9") as sb:
    d = Taskd(sb, "--max-running", "1")
    c = d.client()
    gate = sb.path("gate")
    first = spawn(c, f"wait-file {gate}; result success first", sb.root)
    queued = [spawn(c, f"result success queued-{i}", sb.root) for i in (1, 2)]
    d.kill9()
    cut_records(sb.state_dir, 1)
    d = Taskd(sb, "--max-running", "1")
    c = d.client()
    new = spawn(c, "result success after-the-cut", sb.root)
    expect(new > max(queued), f"the new task took id {new}; {queued} were handed out (queued) before the crash")
    open(gate, "w").close()
    t = wait_tasks(c, [first, new])
    expect(t[new]["result"]["text"] == "after-the-cut", f"task {new}: {t[new]['result']}")
    expect(t[first]["state"] == "succeeded", f"the running task was lost: {t[first]['state']}")
    print(f"ok: kill -9 with tasks {queued} queued and their records cut: the next task is {new}")

with Sandbox("taskd-durable-ids-fsync") as sb:
    if not shutil.which("strace"):
        skip("strace is not installed", "strace")
    trace = sb.path("trace")
    # LeakSanitizer cannot run under ptrace (it stops with a fatal error in an ASan build).
    asan = sb.env.get("ASAN_OPTIONS")
    env = dict(sb.env, ASAN_OPTIONS=f"{asan}:detect_leaks=0") if asan else None
    d = Taskd(sb, env=env, prefix=("/usr/bin/strace", "-f", "-y", "-s", "48", "-o", trace,
                                   "-e", "trace=mkdir,renameat2,fsync,write,writev"))
    c = d.client()
    tid = spawn(c, "result success traced", sb.root)
    # (strace -f follows the agent too: it must end, and it waits for a daemon to end its session.)
    wait_tasks(c, [tid])
    expect(c.request("shutdown")["ok"], "shutdown")
    d.wait_exit()
    with open(trace) as f:
        calls = f.read().splitlines()

    def first(pattern):
        at = next((i for i, line in enumerate(calls) if re.search(pattern, line)), None)
        expect(at is not None, f"no {pattern!r} in the trace:\n" + "\n".join(calls[-40:]))
        return at

    reply = first(r'write.*\\"ok\\":true,\\"task\\"|write.*"ok":true,"task"')
    claim = rf'renameat2\(AT_FDCWD[^,]*, ".*/logs/\.next", AT_FDCWD[^,]*, ".*/logs/{tid}", RENAME_NOREPLACE\) = 0'
    for pattern in (r'mkdir\(".*/logs/\.next"', claim, r'fsync\(\d+<[^>]*/tasks\.ndjson>', r'fsync\(\d+<[^>]*/state>'):
        expect(first(pattern) < reply, f"{pattern!r} comes after the spawn's reply:\n" + "\n".join(calls[:reply + 1]))
    expect(not any(re.search(rf'mkdir\(".*/logs/{tid}"', line) for line in calls), "the log dir was made, not renamed")
    spare_again = next((i for i, line in enumerate(calls[reply:]) if re.search(r'mkdir\(".*/logs/\.next"', line)), None)
    expect(spare_again is not None, "no spare log dir made after the spawn's reply")
    print(f"ok: task {tid}'s log dir is claimed (the spare renamed) and its record synced before its reply; "
          "the next spare is made after it")
