"""What `ptt-task --host box ...` prints as a person reads it, through a real sshd (issue
22): a hint names a command that reaches the same host (`ptt-task --host box logs 3`, not
`ptt-task logs 3`, which would look on this machine), the remote daemon's hints included;
and a streaming command whose reader goes away (`logs -f 3 | head -1`, `watch | head -1`)
ends at once with status 0, leaving no ssh behind, even while the task prints nothing."""
import os
import subprocess

from ptt_harness import Sandbox, expect, fail, start_thread, wait_until
from ssh_fixture import SshServer, one_host, ssh_clients
from task_cli_fixture import AGENT


def ends_when_reader_leaves(sb, args, env, what, until_a_line=None):
    """Runs `ptt-task ARGS | head -1`: the first line read, then the pipe closed.
    `until_a_line()` is called until the first line comes (watch prints only events, and
    says nothing of when it has subscribed)."""
    proc = sb.start(["ptt-task", *args], env=env, text=True)
    reader = start_thread(proc.stdout.readline, name=f"reading {what}'s first line")
    if until_a_line:
        wait_until(lambda: not reader.is_alive() or until_a_line(), 30, f"{what}'s first line")
    expect(reader.join(30).strip() != "", f"{what} printed nothing")
    proc.stdout.close()
    try:
        code = proc.wait(10)
    except subprocess.TimeoutExpired:
        fail(f"{what} went on after its reader left (a quiet task would keep it for hours)")
    expect(code == 0, f"{what} exited {code} after its reader left, wanted 0")


with Sandbox("hosts-hints") as sb, SshServer(sb) as sshd:
    remote, config, env = one_host(sb, sshd, PTT_CLAUDE=AGENT)
    work = sb.path("work")
    os.makedirs(work)

    def task(*args, check=None, env=env):
        return sb.run(["ptt-task", "--host", "box", *args], env=env, check=check)

    # The daemon's hint (a failed task's result) and ptt-task's own (spawn --wait) name the host.
    failed = task("spawn", "--cwd", work, "fail", check=0).stdout.strip()
    task("wait", failed, check=1)
    r = task("result", failed, check=1)
    expect(f"see `ptt-task --host box logs {failed}`" in r.stderr, f"result's hint: {r.stderr!r}")
    r = task("spawn", "--wait", "--cwd", work, "fail", check=1)
    expect("`ptt-task --host box logs " in r.stderr and "`ptt-task logs" not in r.stderr,
           f"spawn --wait's hint: {r.stderr!r}")

    gate = sb.path("gate")
    blocked = task("spawn", "--cwd", work, f"block {gate}", check=0).stdout.strip()
    r = task("result", blocked, check=1)
    expect(f"try `ptt-task --host box wait {blocked}`" in r.stderr, f"a running task's result: {r.stderr!r}")
    r = task("send", failed, "more", check=1)
    expect(f"`ptt-task --host box follow-up {failed} TEXT`" in r.stderr, f"send's hint: {r.stderr!r}")
    r = task("logs", blocked, check=0)
    expect(f"follow it with `ptt-task --host box logs -f {blocked}`" in r.stdout, f"logs' hint: {r.stdout!r}")
    # Locally nothing changes.
    r = sb.run(["ptt-task", "result", "7"])
    expect("see `ptt-task list`" in r.stderr, f"a local hint: {r.stderr!r}")

    # `| head -1` on a task that prints nothing more ends the command (and its ssh) at once.
    ends_when_reader_leaves(sb, ["--host", "box", "logs", "-f", blocked], env, "logs -f over ssh")
    ends_when_reader_leaves(sb, ["--host", "box", "watch", "--json"], env, "watch over ssh",
                            until_a_line=lambda: task("spawn", "--cwd", work, "ok", check=0) and False)
    wait_until(lambda: not ssh_clients(sshd.client_config), 10, "every ssh client to end")
    # The same on this machine's daemon.
    local_env = dict(sb.env, PTT_CLAUDE=AGENT)
    local = sb.run(["ptt-task", "spawn", "--cwd", work, f"block {gate}"], env=local_env, check=0).stdout.strip()
    ends_when_reader_leaves(sb, ["logs", "-f", local], local_env, "logs -f")

    open(gate, "w").close()
    task("wait", blocked, check=0)
    task("shutdown", check=0)
    sb.run(["ptt-task", "shutdown"], check=0)
