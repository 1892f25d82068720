"""`ptt-task --host box ...` through a real sshd says which host it shows, and its advice
works as printed (docs/hosts.md):
- the commands that run whole on the host (diff, merge, discard, top, doctor, shutdown)
  name `ptt-task --host box ...` in their hints, as the dial-stdio commands do;
- `shutdown` with no daemon on the host says there is nothing to shut down (exit 0),
  not to start one; with one, that the host's is shutting down;
- on a terminal `list` has a "tasks on box" line, `status` says "task N on box", top's
  title "ptt-task top on box"; in a pipe and with --json their output is as before;
- `doctor --host box` says where it checked, and leaves the OpenAI key, models, audio,
  keyboard and portal checks (ptt-realtime's and ptt-listen's) to this machine's doctor."""
import json
import os
import shlex
import shutil

from ptt_harness import Sandbox, binary, expect, skip
from ssh_fixture import SshServer, one_host
from task_cli_fixture import AGENT
from top_tmux import Tmux

if not shutil.which("tmux"):
    skip("tmux is not installed")

with Sandbox("hosts-names-host") as sb, SshServer(sb) as sshd:
    remote, config, env = one_host(sb, sshd, PTT_CLAUDE=AGENT)
    # This machine's doctor probes audio: a null ALSA device keeps the machine's plugins (and
    # their leaks, which fail the ASan suite) out of it.
    asound = sb.path("asound.conf")
    with open(asound, "w") as f:
        f.write("pcm.!default { type null }\n")
    env = dict(env, ALSA_CONFIG_PATH=asound)
    work = sb.path("work")
    os.makedirs(work)

    def task(*args, check=None):
        return sb.run(["ptt-task", "--host", "box", *args], env=env, check=check)

    # shutdown with nothing running there: no advice to start one, nothing failed.
    r = task("shutdown", check=0)
    expect("ptt-taskd on box is not running" in r.stdout and "nothing to shut down" in r.stdout,
           f"shutdown with no daemon: {r.stdout!r} {r.stderr!r}")
    expect("start one" not in r.stdout + r.stderr and "no-autostart" not in r.stdout + r.stderr,
           f"shutdown's advice: {r.stdout!r} {r.stderr!r}")
    r = task("--json", "shutdown", check=0)
    expect(json.loads(r.stdout) == {"shutdown": False}, f"shutdown --json with no daemon: {r.stdout!r}")
    r = sb.run(["ptt-task", "shutdown"], check=0)  # this machine's: the same
    expect("ptt-taskd is not running" in r.stdout, f"local shutdown with no daemon: {r.stdout!r}")

    # The commands run whole on the host name it in their hints.
    for args in (["diff", "9"], ["merge", "9"], ["discard", "--yes", "9"]):
        r = task(*args, check=4)
        expect("see `ptt-task --host box list`" in r.stderr, f"{args[0]}'s hint: {r.stderr!r}")
    ok = task("spawn", "--wait", "--cwd", work, "ok", check=0).stdout.split()[0]

    # doctor: where it ran, and what it left to this machine.
    r = task("doctor")
    expect(r.stdout.startswith("checks on box"), f"doctor's first line: {r.stdout!r}")
    expect("`ptt-task --host local doctor`" in r.stdout, f"doctor names the local check: {r.stdout!r}")
    checks = [line.split()[1] for line in r.stdout.splitlines() if line.split()[:1] in (["ok"], ["warn"], ["fail"])]
    expect("daemon" in checks and "claude" in checks, f"doctor's checks on the host: {checks}")
    for voice in ("OPENAI_API_KEY", "audio", "keyboard", "models"):
        expect(voice not in checks, f"doctor checked {voice} on the host: {r.stdout!r}")
    r = task("--json", "doctor")
    names = [json.loads(line)["check"] for line in r.stdout.splitlines()]
    expect("daemon" in names and "OPENAI_API_KEY" not in names, f"doctor --json on the host: {names}")
    r = sb.run(["ptt-task", "--json", "doctor"], env=dict(env, PTT_CLAUDE=AGENT))
    expect("OPENAI_API_KEY" in [json.loads(line)["check"] for line in r.stdout.splitlines()],
           f"this machine's doctor: {r.stdout!r}")

    # In a pipe list and status are as before.
    r = task("list", check=0)
    expect(r.stdout.startswith("ID "), f"list in a pipe: {r.stdout!r}")
    r = task("status", ok, check=0)
    expect(r.stdout.startswith(f"task {ok}: succeeded"), f"status in a pipe: {r.stdout!r}")

    # On a terminal they, and top, say which host.
    tmux = Tmux(sb)
    try:
        assigns = " ".join(f"{k}={shlex.quote(env[k])}" for k in
                           ("PTT_SOCKET", "PTT_STATE_DIR", "HOME", "XDG_RUNTIME_DIR", "XDG_STATE_HOME",
                            "XDG_CONFIG_HOME", "PTT_SSH", "PTT_CONFIG"))
        ptt = shlex.quote(binary("ptt-task"))
        shell = (f"{ptt} --host box list; {ptt} --host box status {ok}; echo LISTED; "
                 f"{ptt} --host box top; echo TOP-EXITED rc=$?; sleep 60")
        tmux.run("new-session", "-d", "-s", "t", "-x", "120", "-y", "40",
                 f"env NO_COLOR=1 LANG=C.UTF-8 {assigns} sh -c {shlex.quote(shell)}")
        screen = tmux.wait_for("t", lambda s: "LISTED" in s, "list and status on a terminal", timeout=30)
        expect("tasks on box\nID " in screen, f"list on a terminal:\n{screen}")
        expect(f"task {ok} on box: succeeded" in screen, f"status on a terminal:\n{screen}")
        screen = tmux.wait_for("t", lambda s: "ptt-task top on box · 1 task" in s, "top's title", timeout=30)
        tmux.keys("t", "q")
        tmux.wait_for("t", lambda s: "TOP-EXITED rc=0" in s, "top to end", timeout=30)
    finally:
        tmux.kill()

    r = task("shutdown", check=0)
    expect(r.stdout == "ptt-taskd on box is shutting down\n", f"shutdown: {r.stdout!r}")
