#!/usr/bin/python3
"""Try ptt without keys: the whole voice pipeline, offline, against local stand-ins.

    make -f Makefile.dist demo        (or: /usr/bin/python3 demo/run_demo.py [--build build])

A spoken request (espeak-ng) goes through `ptt-listen --file` into `ptt-realtime` (shown
in its readable view, --pretty), which talks to the project's mock Realtime server
(tests/support/mock_realtime_server.py) on 127.0.0.1 instead of OpenAI. The mock
recognises no speech: it reports the scripted words and asks for a spawn_task, as the
real model would. A private ptt-taskd runs the task with
the pinned real Claude Code CLI (`make -f Makefile.dist claude-cli`) talking to the mock
Messages API (tests/support/mock_messages_api.py), or with the fake agent when that CLI is
not installed. When the task ends, ptt-realtime announces it; the mock speaks the
announcement (espeak-ng) and ptt-realtime writes it to a WAV, played when a sound card
exists. `ptt-task list` ends the run.

Everything lives in a private temp dir with its own socket and state dir (the user's own
daemon is never touched) and is removed on exit, Ctrl-C and SIGTERM. Exit status: 0 when
the task succeeded and was announced, 1 when not, 2 when a tool or program it needs is
missing, 130 when interrupted.
"""
import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import wave

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUPPORT = os.path.join(SOURCE, "tests", "support")
REQUEST = "Spawn a task in the demo project to count the lines in notes dot text."
TRANSCRIPT = "Spawn a task in the demo project to count the lines in notes.txt."
PROMPT = "count the lines in notes.txt"
TASK_NAME = "count-lines"
NOTES = "buy milk\nwrite the report\ncall the plumber\n"


def say(text=""):
    print(text, flush=True)


def rel(path):
    """A path as the person typed it: relative to the source tree when inside it."""
    r = os.path.relpath(path, SOURCE)
    return path if r.startswith("..") else r


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(SOURCE, "build"),
                    help="the build tree (tools/ and tests/fake-agent in it; default: %(default)s)")
    ap.add_argument("--claude", help="the Claude Code CLI (default: BUILD/claude-code/node_modules/.bin/claude); "
                                     "when it cannot run, the fake agent stands in")
    ap.add_argument("--save-audio", metavar="FILE", help="keep a copy of the spoken replies (WAV) in FILE")
    ap.add_argument("--task-timeout", type=float, default=120, help="seconds the task may take (default: %(default)s)")
    return ap.parse_args()


def claude_version(cli):
    """The CLI's version line, or None (and why) when it is absent or does not run."""
    if not cli or not os.access(cli, os.X_OK):
        return None, f"{rel(cli)} is not installed (make -f Makefile.dist claude-cli)"
    try:
        r = subprocess.run([cli, "--version"], capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, DISABLE_AUTOUPDATER="1"))
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"{rel(cli)} does not run ({e})"
    if r.returncode != 0:
        return None, f"{rel(cli)} --version exited {r.returncode}"
    return r.stdout.strip(), None


def supervisor_pids(state_dir):
    """The ptt-supervise processes this demo's daemon started (docs/taskd.md: supervisor.ndjson)."""
    pids = set()
    for root, _, files in os.walk(os.path.join(state_dir, "logs")):
        if "supervisor.ndjson" not in files:
            continue
        with open(os.path.join(root, "supervisor.ndjson")) as f:
            for line in f:
                with contextlib.suppress(ValueError, TypeError, KeyError):
                    pids.add(int(json.loads(line)["server"]))
    alive = set()
    for pid in pids:
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"ptt-supervise" in f.read():
                    alive.add(pid)
    return alive


def running(pid):
    """True while pid runs (a zombie waiting for its reaper has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def wait_gone(pids, seconds):
    deadline = time.monotonic() + seconds
    pids = {p for p in pids if running(p)}
    while pids and time.monotonic() < deadline:
        time.sleep(0.02)
        pids = {p for p in pids if running(p)}
    return pids


def stop_supervisors(state_dir):
    """The supervisor leaves by itself once its daemon is gone and its agents have ended;
    one still running an agent (after a Ctrl-C mid-task, say) is told to stop: SIGTERM
    cancels its tasks (docs/taskd.md)."""
    pids = wait_gone(supervisor_pids(state_dir), 2)
    for sig, seconds in ((signal.SIGTERM, 5), (signal.SIGKILL, 2)):
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, sig)
        pids = wait_gone(pids, seconds)


def clean_up(sb, build, messages):
    """Cancels what still runs, stops every process the demo started (the supervisor last:
    it leaves once its daemon is gone and its agents have ended), removes the temp dir."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run([os.path.join(build, "tools", "ptt-task"), "--no-autostart", "cancel", "--all"], env=sb.env,
                       capture_output=True, timeout=10)
    for p in sb.procs:
        if p.poll() is None:
            p.terminate()
    for p in sb.procs:
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.wait(timeout=5)
        if p.poll() is None:
            p.kill()
            p.wait()
    stop_supervisors(sb.state_dir)
    sb.cleanup()  # the processes are gone by now; this removes the temp dir
    if messages:
        messages.stop()


def wav_report(path):
    """(seconds, peak) of a 16-bit WAV; (0, 0) when missing."""
    if not os.path.exists(path):
        return 0.0, 0
    with wave.open(path) as w:
        frames = w.readframes(w.getnframes())
        seconds = w.getnframes() / w.getframerate()
    samples = memoryview(frames).cast("h") if len(frames) >= 2 else []
    return seconds, max((abs(s) for s in samples), default=0)


def play(path):
    """Plays the WAV with aplay when `aplay -l` lists a card; says why not otherwise."""
    if not shutil.which("aplay"):
        return "not played: aplay (alsa-utils) is not installed"
    cards = subprocess.run(["aplay", "-l"], capture_output=True, text=True)
    if "card " not in cards.stdout:
        return "not played: no sound card here (`aplay -l` lists none)"
    r = subprocess.run(["aplay", "-q", path], capture_output=True, text=True)
    return "played with aplay" if r.returncode == 0 else f"aplay failed: {r.stderr.strip()}"


def main():
    args = parse_args()
    build = os.path.abspath(args.build)
    os.environ["PTT_BIN_DIR"] = os.path.join(build, "tools")  # read by ptt_harness at import
    sys.path.insert(0, SUPPORT)
    from mock_messages_api import MockMessagesApi
    from ptt_harness import Sandbox
    from realtime_fixture import MockServer, speak
    from taskd_fixture import Taskd

    for tool in ("ptt-task", "ptt-taskd", "ptt-listen", "ptt-realtime"):
        if not os.access(os.path.join(build, "tools", tool), os.X_OK):
            print(f"run_demo: error: {tool} is not built in {build}/tools; run `make -f Makefile.dist build` first",
                  file=sys.stderr)
            return 2
    for prog in ("espeak-ng", "sox"):
        if not shutil.which(prog):
            print(f"run_demo: error: {prog} is not installed; run `make -f Makefile.dist deps`", file=sys.stderr)
            return 2
    cli = args.claude if args.claude is not None else os.path.join(build, "claude-code", "node_modules", ".bin",
                                                                       "claude")
    version, why_not = claude_version(cli)
    fake_agent = os.path.join(build, "tests", "fake-agent")
    if not version and not os.access(fake_agent, os.X_OK):
        print(f"run_demo: error: {why_not}, and the fake agent {fake_agent} is not built either; "
              "run `make -f Makefile.dist build`", file=sys.stderr)
        return 2

    messages = None
    ok = interrupted = False
    sb = Sandbox("ptt-demo")
    if "NO_COLOR" not in os.environ:
        sb.env.pop("NO_COLOR", None)  # the person's terminal decides, not the test default
    try:
        project = os.path.join(sb.root, "project")
        os.makedirs(project)
        with open(os.path.join(project, "notes.txt"), "w") as f:
            f.write(NOTES)
        if version:
            messages = MockMessagesApi(command="wc -l notes.txt", expect_output="notes.txt",
                                       final_text=lambda out: f"notes.txt has {out.split()[0]} lines.").start()
            sb.env.update(messages.agent_env(sb.home))
            agent = cli
        else:
            agent = fake_agent
        Taskd(sb, "--allow-root", project, "--default-allowed-tools", "Bash", claude=agent)
        mock = MockServer(sb, "--transcript", TRANSCRIPT, "--spawn-prompt", PROMPT, "--spawn-project", "demo",
                          "--spawn-name", TASK_NAME, "--speak")
        say("=" * 78)
        say("ptt DEMO: the voice pipeline offline, against local stand-ins; no OpenAI key, no Claude account.")
        say(f"  Realtime API: the mock server tests/support/mock_realtime_server.py on 127.0.0.1:{mock.port}")
        say("                (it recognises no speech: it reports the scripted words and asks for the task)")
        if version:
            say(f"  agent:        the real Claude Code CLI {version} ({rel(cli)})")
            say(f"                against the mock Messages API tests/support/mock_messages_api.py on "
                f"127.0.0.1:{messages.port}")
        else:
            say(f"  agent:        the fake agent {rel(fake_agent)}, acting out a script ({why_not})")
        say(f"  ptt-taskd:    a private daemon in {sb.root} (yours is not touched; removed on exit)")
        say("=" * 78)

        say(f'\n# The spoken request (espeak-ng): "{REQUEST}"')
        speak(sb, REQUEST, "request")
        wav_out = sb.path("replies.wav")
        say("$ ptt-listen --file request.wav --fast | ptt-realtime --pretty --project demo=DIR --audio-out replies.wav")
        listen_err = open(sb.path("listen.err"), "w")
        listen = sb.start(["ptt-listen", "--file", sb.path("request.wav"), "--fast"], stdout=subprocess.PIPE,
                          stderr=listen_err)
        realtime = sb.start(["ptt-realtime", "--pretty", "--url", mock.url, "--project", f"demo={project}", "--audio-out",
                             wav_out, "--socket", sb.socket], stdin=subprocess.PIPE, stdout=None, stderr=None)
        # ptt-listen ends with the file; ptt-realtime would then finish its turn and exit
        # before the task ends. The demo holds its stdin open until the announcement went out.
        with contextlib.suppress(BrokenPipeError):  # ptt-realtime ended early: its own message says why
            for line in listen.stdout:
                realtime.stdin.write(line)
                realtime.stdin.flush()
        if listen.wait() != 0:
            say(f"run_demo: ptt-listen exited {listen.returncode}: {open(sb.path('listen.err')).read()}")

        def announced_or_refused(e):
            if realtime.poll() is not None:
                return True  # it ended early; its own message says why
            item = e.get("received", {}).get("item") or {}
            if item.get("type") == "message" and item.get("role") == "system":
                return True
            return item.get("type") == "function_call_output" and '"ok":false' in item.get("output", "")

        mock.wait_for(announced_or_refused, timeout=args.task_timeout, what="the task's end")
        with contextlib.suppress(BrokenPipeError):
            realtime.stdin.close()
        code = realtime.wait(timeout=60)
        seconds, peak = wav_report(wav_out)
        if args.save_audio and os.path.exists(wav_out):
            shutil.copyfile(wav_out, args.save_audio)
        say(f"\n# ptt-realtime exited {code}; the spoken replies: replies.wav, {seconds:.1f} s, "
            f"peak {peak}: {play(wav_out) if seconds else 'nothing to play'}")
        say("$ ptt-task list")
        listing = subprocess.run([os.path.join(build, "tools", "ptt-task"), "--no-autostart", "list"], env=sb.env,
                                 stdout=subprocess.PIPE, text=True)
        sys.stdout.write(listing.stdout)
        as_json = subprocess.run([os.path.join(build, "tools", "ptt-task"), "--no-autostart", "list", "--json"],
                                 env=sb.env, capture_output=True, text=True).stdout
        tasks = [json.loads(line) for line in as_json.splitlines() if line.strip()]
        ok = code == 0 and seconds > 0 and [t.get("state") for t in tasks] == ["succeeded"]
        if messages and messages.errors:
            say(f"run_demo: the mock Messages API saw what it did not expect: {messages.errors}")
            ok = False
    except KeyboardInterrupt:
        say("\nrun_demo: interrupted; cleaning up")
        interrupted = True
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not leave things behind
            signal.signal(sig, signal.SIG_IGN)
        clean_up(sb, build, messages)
    say(f"\n# Demo {'done' if ok else 'interrupted' if interrupted else 'FAILED'}; {sb.root} removed.")
    return 0 if ok else 130 if interrupted else 1


def on_sigterm(signum, frame):
    raise KeyboardInterrupt()


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_sigterm)
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # before anything was started: nothing to clean up
        sys.exit(130)
