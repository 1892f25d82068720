"""Starts a real ptt-taskd (with the fake agent) inside a Sandbox, for the taskd tests.

Readiness comes from the daemon's --ready-fd line, never a sleep. The daemon logs
to a file so a chatty daemon can never block on a full stderr pipe.
"""
import json
import os
import select
import signal
import subprocess
import time

from ptt_harness import PROTOCOL_VERSION, TIMEOUT_FACTOR, NdjsonClient, binary, expect, fail, wait_until

FAKE_AGENT = "fake-agent"


class Taskd:
    def __init__(self, sb, *args, claude=None, env=None, expect_ready=True, cwd=None, prefix=(), daemon=None,
                 preexec_fn=None):
        self.sb = sb
        self.log_path = sb.path("taskd.log")
        read_end, write_end = os.pipe()
        # claude: the agent executable (default: the fake agent); "" leaves --claude out.
        agent = ["--claude", claude or binary(FAKE_AGENT)] if claude != "" else []
        # prefix: a wrapper command (e.g. setpriv) the daemon runs under; daemon: another ptt-taskd binary;
        # preexec_fn: run in the child before exec (e.g. resource.setrlimit).
        taskd = [*prefix, daemon or binary("ptt-taskd")] if prefix or daemon else ["ptt-taskd"]
        cmd = [*taskd, *agent, "--ready-fd", str(write_end), *args]
        self.log_file = open(self.log_path, "a")
        self.proc = sb.start(cmd, env=env, stdout=subprocess.DEVNULL, stderr=self.log_file, pass_fds=(write_end,),
                             cwd=cwd, preexec_fn=preexec_fn)
        os.close(write_end)
        self.ready_line = self._read_ready(read_end)
        if expect_ready:
            expect(self.ready_line.startswith("ready "), f"daemon not ready: {self.ready_line!r}\n{self.log()}")

    @staticmethod
    def _read_ready(fd, timeout=10.0):
        data = b""
        deadline = time.monotonic() + timeout * TIMEOUT_FACTOR
        try:
            while b"\n" not in data:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([fd], [], [], left)[0]:
                    fail("timed out waiting for the daemon's ready line")
                chunk = os.read(fd, 256)
                if not chunk:
                    break  # the daemon exited (or closed the fd) without a ready line
                data += chunk
        finally:
            os.close(fd)
        return data.decode()

    def client(self, timeout=10.0):
        c = NdjsonClient(self.sb.socket, timeout=timeout)
        reply = c.request("hello", version=PROTOCOL_VERSION, client="test")
        expect(reply["ok"], f"hello failed: {reply}")
        return c

    def log(self):
        self.log_file.flush()
        with open(self.log_path) as f:
            return f.read()

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def wait_exit(self, timeout=10):
        return self.proc.wait(timeout=timeout)


def spawn(client, prompt, cwd, **fields):
    reply = client.request("spawn", prompt=prompt, cwd=cwd, **fields)
    expect(reply["ok"], f"spawn failed: {reply}")
    return reply["task"]["id"]


def wait_tasks(client, ids, timeout=30.0):
    old = client.sock.gettimeout()
    client.sock.settimeout(timeout * TIMEOUT_FACTOR)
    try:
        reply = client.request("wait", tasks=list(ids))
    finally:
        client.sock.settimeout(old)
    expect(reply["ok"], f"wait failed: {reply}")
    return {t["id"]: t for t in reply["tasks"]}


def get(client, task):
    reply = client.request("get", task=task)
    expect(reply["ok"], f"get {task} failed: {reply}")
    return reply["task"]


def wait_state(client, task, state, timeout=10.0):
    return wait_until(lambda: get(client, task)["state"] == state, timeout, f"task {task} to be {state}")


def log_lines(client, task, stream=None):
    """The task's whole log (no follow) as a list of log events."""
    fields = {"task": task}
    if stream:
        fields["stream"] = stream
    reply = client.request("logs", **fields)
    expect(reply["ok"], f"logs failed: {reply}")
    events = []
    while True:
        msg = client.read()
        if msg.get("event") == "log_end":
            return events
        if msg.get("event") == "log":
            events.append(msg)


def parent_pid(pid):
    """The parent of a live process (an agent's parent is the supervisor server)."""
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().split(") ", 1)[1].split()[1])


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def supervisor_status(state_dir, task):
    """The task's supervisor.ndjson as one dict (started_at, supervisor, agent, exit),
    whole lines only; {} while the file does not exist."""
    status = {}
    try:
        with open(os.path.join(state_dir, "logs", str(task), "supervisor.ndjson")) as f:
            text = f.read()
    except FileNotFoundError:
        return status
    for line in text.split("\n")[:-1]:
        if line:  # each write starts with a newline, so there are empty lines between
            status.update(json.loads(line))
    return status


def records_on_disk(state_dir):
    """The task records in state_dir/tasks.ndjson, by id, as the daemon last wrote them
    (a later line wins; a forget line drops the task; torn lines are skipped)."""
    out = {}
    try:
        with open(os.path.join(state_dir, "tasks.ndjson")) as f:
            lines = f.read().split("\n")
    except FileNotFoundError:
        return out
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if "forget" in rec:
            out.pop(rec["forget"], None)
        else:
            out[rec["id"]] = rec
    return out


def tasks_before_a_fault(c, sb, running_result):
    """For the storage-fault tests: four acknowledged tasks, returned once both agents have
    written their first lines. done: finished; running: holds at the file `gate`, then
    succeeds with running_result; blocker: holds at `queued_gate`; queued: after blocker."""
    done = spawn(c, "result success before the fault", sb.root)
    wait_tasks(c, [done])
    gate, queued_gate = sb.path("gate"), sb.path("qgate")
    running = spawn(c, f"tool Bash working; wait-file {gate}; result success {running_result}", sb.root)
    blocker = spawn(c, f"wait-file {queued_gate}; result success after the fault", sb.root)
    queued = spawn(c, "result success never ran", sb.root, after=[blocker])
    wait_until(lambda: get(c, running)["activity"] == "Bash: working", what="the running task's agent")
    wait_until(lambda: get(c, blocker)["session_id"], what="the blocking task's agent")
    return {"done": done, "running": running, "blocker": blocker, "queued": queued, "gate": gate,
            "queued_gate": queued_gate}
