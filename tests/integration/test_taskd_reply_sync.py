"""A reply waits for an fsync only when its own request wrote records (docs/taskd.md,
Durability). Under strace:

  - a task finishes after the last spawn: its record is appended, and not synced on its
    own (a restart reads its end again from its logs);
  - a new connection's hello and a `get` of that task are answered with no fsync (a
    daemon that synced before every reply made each client's hello wait for the records
    agents had changed since: an fsync on the critical path of every other spawn);
  - a `clean` appends a forget line, and its reply comes after the records file's fsync."""
import re
import shutil

from ptt_harness import Sandbox, expect, skip
from taskd_fixture import Taskd, get, spawn, wait_tasks

with Sandbox("taskd-reply-sync") as sb:
    if not shutil.which("strace"):
        skip("strace is not installed", "strace")
    trace = sb.path("trace")
    # LeakSanitizer cannot run under ptrace (it stops with a fatal error in an ASan build).
    asan = sb.env.get("ASAN_OPTIONS")
    env = dict(sb.env, ASAN_OPTIONS=f"{asan}:detect_leaks=0") if asan else None
    d = Taskd(sb, env=env, prefix=("/usr/bin/strace", "-f", "-y", "-s", "64", "-o", trace,
                                   "-e", "trace=fsync,fdatasync,read,write,writev"))
    c = d.client()
    quick = spawn(c, "result success quick", sb.root)
    expect(wait_tasks(c, [quick])[quick]["state"] == "succeeded", "the task did not succeed")
    c2 = d.client()
    expect(get(c2, quick)["state"] == "succeeded", "get")
    cleaned = c2.request("clean")
    expect(cleaned["ok"], str(cleaned))
    expect(c.request("shutdown")["ok"], "shutdown")
    d.wait_exit()
    with open(trace) as f:
        calls = f.read().splitlines()

    def index(pattern, start=0):
        at = next((i for i in range(start, len(calls)) if re.search(pattern, calls[i])), None)
        expect(at is not None, f"no {pattern!r} in the trace after line {start}:\n" + "\n".join(calls[-40:]))
        return at

    def fsyncs(start, end):
        return [line for line in calls[start:end] if re.search(r"f(data)?sync\(\d+<[^>]*tasks\.ndjson>", line)]

    wait_reply = index(r'write\(.*\\"ok\\":true,\\"tasks\\":\[')
    get_reply = index(r'write\(.*\\"ok\\":true,\\"task\\":\{', wait_reply + 1)
    between = fsyncs(wait_reply, get_reply)
    expect(not between, "a hello or a get waited for an fsync of records it did not write:\n" + "\n".join(between))
    clean_request = index(r'read\(.*op\\": ?\\"clean', get_reply + 1)
    clean_reply = index(r'write\(.*\\"ok\\":true', clean_request + 1)
    expect(fsyncs(clean_request, clean_reply),
           "clean's forget line was not synced before its reply:\n" + "\n".join(calls[clean_request:clean_reply + 1]))
print("ok: a hello and a get after a task finished are answered without an fsync; clean's reply follows its fsync")
