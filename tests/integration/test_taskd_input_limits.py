"""Input limits at spawn. The agent gets its prompt on stdin (the first stream-json
message), so a prompt is not bound by the kernel's MAX_ARG_STRLEN (131072 bytes on x86_64,
NUL included) as it was as an argument: a prompt of up to 1 MiB runs, and a longer one is
refused with `too_long` naming its size and the limit, from spawn, follow_up and retry
alike and from ptt-task (`git diff | ptt-task spawn -`). The options still go as arguments:
one over MAX_ARG_STRLEN, or all of them with the environment over ARG_MAX, is refused
at once (it used to be accepted and then fail as agent_missing, "Argument list too long")."""
import json
import os

from ptt_harness import Sandbox, expect
from taskd_fixture import Taskd, spawn, wait_tasks

PAGE = os.sysconf("SC_PAGE_SIZE")
LARGEST = 32 * PAGE - 1  # the largest argument, without its NUL


def prompt_of(size, lead="result success ok;text "):
    return lead + "a" * (size - len(lead))


MAX_PROMPT = 1 << 20

with Sandbox("taskd-input-limits") as sb:
    d = Taskd(sb)
    c = d.client()

    # Over MAX_ARG_STRLEN and starting with '-' (no longer an option's look-alike): it runs.
    tid = spawn(c, prompt_of(MAX_PROMPT, "- ;result success ok;text "), sb.root)
    t = wait_tasks(c, [tid])[tid]
    expect(t["state"] == "succeeded", f"a prompt of {MAX_PROMPT} bytes must run: {t['state']} {t['reason']} "
           f"{t.get('stderr_tail')}")
    expect(t["result"]["text"] == "ok", f"the agent did not get the whole prompt: {t['result']}")
    print(f"ok: a prompt of {MAX_PROMPT} bytes runs")

    r = c.request("spawn", prompt=prompt_of(MAX_PROMPT + 1), cwd=sb.root)
    expect(not r["ok"] and r["error"]["code"] == "too_long", f"a longer prompt must be refused: {r.get('error') or r['ok']}")
    msg = r["error"]["message"]
    expect(str(MAX_PROMPT) in msg and str(MAX_PROMPT + 1) in msg and "prompt" in msg,
           f"the message must name the prompt, its size and the limit: {msg}")
    print(f"ok: {MAX_PROMPT + 1} bytes refused: {msg}")

    big = {"append_system_prompt": "x" * (LARGEST + 1)}  # an option is still an argument
    r = c.request("spawn", prompt="result success ok", cwd=sb.root, options=big)
    expect(not r["ok"] and r["error"]["code"] == "too_long" and "--append-system-prompt" in r["error"]["message"],
           f"an over-long option must be refused too: {r.get('error') or r['ok']}")
    r = c.request("follow_up", task=tid, prompt=prompt_of(MAX_PROMPT + 1))
    expect(not r["ok"] and r["error"]["code"] == "too_long", f"follow_up must be refused the same way: {r.get('error') or r['ok']}")
    # Nothing was made by the refusals: the next task is the next id.
    expect(spawn(c, "result success ok", sb.root) == tid + 1, "a refused spawn used up an id")

    # The README's own `git diff | ptt-task spawn -`, with a diff over the limit.
    r = sb.run(["ptt-task", "spawn", "--cwd", sb.root, "-"], input=prompt_of(MAX_PROMPT + 1), check=2)
    expect(f"{MAX_PROMPT}" in r.stderr and "prompt" in r.stderr, f"ptt-task must say why: {r.stderr[:500]!r}")
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
    r = c.request("spawn", prompt="result success ok", cwd=sb.root,
                  options={"add_dirs": dirs * 20, "append_system_prompt": "s" * (120 << 10)})
    expect(not r["ok"] and r["error"]["code"] == "too_long" and "ARG_MAX" in r["error"]["message"],
           f"over ARG_MAX must be refused: {r.get('error') or r['ok']}")
    tid = spawn(c, prompt_of(100 << 10), sb.root, options={"append_system_prompt": "s" * (100 << 10)})
    t = wait_tasks(c, [tid])[tid]
    expect(t["state"] == "succeeded", f"a 100 KiB option fits under a 512 KiB stack: {t['state']} {t['reason']}")
    print(f"ok: over ARG_MAX refused: {r['error']['message']}")
