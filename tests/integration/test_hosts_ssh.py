"""ptt-task against a daemon on another host, through a real sshd on 127.0.0.1 (issue 22,
docs/hosts.md): `ptt-task --host box ...` runs `ssh ... 'ptt-task dial-stdio'`, whose
dial-stdio starts the host's daemon; spawn, list, status, result, logs -f, cancel and wait
work through --host, PTT_HOST and the config's `host` key; commands that work on the host's
files run there whole. Each way the connection can fail names the host and the step."""
import json
import os
import shlex
import socketserver
import subprocess

from ptt_harness import PROTOCOL_VERSION, Sandbox, expect, readline, start_thread, wait_until
from ssh_fixture import SshServer, one_host, remote_command, remote_env, ssh_clients, write_hosts_config
from task_cli_fixture import AGENT


class RefusingDaemon(socketserver.UnixStreamServer):
    """A daemon of another protocol version: refuses every hello as ptt-taskd does."""


class Refusal(socketserver.StreamRequestHandler):
    def handle(self):
        for raw in self.rfile:
            msg = json.loads(raw)
            reply = {"id": msg.get("id"), "ok": False,
                     "error": {"code": "version_mismatch",
                               "message": f"this daemon speaks version {PROTOCOL_VERSION + 1}"}}
            self.wfile.write((json.dumps(reply) + "\n").encode())
            return


with Sandbox("hosts-ssh") as sb, SshServer(sb) as sshd:
    remote, config, env = one_host(sb, sshd, PTT_CLAUDE=AGENT)
    work = sb.path("work")
    os.makedirs(work)

    def task(*args, check=None, env=env):
        return sb.run(["ptt-task", *args], env=env, check=check)

    try:
        # The first command starts the host's daemon (dial-stdio auto-starts it), none here.
        expect(not os.path.exists(remote["PTT_SOCKET"]), "the remote daemon ran before the test")
        r = task("--host", "box", "ping", check=0)
        expect("on host box" in r.stdout, f"ping says where: {r.stdout!r}")
        expect(os.path.exists(remote["PTT_SOCKET"]), "dial-stdio did not start the host's daemon")
        expect(not os.path.exists(sb.socket), "a local daemon was started for a remote host")

        # spawn, wait, list, status, result through --host.
        tid = task("--host", "box", "spawn", "--cwd", work, "ok all good", check=0).stdout.strip()
        expect(tid == "1", f"spawn printed {tid!r}")
        r = task("--host", "box", "wait", tid, check=0)
        expect("succeeded" in r.stdout, f"wait: {r.stdout!r}")
        listing = [json.loads(line) for line in task("--host", "box", "list", "--json", check=0).stdout.splitlines()]
        expect([t["id"] for t in listing] == [1] and listing[0]["state"] == "succeeded", f"list: {listing}")
        expect(json.loads(task("--host", "box", "status", tid, "--json", check=0).stdout)["cwd"] == work,
               "status has the task's cwd on the host")
        expect(task("--host", "box", "result", tid, check=0).stdout == "all good\n", "result")

        # The same through PTT_HOST, and through the config file's [ptt-task] host key.
        r = task("result", tid, env=dict(env, PTT_HOST="box"), check=0)
        expect(r.stdout == "all good\n", f"PTT_HOST: {r.stdout!r} {r.stderr!r}")
        keyed = sb.path("keyed.toml")
        with open(config) as f, open(keyed, "w") as out:
            out.write('[ptt-task]\nhost = "box"\n\n' + f.read())
        r = task("--config", keyed, "result", tid, check=0)
        expect(r.stdout == "all good\n", f"config host key: {r.stdout!r} {r.stderr!r}")
        r = task("--config", keyed, "--host", "local", "--no-autostart", "list", check=3)
        expect(f"no daemon answers at {sb.socket}" in r.stderr, f"--host local beats the config's host: {r.stderr!r}")

        # logs -f follows a running task on the host until it ends.
        gate = sb.path("gate")
        blocked = task("--host", "box", "spawn", "--cwd", work, f"block {gate}", check=0).stdout.strip()
        follow = sb.start(["ptt-task", "--host", "box", "logs", "-f", blocked], env=env, text=True)
        first = readline(follow.stdout, 30, "the first log line over ssh")
        expect(first.strip() != "", f"logs -f printed {first!r}")
        open(gate, "w").close()
        rest, err = follow.communicate(timeout=30)
        expect(follow.returncode == 0 and f"task {blocked} succeeded" in rest, f"logs -f: {rest!r} {err!r}")

        # cancel, and wait reports it.
        doomed = task("--host", "box", "spawn", "--cwd", work, f"block {sb.path('never')}", check=0).stdout.strip()
        task("--host", "box", "cancel", doomed, check=0)
        r = task("--host", "box", "wait", doomed)
        expect(r.returncode == 1 and "cancelled" in r.stdout, f"wait after cancel: {r.returncode} {r.stdout!r}")

        # A command that works on the host's files runs there whole (its output is the host's).
        r = task("--host", "box", "diff", tid)
        expect(r.returncode == 2 and "not in a worktree" in r.stderr, f"diff on the host: {r.returncode} {r.stderr!r}")

        # A relative --cwd cannot name a directory on the host.
        r = task("--host", "box", "spawn", "--cwd", "work", "ok", check=2)
        expect("absolute path on host box" in r.stderr, f"relative cwd: {r.stderr!r}")

        # No ssh is left behind by any of the commands above.
        wait_until(lambda: not ssh_clients(sshd.client_config), 10, "every ssh client to end")

        # --- Each failure names the host and the step, exit 3 (an unknown name: usage, 2).
        def failure(args, env, words, status=3):
            r = task(*args, env=env)
            expect(r.returncode == status and all(w in r.stderr for w in words),
                   f"{args}: exit {r.returncode}, wanted {status} and {words} in {r.stderr!r}")

        failure(["--host", "nowhere", "list"], env, ["unknown host 'nowhere'", "configured hosts: box"], 2)
        no_ssh = {k: v for k, v in env.items() if k != "PTT_SSH"}
        no_ssh["PATH"] = sb.path("empty-path")
        failure(["--host", "box", "list"], no_ssh, ["host box: cannot run ssh", "set PTT_SSH"])

        # A port nobody listens on (bound a moment ago, closed now).
        with socketserver.TCPServer(("127.0.0.1", 0), socketserver.BaseRequestHandler) as probe:
            closed = probe.server_address[1]
        failure(["--host", f"ssh://127.0.0.1:{closed}", "list"], env,
                [f"host ssh://127.0.0.1:{closed}: ssh could not connect to 127.0.0.1", "Connection refused"])

        stranger = sb.path("stranger_ed25519")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", stranger], check=True)
        stranger_config = sb.path("stranger_config")
        with open(sshd.client_config) as f, open(stranger_config, "w") as out:
            out.write(f.read().replace(sshd.user_key, stranger))
        failure(["--host", "box", "list"], dict(env, PTT_SSH=f"ssh -F {shlex.quote(stranger_config)}"),
                ["host box: ssh could not log in to ptt-test-host", "Permission denied"])

        missing = write_hosts_config(sb.path("missing.toml"), {"box": (sshd.url, "/nowhere/ptt-task")})
        failure(["--host", "box", "list"], dict(env, PTT_CONFIG=missing),
                ["host box: `/nowhere/ptt-task dial-stdio` is not found on ptt-test-host", "remote-command"])

        broken = remote_env(sb, "broken", PTT_TASKD="/bin/false")
        failing = write_hosts_config(sb.path("failing.toml"), {"box": (sshd.url, remote_command(broken))})
        failure(["--host", "box", "list"], dict(env, PTT_CONFIG=failing),
                ["host box: `", "ptt-task dial-stdio` failed there (exit 3)", "/bin/false exited at start-up"])

        other = remote_env(sb, "other")
        os.makedirs(os.path.dirname(other["PTT_SOCKET"]))
        refusing = RefusingDaemon(other["PTT_SOCKET"], Refusal)
        start_thread(refusing.serve_forever, name="refusing daemon")
        mismatch = write_hosts_config(sb.path("mismatch.toml"), {"box": (sshd.url, remote_command(other))})
        failure(["--host", "box", "list"], dict(env, PTT_CONFIG=mismatch),
                ["host box: the daemon speaks another protocol version", f"version {PROTOCOL_VERSION + 1}"])
        refusing.shutdown()
        refusing.server_close()

        wait_until(lambda: not ssh_clients(sshd.client_config), 10, "every failed ssh client to end")
    finally:  # the host's daemon outlives the test otherwise (dial-stdio started it detached)
        task("--host", "box", "shutdown")
        task("--no-autostart", "shutdown")
