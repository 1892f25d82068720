"""`ptt-task list --all-hosts` (docs/hosts.md): this machine's tasks and every configured
host's in one table with a HOST column ("host" in --json), through a real sshd; a host that
cannot be reached is one line on stderr, the others are still shown, and the exit status
is 3 (0 when every host answered)."""
import json
import os
import socketserver

from ptt_harness import Sandbox, expect
from ssh_fixture import SshServer, remote_command, remote_env, write_hosts_config
from task_cli_fixture import AGENT

with Sandbox("hosts-list") as sb, SshServer(sb) as sshd:
    sb.env["PTT_CLAUDE"] = AGENT
    remote = remote_env(sb, PTT_CLAUDE=AGENT)
    with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as probe:
        closed = probe.server_address[1]  # nobody listens there once the probe is closed
    up = write_hosts_config(sb.path("up.toml"), {"box": (sshd.url, remote_command(remote))})
    both = write_hosts_config(sb.path("both.toml"), {"box": (sshd.url, remote_command(remote)),
                                                     "down": (f"ssh://127.0.0.1:{closed}", None)})
    env = dict(sb.env, PTT_SSH=sshd.ptt_ssh, PTT_CONFIG=up)
    work = sb.path("work")
    os.makedirs(work)

    def task(*args, check=None, env=env):
        return sb.run(["ptt-task", *args], env=env, check=check)

    try:
        task("spawn", "--wait", "--cwd", work, "--name", "here", "ok local", check=0)
        task("--host", "box", "spawn", "--wait", "--cwd", work, "--name", "there", "ok remote", check=0)

        # Every host answers: exit 0, local first, then the hosts by name.
        r = task("list", "--all-hosts", check=0)
        lines = r.stdout.splitlines()
        expect(lines[0].split()[:3] == ["HOST", "ID", "NAME"], f"header: {lines[0]!r}")
        rows = [line.split()[:4] for line in lines[1:]]
        expect(rows == [["local", "1", "here", "succeeded"], ["box", "1", "there", "succeeded"]], f"rows: {rows}")
        expect(r.stderr == "", f"nothing on stderr: {r.stderr!r}")
        # --host does not narrow it.
        expect(task("--host", "box", "list", "--all-hosts", check=0).stdout == r.stdout, "--host is ignored")

        # One host down: one line about it, the others' tasks, exit 3.
        r = task("list", "--all-hosts", env=dict(env, PTT_CONFIG=both), check=3)
        rows = [line.split()[:2] for line in r.stdout.splitlines()[1:]]
        expect(rows == [["local", "1"], ["box", "1"]], f"rows with a host down: {rows}")
        warnings = r.stderr.splitlines()
        expect(len(warnings) == 1 and warnings[0].startswith("ptt-task: warning: host down: ssh could not connect")
               and warnings[0].endswith("its tasks are not shown"), f"warning: {r.stderr!r}")

        r = task("list", "--all-hosts", "--json", env=dict(env, PTT_CONFIG=both), check=3)
        records = [json.loads(line) for line in r.stdout.splitlines()]
        expect([(t["host"], t["id"], t["name"]) for t in records] == [("local", 1, "here"), ("box", 1, "there")],
               f"--json: {records}")
        expect(list(records[0])[0] == "host" and records[0]["prompt"] == "ok local", "the whole record, host first")

        # --state applies on every host.
        r = task("list", "--all-hosts", "--state", "running", check=0)
        expect(r.stdout.splitlines()[1:] == [], f"no running task anywhere: {r.stdout!r}")

    finally:  # both daemons outlive the test otherwise (started detached)
        task("--host", "box", "shutdown")
        task("--no-autostart", "shutdown")
