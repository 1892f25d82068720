"""Input limits at spawn. The agent gets its prompt as one argument, and the kernel
refuses an argument of MAX_ARG_STRLEN (32 pages: 131072 bytes on x86_64) or more, NUL
included: such a spawn used to be accepted and then fail as agent_missing ("Argument list
too long"). Now it is refused with `too_long` and the limit in the message, from spawn,
follow_up and retry alike and from ptt-task (`git diff | ptt-task spawn -`); a prompt of
exactly the largest size runs. A prompt starting with '-' gets a leading space (it would
be read as an option), so it may be one byte shorter."""
import json
import os

from ptt_harness import Sandbox, expect
from taskd_fixture import Taskd, spawn, wait_tasks

PAGE = os.sysconf("SC_PAGE_SIZE")
LARGEST = 32 * PAGE - 1  # the largest argument, without its NUL


def prompt_of(size, lead="result success ok;text "):
    return lead + "a" * (size - len(lead))


with Sandbox("taskd-input-limits") as sb:
    d = Taskd(sb)
    c = d.client()

    tid = spawn(c, prompt_of(LARGEST), sb.root)
    t = wait_tasks(c, [tid])[tid]
    expect(t["state"] == "succeeded", f"a prompt of {LARGEST} bytes must run: {t['state']} {t['reason']} "
           f"{t.get('stderr_tail')}")
    print(f"ok: a prompt of {LARGEST} bytes runs")

    for size, lead in ((LARGEST + 1, "result success ok;text "), (LARGEST, "-result success ok;text "),
                       (600 << 10, "result success ok;text ")):
        r = c.request("spawn", prompt=prompt_of(size, lead), cwd=sb.root)
        expect(not r["ok"] and r["error"]["code"] == "too_long", f"a {size}-byte prompt must be refused: {r.get('error') or r['ok']}")
        msg = r["error"]["message"]
        expect(str(LARGEST) in msg and "prompt" in msg, f"the message must name the prompt and the limit: {msg}")
        print(f"ok: {size} bytes (starting {lead[0]!r}) refused: {msg}")

    big = {"append_system_prompt": "x" * (LARGEST + 1)}
    r = c.request("spawn", prompt="result success ok", cwd=sb.root, options=big)
    expect(not r["ok"] and r["error"]["code"] == "too_long" and "--append-system-prompt" in r["error"]["message"],
           f"an over-long option must be refused too: {r.get('error') or r['ok']}")
    r = c.request("follow_up", task=tid, prompt=prompt_of(LARGEST + 1))
    expect(not r["ok"] and r["error"]["code"] == "too_long", f"follow_up must be refused the same way: {r.get('error') or r['ok']}")
    # Nothing was made by the refusals: the next task is the next id.
    expect(spawn(c, "result success ok", sb.root) == tid + 1, "a refused spawn used up an id")

    # The README's own `git diff | ptt-task spawn -`, with a diff over the limit.
    r = sb.run(["ptt-task", "spawn", "--cwd", sb.root, "-"], input=prompt_of(LARGEST + 1), check=2)
    expect(f"{LARGEST}" in r.stderr and "prompt" in r.stderr, f"ptt-task must say why: {r.stderr[:500]!r}")
    listed = [json.loads(l) for l in sb.run(["ptt-task", "list", "--json"]).stdout.splitlines()]
    expect(len(listed) == 2 and all(t["state"] != "failed" for t in listed), f"no failed tasks: {[(t['id'], t['state']) for t in listed]}")
    expect(d.proc.poll() is None, "the daemon died")
    print("ok: spawn, follow_up and ptt-task spawn - refuse an over-long prompt with too_long and the limit")

# All arguments and the environment together are bounded too (ARG_MAX: a quarter of the
# stack limit, never below 128 KiB): under a 512 KiB stack limit, a prompt and
# --add-dir values that each fit but together do not are refused, not failed later.
with Sandbox("taskd-input-limits-total") as sb:
    d = Taskd(sb, prefix=("/usr/bin/prlimit", "--stack=524288", "--"))
    c = d.client()
    dirs = []
    for i in range(4):
        dirs.append(sb.path("d" * 200 + str(i)))
        os.makedirs(dirs[-1])
    r = c.request("spawn", prompt=prompt_of(120 << 10), cwd=sb.root, options={"add_dirs": dirs * 20})
    expect(not r["ok"] and r["error"]["code"] == "too_long" and "ARG_MAX" in r["error"]["message"],
           f"over ARG_MAX must be refused: {r.get('error') or r['ok']}")
    tid = spawn(c, prompt_of(100 << 10), sb.root)
    t = wait_tasks(c, [tid])[tid]
    expect(t["state"] == "succeeded", f"a 100 KiB prompt fits under a 512 KiB stack: {t['state']} {t['reason']}")
    print(f"ok: over ARG_MAX refused: {r['error']['message']}")
