"""A voice project's own spawn defaults (`ptt-realtime --project-defaults`, docs/taskd.md,
"Worktrees"): the mock Realtime server's model spawns one task in each of two projects of
one git repository's checkouts; `api` says worktree and a setup command, `web` says nothing.
The api task runs in a worktree of its own, its setup's file there and not in the checkout;
the web task runs in its checkout as the daemon decides (no worktree). A defaults entry for
a project that does not exist is a usage error (exit 2) that says so."""
import json
import os

from git_repo import make_repo
from ptt_harness import Sandbox, expect
from realtime_fixture import MockServer, Realtime
from taskd_fixture import Taskd, wait_tasks


with Sandbox("rt-project-defaults") as sb:
    repos = {name: make_repo(sb, name) for name in ("api", "web")}

    r = sb.run(["ptt-realtime", f"--project=api={repos['api']}", "--project-defaults=nope=worktree"])
    expect(r.returncode == 2 and "--project-defaults nope: no --project of that name" in r.stderr,
           f"an unknown project: {r.returncode} {r.stderr}")

    taskd = Taskd(sb)
    mock = MockServer(sb, "--spawn-project", "api,web", "--spawn-prompt", "result success done")
    rt = Realtime(sb, mock.url, f"--project=api={repos['api']}", f"--project=web={repos['web']}",
                  "--project-defaults=api=worktree,setup=echo set up > setup.txt", "--socket", sb.socket)
    rt.wait_type("session", state="ready")
    rt.wait_type("daemon", state="connected")
    outputs = []
    for turn, project in enumerate(("api", "web"), 1):
        rt.send({"type": "text", "text": f"spawn a task in {project}"})
        result = rt.wait_line(lambda l: l.get("type") == "tool_result" and l["call_id"] == f"call_{turn}",
                              what=f"the result of call {turn}")
        out = result["output"] if isinstance(result["output"], dict) else json.loads(result["output"])
        expect(out.get("ok") is True, f"spawn in {project}: {out}")
        outputs.append(out["task"])
        wait_tasks(taskd.client(), [out["task"]])  # the mock names every task alike: one at a time
    done = wait_tasks(taskd.client(), outputs)
    api, web = done[outputs[0]], done[outputs[1]]
    expect(api["state"] == "succeeded" and api.get("worktree"), f"the api task has a worktree: {api}")
    wt = api["worktree"]["path"]
    expect(os.path.exists(os.path.join(wt, "setup.txt")), "the setup command ran in the worktree")
    expect(not os.path.exists(os.path.join(repos["api"], "setup.txt")), "and not in the checkout")
    expect(api["worktree"]["changes"]["files"] == 1, f"its change count: {api['worktree']}")
    expect(web["state"] == "succeeded" and not web.get("worktree") and web["cwd"] == repos["web"],
           f"the web task ran in its checkout: {web}")
    print("ok")
