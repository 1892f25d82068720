"""`ptt-task top` in a private tmux server, for the dashboard's tests: start it with the
sandbox's environment, read the screen, send keys, wait for what a person would see."""
import fcntl
import os
import shlex
import struct
import subprocess
import termios

from ptt_harness import asleep_in, binary, fail, wait_until

PTT_TASK = binary("ptt-task")


class Tmux:
    """A private tmux server (its own socket name) holding one session per top."""

    def __init__(self, sb):
        self.name = f"ptt-top-{os.getpid()}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TMUX")}
        self.sb = sb

    def run(self, *args, check=True):
        proc = subprocess.run(["tmux", "-L", self.name, "-f", "/dev/null", *args], env=self.env,
                              capture_output=True, text=True, timeout=10)
        if check and proc.returncode != 0:
            fail(f"tmux {' '.join(args)}: {proc.stderr}")
        return proc.stdout

    def start_top(self, session, env_overrides=None):
        env = {k: self.sb.env[k] for k in ("PTT_SOCKET", "PTT_STATE_DIR", "HOME", "XDG_RUNTIME_DIR",
                                             "XDG_STATE_HOME", "XDG_CONFIG_HOME")}
        env.update({"NO_COLOR": "1", "LANG": "C.UTF-8", "PTT_NO_AUTOSTART": "1"})
        env.update(env_overrides or {})
        assigns = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items() if v is not None)
        unset = " ".join(f"-u {k}" for k, v in env.items() if v is None)
        # The shell outlives a Ctrl-C meant for top (as an interactive one does); its
        # trap is not inherited, so top and `logs -f` get SIGINT as usual.
        shell = f"trap : INT; {shlex.quote(PTT_TASK)} top; echo TOP-EXITED rc=$?; sleep 60"
        self.run("new-session", "-d", "-s", session, "-x", "120", "-y", "40",
                 f"env {unset} {assigns} sh -c {shlex.quote(shell)}")

    def screen(self, session, escapes=False):
        return self.run("capture-pane", "-p", *(["-e"] if escapes else []), "-t", session)

    def alternate_on(self, session):
        return self.run("display-message", "-p", "-t", session, "#{alternate_on}").strip() == "1"

    def keys(self, session, *keys, literal=False):
        self.run("send-keys", "-t", session, *(["-l"] if literal else []), *keys)

    def wait_keys_taken(self, session, timeout=10.0):
        """Waits until the program in the pane (a child of its shell) has read every key sent
        to its terminal and sleeps in poll() again: the keys are handled then, even those
        that change nothing on the screen. (The query of the pane's tty is itself a round
        trip through the tmux server, after the one that wrote the keys.)"""
        pane = self.run("display-message", "-p", "-t", session, "#{pane_tty} #{pane_pid}").split()
        tty, shell = pane[0], int(pane[1])
        fd = os.open(tty, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            def taken():
                unread = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0]
                return unread == 0 and any(asleep_in_poll(pid) for pid in children(shell))
            wait_until(taken, timeout, f"the program in {session} to take its keys")
        finally:
            os.close(fd)

    def wait_for(self, session, predicate, what, timeout=10.0):
        last = [""]

        def check():
            last[0] = self.screen(session)
            return predicate(last[0])
        try:
            wait_until(check, timeout, what)
            return last[0]
        except SystemExit:
            print(f"screen was ({what}):\n{last[0]}", flush=True)
            raise

    def kill(self):
        self.run("kill-server", check=False)


def children(pid):
    """The processes whose parent is pid."""
    out = []
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{p}/stat") as f:
                if int(f.read().rsplit(") ", 1)[1].split()[1]) == pid:
                    out.append(int(p))
        except OSError:
            pass
    return out


def asleep_in_poll(pid):
    """True while pid's main thread sleeps in poll (or ppoll, epoll): it has taken its input."""
    return asleep_in(pid, lambda wchan: "poll" in wchan)
