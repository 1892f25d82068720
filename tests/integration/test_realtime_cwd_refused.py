"""A voice-spawned task whose cwd is outside ptt-taskd's --allow-root is refused.

The mock Realtime server calls spawn_task once per turn, naming a different project each
time: one outside the root, one reached via "..", one via a symlink inside the root, one
that only shares the root's name as a prefix, and one the model made up as a path. Each
refusal must reach the server in the function_call_output, no task may be created, and
the session and daemon stay up: the last call, for the allowed project, runs."""
import json
import os

from ptt_harness import Sandbox, expect
from realtime_fixture import MockServer, Realtime
from taskd_fixture import Taskd, wait_tasks

with Sandbox("rt-cwd") as sb:
    root = os.path.realpath(sb.path("allowed"))
    outside = os.path.realpath(sb.path("outside"))
    sibling = root + "-evil"  # /x/allowed-evil is not under /x/allowed
    for d in (root, outside, sibling):
        os.makedirs(d)
    os.symlink(outside, os.path.join(root, "link"))
    taskd = Taskd(sb, "--allow-root", root)

    refused = {"out": outside, "dotdot": os.path.join(root, "..", "outside"),
               "symlink": os.path.join(root, "link"), "prefix": sibling}
    calls = [*refused, "/etc", "ok"]
    mock = MockServer(sb, "--spawn-project", ",".join(calls), "--spawn-prompt", "result success in bounds")
    projects = [f"--project={name}={path}" for name, path in refused.items()] + [f"--project=ok={root}"]
    rt = Realtime(sb, mock.url, *projects, "--socket", sb.socket)
    rt.wait_type("session", state="ready")
    rt.wait_type("daemon", state="connected")

    results = []
    for turn, project in enumerate(calls, 1):
        rt.send({"type": "text", "text": f"spawn a task in {project}"})
        results.append(rt.wait_line(lambda l: l.get("type") == "tool_result" and l["call_id"] == f"call_{turn}",
                                    what=f"the result of call {turn} ({project})"))
        # The model speaks the answer: the session goes on after each refusal.
        rt.wait_line(lambda l: l.get("type") == "response" and rt.count("response", state="done") >= 2 * turn,
                     what=f"the reply to call {turn}")

    # What the server got back, per call_id (read from the mock's log of what we sent).
    sent = {e["item"]["call_id"]: json.loads(e["item"]["output"]) for e in mock.received("conversation.item.create")
            if e["item"]["type"] == "function_call_output"}
    expect(sorted(sent) == sorted(f"call_{i}" for i in range(1, len(calls) + 1)), f"outputs sent: {sent}")
    for i, name in enumerate(refused, 1):
        out = sent[f"call_{i}"]
        expect(out.get("ok") is False and "outside the allowed roots" in out.get("error", ""),
               f"project {name} ({refused[name]}) was not refused: {out}")
        expect(results[i - 1]["output"] == out, f"stdout and wire disagree for {name}")
    made_up = sent[f"call_{len(refused) + 1}"]
    expect(made_up.get("ok") is False and "unknown project '/etc'" in made_up.get("error", ""),
           f"a path as project name: {made_up}")
    allowed = sent[f"call_{len(calls)}"]
    expect(allowed.get("ok") is True, f"the allowed project was refused: {allowed}")

    # Only the allowed task exists, and it ran in the root.
    listing = sb.run(["ptt-task", "--no-autostart", "--json", "list"], check=0)
    tasks = [json.loads(line) for line in listing.stdout.splitlines()]
    expect([t["id"] for t in tasks] == [allowed["task"]], f"tasks created: {tasks}")
    c = taskd.client()
    done = wait_tasks(c, [allowed["task"]])[allowed["task"]]
    expect(done["state"] == "succeeded" and done["cwd"] == root, f"allowed task: {done}")

    expect(rt.proc.poll() is None and taskd.proc.poll() is None, "a process exited after a refusal")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    mock.expect_clean()
print(f"ok: {len(refused)} out-of-root cwds and a made-up path refused on the wire, no task made; session went on")
