"""logs -f, wait and watch through `--host` outlive their ssh connection (issue 22,
docs/taskd.md "Reconnecting"): the ssh client process each one runs is killed while it
follows a task on the host; each says so, runs ssh again and goes on. logs -f shows every
line of the host's log exactly once, in order (those the agent wrote while the
connection was down included); spawn --wait waits on and ends with the task's success;
watch tells the task's end once.
The task on the host is unaffected."""
import contextlib
import json
import os
import signal

from ptt_harness import Sandbox, binary, expect, read_until, readline, wait_until
from ssh_fixture import SshServer, remote_command, remote_env, write_hosts_config
from taskd_fixture import parent_pid


def children(pid):
    """The processes whose parent is pid."""
    out = []
    for p in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError, IndexError):
            if parent_pid(int(p)) == pid:
                out.append(int(p))
    return out


def ssh_client_of(pid):
    """The ssh process ptt-task `pid` runs (PTT_SSH may put a /bin/sh in between)."""
    def find():
        for child in children(pid):
            for p in [child, *children(child)]:
                with open(f"/proc/{p}/comm") as f:
                    if f.read().strip() == "ssh":
                        return p
        return None
    return wait_until(find, what=f"the ssh client of {pid}")


with Sandbox("hosts-reconnect") as sb, SshServer(sb) as sshd:
    remote = remote_env(sb, PTT_CLAUDE=binary("fake-agent"))
    config = write_hosts_config(sb.path("config.toml"), {"box": (sshd.url, remote_command(remote))})
    env = dict(sb.env, PTT_SSH=sshd.ptt_ssh, PTT_CONFIG=config, PTT_HOST="box")
    gates = [sb.path(f"gate-{i}") for i in range(2)]
    script = "; ".join(f"tool Bash step-{i}-a; tool Bash step-{i}-b; wait-file {g}" for i, g in enumerate(gates))
    # spawn --wait: its id printed, its connection has worked; then it waits on it.
    waits = sb.start(["ptt-task", "spawn", "--wait", "--cwd", sb.root, script + "; result success all steps"],
                     env=env, text=True)
    task = readline(waits.stdout, what="the new task's id").strip()
    log_file = os.path.join(remote["PTT_STATE_DIR"], "logs", task, "stream.ndjson")
    raw = sb.start(["ptt-task", "logs", "-f", "--raw", task], env=env, text=True)
    watch = sb.start(["ptt-task", "watch", "--json"], env=env, text=True)
    head = read_until(raw, '"command":"step-0-b"')
    # watch has subscribed once it tells a new task's events.
    sb.run(["ptt-task", "spawn", "--cwd", sb.root, "result success probe"], env=env, check=0)
    read_until(watch, '"finished"')
    # Each ptt-task is stopped while its ssh is killed and the agent writes on, so the
    # lines written meanwhile reach it only over the new connection.
    clients = {p: ssh_client_of(p.pid) for p in (raw, waits, watch)}
    for p, ssh in clients.items():
        p.send_signal(signal.SIGSTOP)
        os.kill(ssh, signal.SIGKILL)
    open(gates[0], "w").close()
    wait_until(lambda: "step-1-b" in open(log_file).read(), what="the agent to go on with no connection")
    for p, ssh in clients.items():
        p.send_signal(signal.SIGCONT)
    for p in (raw, waits, watch):
        lost = readline(p.stderr, what="the notice of the lost connection")
        back = readline(p.stderr, what="the notice of the new connection")
        expect(lost.startswith("ptt-task: connection to box lost (") and lost.endswith("); reconnecting\n")
               and back == "ptt-task: reconnected to box\n", f"{p.args}: {lost!r} {back!r}")
        expect(ssh_client_of(p.pid) != clients[p], f"{p.args} did not run ssh again")
    open(gates[1], "w").close()

    for p in (raw, waits):
        p.wait(timeout=30)
    out = head + raw.stdout.read()
    with open(log_file) as f:
        logged = f.read()
    expect(raw.returncode == 0 and out == logged,
           f"logs -f --raw (exit {raw.returncode}) lost or repeated lines:\n{out}\n--- the host's log:\n{logged}")
    # spawn --wait says nothing more of a task that succeeded.
    expect(waits.returncode == 0 and waits.stdout.read() == "", f"spawn --wait exited {waits.returncode}")
    read_until(watch, '"finished"')
    watch.send_signal(signal.SIGTERM)
    watch.wait(timeout=30)
    rest = [json.loads(l) for l in watch.stdout.read().splitlines()]
    expect(not any(e["event"] == "finished" for e in rest), f"watch told the end twice: {rest}")
    for p in (raw, waits, watch):
        err = p.stderr.read()
        expect(not err, f"{p.args} said more: {err!r}")
print("ok: logs -f, wait and watch through --host reconnect after their ssh is killed, losing and repeating nothing")
