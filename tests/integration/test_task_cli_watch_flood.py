"""A subscriber that keeps reading keeps up (issue 17): a task with a 60 KB prompt makes
3000 tool calls as fast as it can; `ptt-task watch --json` is not disconnected, prints
one line per event (each with the task's id and state) and sees the task succeed.
Events carry what changed, not the whole record: the bytes a subscriber gets for the
task stay small (they were ~180 MB when each activity event carried the prompt)."""
import json
import select
import subprocess

from ptt_harness import Sandbox, expect, fail, start_thread, wait_until
from taskd_fixture import Taskd, spawn

MB = 1024 * 1024
PROMPT_PAD, TOOLS = 60_000, 3000

with Sandbox("task-cli-watch-flood") as sb:
    d = Taskd(sb)
    c = d.client(timeout=120)
    watch = sb.start(["ptt-task", "--no-autostart", "watch", "--json"], stdout=subprocess.PIPE)

    # Events only flow once watch has subscribed: spawn probes until it prints one.
    wait_until(lambda: spawn(c, "result success probe", sb.root) and select.select([watch.stdout], [], [], 0.2)[0],
               what="watch to subscribe")

    counter = d.client(timeout=120)
    expect(counter.request("subscribe")["ok"], "subscribe")
    prompt = f"text {'x' * PROMPT_PAD}; tools {TOOLS} Bash step; result success flooded"
    task = spawn(c, prompt, sb.root)

    def count_event_bytes():
        # Raw bytes until the task's finished event: what one subscriber is sent.
        total, buf = 0, b""
        while True:
            chunk = counter.sock.recv(1 << 20)
            if not chunk:
                raise EOFError("the counting subscriber was dropped")
            total += len(chunk)
            buf += chunk
            lines = buf.split(b"\n")
            buf = lines.pop()
            for line in lines:
                e = json.loads(line)
                if e.get("event") == "finished" and e["task"]["id"] == task:
                    return total

    def read_watch():
        seen = []
        while True:
            line = watch.stdout.readline()
            if not line:
                return seen, None
            e = json.loads(line)
            expect(isinstance(e["task"]["id"], int) and isinstance(e["task"]["state"], str),
                   f"a watch --json line without id and state: {line[:300]!r}")
            if e["task"]["id"] == task:
                seen.append(e)
                if e["event"] == "finished":
                    return seen, e

    counting = start_thread(count_event_bytes)
    seen, finished = start_thread(read_watch).join(120)
    if finished is None:
        watch.wait(timeout=10)
        fail(f"ptt-task watch --json ended (exit {watch.returncode}) after {len(seen)} events of task {task}: "
             f"{watch.stderr.read().decode()}{d.log()[-2000:]}")
    event_bytes = counting.join(120)
    expect(finished["task"]["state"] == "succeeded", f"watch saw the end as {finished}")
    activity = sum(1 for e in seen if e["event"] == "activity")
    expect(activity == TOOLS + 1, f"watch saw {activity} of {TOOLS + 1} activity events")
    expect(watch.poll() is None, f"watch exited: {watch.returncode}")
    watch.kill()
    print(f"{TOOLS} tool calls with a {PROMPT_PAD // 1000} KB prompt: {event_bytes} bytes of events "
          f"({event_bytes / (TOOLS + 3):.0f} per event)")
    expect(event_bytes < 4 * MB, f"{event_bytes // MB} MB of events for one task: events carry the whole record")
print("ok: watch --json keeps up with a flood of activity from a task with a large prompt")
