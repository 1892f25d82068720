"""An announcement whose reply is cut off by a dropped connection is not lost: the server
drops the connection while it speaks the announcement (before response.done), and after
the reconnection the new session is told it again and answers it, once."""
import os

from ptt_harness import Sandbox, expect
from realtime_fixture import MockServer, Realtime
from taskd_fixture import Taskd, spawn, wait_tasks

with Sandbox("rt-announce-cut") as sb:
    project = os.path.realpath(sb.path("proj"))
    os.makedirs(project)
    taskd = Taskd(sb, "--allow-root", project)
    mock = MockServer(sb, "--no-calls", "--drop-on-response", "1")
    rt = Realtime(sb, mock.url, "--project", f"demo={project}", "--socket", sb.socket)
    rt.wait_type("session", state="ready")
    rt.wait_type("daemon", state="connected")
    c = taskd.client()
    task = spawn(c, "result success built", project, name="cut-task")
    expect(wait_tasks(c, [task])[task]["state"] == "succeeded", "the task did not succeed")
    mock.wait_for(lambda e: "dropping" in e, what="the mock dropping the connection mid-announcement")
    rt.wait_line(lambda l: l.get("type") == "session" and l.get("state") == "ready" and
                 rt.count("session", state="ready") == 2, timeout=30, what="second session ready")
    rt.wait_line(lambda l: l.get("type") == "response" and l.get("status") == "completed", what="the answer")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    told = [(e["connection"], e["received"]["item"]["content"][0]["text"]) for e in mock.entries()
            if e.get("received", {}).get("type") == "conversation.item.create"
            and e["received"]["item"].get("role") == "system"
            and e["received"]["item"]["content"][0]["text"].startswith("[task update]")]
    expect([n for n, _ in told] == [1, 2], f"announcement items per connection: {told}")
    expect(f"task {task} 'cut-task' succeeded" in told[1][1], f"re-said: {told}")
    creates = [e for e in mock.entries() if e.get("connection") == 2
               and e.get("received", {}).get("type") == "response.create"]
    expect(len(creates) == 1, f"response.create on connection 2: {len(creates)}")
    mock.expect_clean()
print("ok: the announcement cut off by a drop was told again to the new session and answered once")
