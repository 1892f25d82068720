"""A voice session whose project is on another host (issue 22): the task is spawned there.

A real sshd on 127.0.0.1 (ssh_fixture) stands for the host; its ptt-taskd has its own
socket and state dir, reached only through `ssh ... 'ptt-task dial-stdio'` (the [hosts.devbox]
entry of the session's config file). The mock Realtime server calls spawn_task for the
project on devbox; the task must run on devbox's daemon (this machine has none), the tool
result and the finish announcement name it "on devbox", and the announcement is spoken.
Then the model checks the task with check_task(host=devbox) and gets devbox's record, and
review_task(host=devbox) runs `ptt-task --host devbox diff` there."""
import json
import os

from ptt_harness import NdjsonClient, PROTOCOL_VERSION, Sandbox, expect
from realtime_fixture import MockServer, Realtime
from ssh_fixture import SshServer, remote_command, remote_env, write_hosts_config
from taskd_fixture import Taskd, wait_tasks

with Sandbox("rt-remote") as sb, SshServer(sb) as sshd:
    remote = remote_env(sb)
    for d in ("run", "state"):
        os.makedirs(sb.path("remote", d), exist_ok=True)
    project = os.path.realpath(sb.path("remote", "home"))
    # devbox's daemon; its socket is not this machine's (nothing listens at sb.socket).
    taskd = Taskd(sb, "--socket", remote["PTT_SOCKET"], "--state-dir", remote["PTT_STATE_DIR"],
                  "--allow-root", project, env=dict(sb.env, **remote))
    config = write_hosts_config(sb.path("config.toml"), {"devbox": (sshd.url, remote_command(remote))})

    mock = MockServer(sb,
                      "--tool-calls", json.dumps([
                          ["spawn_task", {"prompt": "result success trained on devbox", "project": "gpu", "name": "train"}],
                          ["check_task", {"task": 1, "host": "devbox"}],
                          ["review_task", {"task": 1, "host": "devbox"}]]))
    env = dict(sb.env, PTT_CONFIG=config, PTT_SSH=sshd.ptt_ssh)
    rt = Realtime(sb, mock.url, f"--project=gpu=devbox:{project}", env=env)
    rt.wait_type("session", state="ready")
    rt.wait_type("daemon", state="connected", host="devbox")

    rt.send({"type": "text", "text": "train the model on devbox"})
    spawned = rt.wait_line(lambda l: l.get("type") == "tool_result" and l["name"] == "spawn_task",
                           what="spawn_task's result")["output"]
    expect(spawned.get("ok") is True and spawned.get("host") == "devbox", f"spawn_task's result: {spawned}")
    task_id = spawned["task"]

    # The task is devbox's: its daemon has it, in the project's directory, and it finishes.
    c = NdjsonClient(remote["PTT_SOCKET"])
    expect(c.request("hello", version=PROTOCOL_VERSION, client="test")["ok"], "hello to devbox's daemon")
    done = wait_tasks(c, [task_id])[task_id]
    expect(done["state"] == "succeeded" and done["cwd"] == project, f"the task on devbox: {done}")

    said = rt.wait_line(lambda l: l.get("type") == "announcement", what="the finish announcement")["text"]
    expect(f"task {task_id} on devbox 'train' succeeded" in said and "trained on devbox" in said,
           f"announcement: {said}")
    def told(entry):
        item = entry.get("received", {}).get("item", {})
        return item.get("role") == "system" and item["content"][0]["text"] == said
    mock.wait_for(told, what="the announcement at the server")
    finished = rt.wait_line(lambda l: l.get("type") == "task" and l.get("event") == "finished",
                            what="the task's finished line")
    expect(finished["task"].get("host") == "devbox", f"finished line: {finished}")

    # The next turn: check_task names the host, and devbox's record comes back.
    rt.send({"type": "text", "text": "how is task 1 on devbox?"})
    checked = rt.wait_line(lambda l: l.get("type") == "tool_result" and l["name"] == "check_task",
                           what="check_task's result")["output"]
    expect(checked.get("ok") is True and checked.get("host") == "devbox" and checked.get("state") == "succeeded",
           f"check_task's result: {checked}")

    # review_task runs `ptt-task --host devbox diff 1`: devbox's ptt-task answers for its task 1
    # (this machine has no daemon, and no task 1).
    rt.send({"type": "text", "text": "what did it change?"})
    reviewed = rt.wait_line(lambda l: l.get("type") == "tool_result" and l["name"] == "review_task",
                            what="review_task's result")["output"]
    expect(f"task 1 ran in {project} itself, not in a worktree" in reviewed.get("error", ""),
           f"review_task's result: {reviewed}")

    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    mock.expect_clean()
    expect(taskd.proc.poll() is None, "devbox's daemon exited")
print("ok: a task spawned by voice in a project on an ssh host ran there; its finish was announced 'on devbox'")
