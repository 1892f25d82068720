"""A real OpenSSH server on 127.0.0.1 for the remote-host tests (issue 22, docs/hosts.md),
set up as shared/RECIPES.md says: a generated host key and user key in the test's own
directory, a private sshd_config and client config, and nothing of the machine's ssh
setup read or changed.

    with Sandbox("hosts") as sb, SshServer(sb) as sshd:
        env = dict(sb.env, PTT_SSH=sshd.ptt_ssh, PTT_HOST=sshd.url)
        # the remote side: its own socket, state dir and HOME, named on the command line
        remote = sshd.remote_sandbox(sb, "remote")
        ...

The remote shell does not carry the client's environment, so what the remote ptt-task
needs (PTT_SOCKET, PTT_STATE_DIR, HOME, PTT_CLAUDE...) goes on its command line:
`remote_command(env)` builds `env A=1 B=2 /abs/ptt-task` for a [hosts.NAME] entry's
remote-command (or a URL host's remote command: see write_hosts_config).
"""
import contextlib
import getpass
import os
import shlex
import shutil
import socket
import subprocess

from ptt_harness import binary, fail, readline, skip

SSHD = "/usr/sbin/sshd"
HOST_ALIAS = "ptt-test-host"

if not os.path.exists(SSHD) or not shutil.which("ssh") or not shutil.which("ssh-keygen"):
    skip("OpenSSH (Debian openssh-server and openssh-client) is not installed: make -f Makefile.dist deps")


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SshServer:
    """sshd -D -e on a free 127.0.0.1 port, ready once it says it listens."""

    def __init__(self, sb, name="sshd"):
        self.sb = sb
        self.dir = sb.path(name)
        os.makedirs(self.dir, mode=0o700)
        self.user = getpass.getuser()
        self.port = _free_port()
        self.host_key = os.path.join(self.dir, "host_ed25519")
        self.user_key = os.path.join(self.dir, "user_ed25519")
        for key in (self.host_key, self.user_key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True,
                           capture_output=True)
        self.authorized_keys = os.path.join(self.dir, "authorized_keys")
        shutil.copyfile(self.user_key + ".pub", self.authorized_keys)
        self.sshd_config = os.path.join(self.dir, "sshd_config")
        with open(self.sshd_config, "w") as f:
            f.write(f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {self.host_key}\n"
                    f"AuthorizedKeysFile {self.authorized_keys}\nPermitRootLogin prohibit-password\n"
                    f"PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
                    f"PidFile {os.path.join(self.dir, 'sshd.pid')}\nLogLevel VERBOSE\n"
                    # The remote shell starts with a clean environment: none of the test's (the
                    # OpenAI key included) reaches it unless named on the command line.
                    "PermitUserEnvironment no\nAcceptEnv none\n")
        self.client_config = os.path.join(self.dir, "ssh_config")
        with open(self.client_config, "w") as f:
            f.write(f"Host {HOST_ALIAS}\n  HostName 127.0.0.1\n  Port {self.port}\n  User {self.user}\n"
                    f"  IdentityFile {self.user_key}\n  IdentitiesOnly yes\n  StrictHostKeyChecking no\n"
                    f"  UserKnownHostsFile /dev/null\n  BatchMode yes\n  LogLevel ERROR\n"
                    f"  ConnectTimeout 10\n")
        self.alias = HOST_ALIAS
        self.url = f"ssh://{HOST_ALIAS}"
        # PTT_SSH: the user's ssh with this config (what GIT_SSH_COMMAND would be).
        self.ptt_ssh = f"ssh -F {shlex.quote(self.client_config)}"
        self.proc = None

    def start(self):
        with contextlib.suppress(OSError):
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # privilege separation dir
        self.proc = subprocess.Popen([SSHD, "-f", self.sshd_config, "-D", "-e"], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        while True:
            line = readline(self.proc.stderr, 10, "sshd to say it listens")
            if not line:
                fail(f"sshd exited ({self.proc.wait()}) before listening")
            if "Server listening on" in line:
                break
        # Keep reading sshd's log so it never blocks on a full pipe; kept for the artifacts.
        self.log_path = os.path.join(self.dir, "sshd.log")
        self._drain = subprocess.Popen(["cat"], stdin=self.proc.stderr, stdout=open(self.log_path, "w"))
        return self

    def stop(self):
        """Stops sshd (connections already open stay up until their clients go)."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(10)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "_drain", None):
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._drain.wait(10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def ssh(self, *remote_args, timeout=30):
        """Runs a command on the host (as the tests' ssh would); returns CompletedProcess."""
        return subprocess.run(["ssh", "-F", self.client_config, HOST_ALIAS, *remote_args], capture_output=True,
                              text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def ssh_clients(config):
    """Pids of ssh processes using this client config (to see none is left behind)."""
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and os.path.basename(argv[0]) == b"ssh" and config.encode() in argv:
            pids.append(int(pid))
    return pids


def remote_command(env, program=None):
    """`env K=V ... /abs/ptt-task`: a remote-command that gives the remote ptt-task `env`
    (the remote shell starts without the client's environment)."""
    program = program or binary("ptt-task")
    words = ["env"] + [f"{k}={v}" for k, v in sorted(env.items())] + [program]
    return " ".join(shlex.quote(w) for w in words)


def remote_env(sb, name="remote", **extra):
    """The environment of a 'remote machine' inside the sandbox: its own socket, state dir,
    HOME and XDG dirs (the remote daemon's tasks and files stay apart from the local one's)."""
    root = sb.path(name)
    os.makedirs(os.path.join(root, "home"), exist_ok=True)
    env = {
        "PTT_SOCKET": os.path.join(root, "run", "taskd.sock"),
        "PTT_STATE_DIR": os.path.join(root, "state"),
        "HOME": os.path.join(root, "home"),
        "XDG_RUNTIME_DIR": os.path.join(root, "xdg-run"),
        "XDG_STATE_HOME": os.path.join(root, "xdg-state"),
        "XDG_CONFIG_HOME": os.path.join(root, "xdg-config"),
        "NO_COLOR": "1",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


def write_hosts_config(path, hosts):
    """Writes a config file whose [hosts.NAME] tables are `hosts`: {name: (url, remote_command)}."""
    def q(text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    with open(path, "w") as f:
        for name, (url, command) in hosts.items():
            f.write(f"[hosts.{name}]\nurl = {q(url)}\n")
            if command:
                f.write(f"remote-command = {q(command)}\n")
            f.write("\n")
    return path


def one_host(sb, sshd, name="box", **remote_extra):
    """The usual set-up of a test with one host: the remote environment (remote_env with
    `remote_extra`), a config file naming it `name`, and the client's environment (PTT_SSH,
    PTT_CONFIG). Returns (remote, config_path, env)."""
    remote = remote_env(sb, **remote_extra)
    config = write_hosts_config(sb.path("config.toml"), {name: (sshd.url, remote_command(remote))})
    return remote, config, dict(sb.env, PTT_SSH=sshd.ptt_ssh, PTT_CONFIG=config)
