"""ptt-realtime on a real terminal (tmux): a typed line is a text turn, and the session
reads as a conversation (you / assistant / the tool call / the task starting and
finishing with its result), coloured unless NO_COLOR is set; Ctrl-D ends it with exit
0. In a pipe stdout stays NDJSON; --pretty gives the readable view there, --json gives
NDJSON on a terminal. Without --speaker or --audio-out, one warning says replies are not
played."""
import json
import os
import shlex
import shutil
import subprocess
import time

from ptt_harness import TIMEOUT_FACTOR, Sandbox, binary, expect, fail, skip, wait_until
from realtime_fixture import KEY, MockServer, Realtime
from taskd_fixture import Taskd

if not shutil.which("tmux"):
    skip("tmux is not installed (Debian package tmux)")


class Terminal:
    """One tmux server of our own (-L) running a command in a 120x40 pane."""

    def __init__(self, sb, name, command, env):
        self.sb, self.server = sb, f"ptt-{name}-{os.getpid()}"
        self.status_path = sb.path(f"{name}.status")
        script = f"{command}; echo $? > {shlex.quote(self.status_path)}; sleep 60"
        self.tmux("new-session", "-d", "-x", "120", "-y", "40", script, env=env)

    def tmux(self, *args, env=None):
        return subprocess.run(["tmux", "-L", self.server, "-f", "/dev/null", *args], env=env or self.sb.env,
                              capture_output=True, text=True, check=True, timeout=10).stdout

    def screen(self, escapes=False):
        return self.tmux("capture-pane", "-p", "-J", *(["-e"] if escapes else []))

    def wait_screen(self, *needles, timeout=20):
        deadline = time.monotonic() + timeout * TIMEOUT_FACTOR
        delay = 0.005
        while not all(n in self.screen() for n in needles):
            if time.monotonic() > deadline:
                fail(f"timed out waiting for {needles} on the terminal; it shows:\n{self.screen()}")
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    def type(self, text):
        self.tmux("send-keys", "-l", text)
        self.tmux("send-keys", "Enter")

    def status(self):
        wait_until(lambda: os.path.exists(self.status_path) and open(self.status_path).read().strip(), 15,
                   "the command in the terminal to end")
        return int(open(self.status_path).read())

    def close(self):
        subprocess.run(["tmux", "-L", self.server, "kill-server"], capture_output=True, timeout=10)


with Sandbox("rt-term") as sb:
    project = os.path.realpath(sb.path("proj"))
    os.makedirs(project)
    taskd = Taskd(sb, "--allow-root", project)
    mock = MockServer(sb, "--spawn-prompt", "result success all 12 tests pass", "--spawn-project", "demo")
    realtime = binary("ptt-realtime")
    env = dict(sb.env, OPENAI_API_KEY=KEY, TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    base = [realtime, "--url", mock.url, "--socket", sb.socket, "--project", f"demo={project}"]
    err = sb.path("term.err")
    term = Terminal(sb, "view", shlex.join(base) + " 2>" + shlex.quote(err), env)
    try:
        term.wait_screen("Type a message", "connected; ready", "task daemon connected")
        term.type("run the tests in demo")
        term.wait_screen("you: run the tests in demo", "→ spawn_task", "mock-task) started",
                         "mock-task) succeeded: all 12 tests pass", "assistant: mock reply")
        screen = term.screen()
        expect("{\"type\"" not in screen, f"NDJSON on the terminal:\n{screen}")
        expect("\x1b[" in term.screen(escapes=True), "no colour on a terminal with NO_COLOR unset")
        term.tmux("send-keys", "C-d")
        expect(term.status() == 0, f"exit status; stderr: {open(err).read()}")
        expect(open(err).read().count("replies are not played") == 1,
               f"the silent-replies warning, once: {open(err).read()!r}")
    finally:
        term.close()

    # NO_COLOR: the same view without colour; --json: NDJSON on a terminal.
    plain = Terminal(sb, "nocolor", shlex.join(base) + " 2>/dev/null", dict(env, NO_COLOR="1"))
    try:
        plain.wait_screen("connected; ready")
        expect("\x1b[3" not in plain.screen(escapes=True) and "\x1b[2m" not in plain.screen(escapes=True),
               f"colour despite NO_COLOR: {plain.screen(escapes=True)!r}")
    finally:
        plain.close()
    ndjson = Terminal(sb, "json", shlex.join(base + ["--json"]) + " 2>/dev/null", env)
    try:
        ndjson.wait_screen('{"state":"ready","type":"session"}')
        ndjson.type("list my tasks")
        ndjson.wait_screen('{"role":"user","text":"list my tasks","type":"transcript","typed":true}')
    finally:
        ndjson.close()

    # A pipe: NDJSON by default, the readable view with --pretty; --audio-out: no warning.
    lines = '{"type":"text","text":"first"}\n{"type":"text","text":"second"}\n'
    piped = sb.run([*base, "--audio-out", sb.path("reply.wav")], input=lines, check=0, env=env)
    events = [json.loads(l) for l in piped.stdout.splitlines()]
    expect({"type": "transcript", "role": "user", "text": "first", "typed": True} in events, f"{events}")
    expect("replies are not played" not in piped.stderr, f"warned with --audio-out: {piped.stderr}")
    mock2 = MockServer(sb, "--no-calls", name="mock2")
    pretty = Realtime(sb, mock2.url, "--socket", sb.path("none.sock"), "--pretty", env=env)
    for n, text in ((1, "first"), (2, "second")):
        pretty.send({"type": "text", "text": text})
        pretty.wait_line(lambda l: l.get("unparsed", "").startswith(f"assistant: mock reply {n}"),
                         what=f"reply {n} in the readable view")
    pretty.close_stdin()
    expect(pretty.wait_exit() == 0, f"exit status; stderr: {pretty.stderr()}")
    out = "".join(l.get("unparsed", json.dumps(l) + "\n") for l in pretty.lines)
    expect("you: first\n" in out and "you: second\n" in out, f"--pretty: {out}")
    expect("\x1b" not in out and "{" not in out, f"--pretty in a pipe: plain lines only: {out!r}")
    expect("connection lost" not in out, f"the session's own hang-up was reported: {out}")
    expect(pretty.stderr().count("replies are not played") == 1, f"two replies, one warning: {pretty.stderr()!r}")
    mock.expect_clean()
print("ok: typed turn, conversation and task lines on a tmux terminal; NDJSON in a pipe and with --json")
