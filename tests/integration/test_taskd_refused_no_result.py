"""An agent whose tool call Claude Code refused (a `system` line of subtype
permission_denied) and that then exits without a result line ends failed with reason
permission_denied, naming the refused call (its activity), and keeps its exit code and
stderr tail; `list`, `status` and `wait` say so (docs/taskd.md, Outcomes and reasons)."""
import json
import os

from ptt_harness import Sandbox, expect
from taskd_fixture import Taskd, spawn, wait_tasks

with Sandbox("taskd-refused-no-result") as sb:
    work = sb.path("work")
    os.makedirs(work)
    taskd = Taskd(sb)
    c = taskd.client(timeout=30)
    command = "curl -s http://127.0.0.1:9/ptt-refused"
    task = spawn(c, f"refuse Bash {command}; tool Read notes.md; stderr gave up; exit 2", work)
    t = wait_tasks(c, [task])[task]
    expect(t["state"] == "failed" and t["reason"] == "permission_denied", f"the refused run ended: {t}")
    expect(t["activity"] == f"refused: Bash: {command}", f"activity: {t['activity']!r}")
    expect(t["exit_code"] == 2 and "gave up" in (t["stderr_tail"] or ""), f"exit code and stderr: {t}")
    expect(t["result"] is None, f"a result made up: {t['result']}")

    r = sb.run(["ptt-task", "wait", str(task)])
    expect(r.returncode == 1, f"wait exited {r.returncode}")
    row = [line for line in sb.run(["ptt-task", "list"]).stdout.splitlines() if line.split()[:1] == [str(task)]]
    expect(row and f"refused: Bash: {command}"[:30] in row[0], f"list row: {row}")
    status = sb.run(["ptt-task", "status", str(task)]).stdout
    for want in ("reason:    permission_denied", "exit code: 2", f"activity:  refused: Bash: {command}",
                 "stderr:    gave up"):
        expect(want in status, f"status lacks {want!r}:\n{status}")
    status_json = json.loads(sb.run(["ptt-task", "status", str(task), "--json"]).stdout)
    expect(status_json["reason"] == "permission_denied", f"{status_json}")
    print(f"ok: task {task}'s refused call without a result line ended permission_denied, named, exit code 2 kept")
