"""`make -f Makefile.dist demo` through its entry point, demo/run_demo.py, as a person sees it:
the banner naming the stand-ins, the request's transcript, the task starting, its activity,
the finish announcement (a WAV holding speech), `ptt-task list` with the task succeeded,
exit 0, and nothing left behind (no process of the demo's private daemon, no temp dir).
Then without the Claude CLI (the fake agent stands in and the banner says so), and a
Ctrl-C mid-task (everything stopped and removed, exit 130).
CI (CI=true) must not skip the real-CLI run: a missing PTT_CLAUDE_CLI is a failure there.
"""
import os
import re
import signal
import subprocess
import time
import wave

from ptt_harness import BIN_DIR, SOURCE_DIR, TIMEOUT_FACTOR, Sandbox, expect, fail, in_ci, skip_part, wait_until

DEMO = os.path.join(SOURCE_DIR, "demo", "run_demo.py")
BUILD = os.path.dirname(BIN_DIR.rstrip("/"))  # the tree holding tools/ and tests/fake-agent
TRANSCRIPT = "Spawn a task in the demo project to count the lines in notes.txt."

cli = os.environ.get("PTT_CLAUDE_CLI", "")
have_cli = bool(cli) and os.access(cli, os.X_OK)
if not have_cli and in_ci():
    fail(f"CI must run the demo with the real Claude CLI, but PTT_CLAUDE_CLI={cli!r} is not installed")


def demo_cmd(*args):
    return ["/usr/bin/python3", DEMO, "--build", BUILD, *args]


def private_root(out):
    m = re.search(r"a private daemon in (\S+) ", out)
    expect(m, f"the banner does not name the demo's temp dir:\n{out}")
    return m.group(1)


def processes_of(root):
    """Processes whose environment points at the demo's private daemon (its socket)."""
    found = []
    needle = f"PTT_SOCKET={root}/".encode()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                if needle in f.read():
                    with open(f"/proc/{pid}/cmdline", "rb") as c:
                        found.append((pid, c.read().replace(b"\0", b" ").decode(errors="replace")))
        except OSError:
            pass
    return found


def expect_nothing_left(root, out):
    expect(not os.path.exists(root), f"the demo left its temp dir {root} behind")
    expect(not processes_of(root), f"processes of the demo outlived it: {processes_of(root)}\n{out}")


def expect_speech(path):
    expect(os.path.exists(path), "the demo wrote no reply WAV")
    with wave.open(path) as w:
        expect((w.getframerate(), w.getnchannels(), w.getsampwidth()) == (24000, 1, 2), "the WAV is not 24 kHz mono PCM16")
        seconds = w.getnframes() / w.getframerate()
        samples = memoryview(w.readframes(w.getnframes())).cast("h")
    loud = sum(1 for s in samples if abs(s) > 1000)
    expect(seconds > 1 and loud > len(samples) // 20, f"the WAV holds no speech: {seconds:.1f} s, {loud} loud samples")
    return seconds


def run_to_end(sb, name, *args):
    started = time.monotonic()
    r = subprocess.run(demo_cmd("--save-audio", sb.path(f"{name}.wav"), *args), capture_output=True, text=True,
                       timeout=120 * TIMEOUT_FACTOR, env=dict(os.environ, NO_COLOR="1"))
    with open(sb.path(f"{name}.out"), "w") as f:  # kept with the test's artifacts
        f.write(f"exit {r.returncode}\nstdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    out = r.stdout
    expect(r.returncode == 0, f"the demo exited {r.returncode}:\n{out}\n{r.stderr}")
    expect("ptt DEMO" in out and "against local stand-ins" in out, f"no demo banner:\n{out}")
    expect(re.search(r"the mock server tests/support/mock_realtime_server\.py on 127\.0\.0\.1:\d+", out),
           f"the banner does not name the mock Realtime server:\n{out}")
    # ptt-realtime's readable view (--pretty: stdout is a pipe here), not NDJSON.
    expect(not re.search(r"^\{", out, re.M), f"NDJSON where the readable view belongs:\n{out}")
    expect(f"\nyou: {TRANSCRIPT}\n" in out, f"the request's transcript is not shown:\n{out}")
    expect("\ntask 1 (count-lines) started\n" in out, f"no task 1 started:\n{out}")
    expect(re.search(r"^task 1 \(count-lines\): Bash: ", out, re.M), f"no live activity:\n{out}")
    expect(re.search(r"^task 1 \(count-lines\) succeeded", out, re.M), f"the task's end is not shown:\n{out}")
    expect(re.search(r"^assistant: task 1 'count-lines' succeeded", out, re.M),
           f"the finish announcement was not spoken:\n{out}")
    listing = out.split("$ ptt-task list\n", 1)
    expect(len(listing) == 2 and re.search(r"^\s*1\s+count-lines\s+succeeded\s", listing[1], re.M),
           f"the final list does not show task 1 succeeded:\n{out}")
    seconds = expect_speech(sb.path(f"{name}.wav"))
    expect_nothing_left(private_root(out), out)
    return out, seconds, time.monotonic() - started


with Sandbox("demo") as sb:
    # 1. The real Claude CLI (as `make demo` runs it once claude-cli installed it).
    if have_cli:
        out, seconds, took = run_to_end(sb, "real", "--claude", cli)
        expect("the real Claude Code CLI" in out and "tests/support/mock_messages_api.py on 127.0.0.1:" in out,
               f"the banner does not name the real CLI and the mock Messages API:\n{out}")
        expect("\ntask 1 (count-lines): Bash: wc -l notes.txt\n" in out, f"the agent's Bash call is not shown:\n{out}")
        expect("notes.txt has 3 lines" in out, f"the task's result (from the real command) is missing:\n{out}")
        print(f"ok: demo with the real Claude CLI: exit 0, {seconds:.1f} s of speech, {took:.1f} s")
    else:
        skip_part(f"PTT_CLAUDE_CLI={cli!r} is not installed; only the fake-agent demo runs here", "real-claude")

    # 2. No Claude CLI: the fake agent stands in, and the banner says so.
    out, seconds, took = run_to_end(sb, "fake", "--claude", sb.path("no-claude-here"))
    expect(re.search(r"agent: +the fake agent \S*tests/fake-agent, acting out a script \(\S*no-claude-here is not "
                     r"installed", out), f"the banner does not say the fake agent stands in, and why:\n{out}")
    print(f"ok: demo with the fake agent: exit 0, {seconds:.1f} s of speech, {took:.1f} s")

    # 3. Ctrl-C mid-task (the terminal signals the whole foreground group): all stopped, all removed.
    log_path = sb.path("interrupted.out")
    with open(log_path, "w") as log:
        demo = subprocess.Popen(demo_cmd(*(["--claude", cli] if have_cli else [])), stdout=log, stderr=log,
                                env=dict(os.environ, NO_COLOR="1"), start_new_session=True)
        sb.procs.append(demo)

    def output():
        with open(log_path) as f:
            return f.read()

    wait_until(lambda: "task 1 (count-lines) started" in output() or demo.poll() is not None, 60, "the task to start")
    os.killpg(demo.pid, signal.SIGINT)
    code = demo.wait(timeout=30 * TIMEOUT_FACTOR)
    out = output()
    expect(code == 130, f"an interrupted demo should exit 130, got {code}:\n{out}")
    expect("interrupted" in out, f"the demo does not say it was interrupted:\n{out}")
    expect_nothing_left(private_root(out), out)
    print("ok: Ctrl-C mid-task stops every process of the demo and removes its temp dir")
