"""`ptt-task doctor` against the real binary with a controlled PATH and environment:
a fake claude script (with and without stream-json), no key and a key (whose value must
never appear), audio through ALSA's file plugin, daemon up and down (never auto-started),
an unwritable state dir; checks the lines, --json and the exit status."""
import json
import os
import stat

from ptt_harness import OPENAI_KEY, Sandbox, expect
from taskd_fixture import Taskd

SECRET = OPENAI_KEY


def fake_claude(path, help_text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n"
                'case "$1" in\n'
                '  --version) echo "9.9.9 (Claude Code)";;\n'
                f"  --help) echo 'Usage: claude [options]'; echo '{help_text}';;\n"
                "  *) exit 2;;\n"
                "esac\n")
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR)


def doctor(sb, env, *args, status):
    r = sb.run(["ptt-task", *args, "doctor"], env=env, check=status)
    expect(SECRET not in r.stdout and SECRET not in r.stderr, "the key's value was printed")
    for part in (SECRET[:8], SECRET[-8:]):
        expect(part not in r.stdout, "part of the key was printed")
    return r.stdout


def line(out, name):
    for l in out.splitlines():
        if l[5:].startswith(name + " "):
            return l
    expect(False, f"no {name} line in:\n{out}")


with Sandbox("doctor") as sb:
    bin_dir = sb.path("bin")
    fake_claude(os.path.join(bin_dir, "claude"), "  --output-format <format>  text, json or stream-json")
    asound = sb.path("asound.conf")
    raw = sb.path("in.raw")
    with open(raw, "wb") as f:
        f.write(b"\0" * 48000)
    with open(asound, "w") as f:
        f.write(f'pcm.filecap {{ type file slave.pcm {{ type null }} file "/dev/null" infile "{raw}" format "raw" }}\n'
                'pcm.fileplay { type null }\n'
                'pcm.!default { type asym capture.pcm "filecap" playback.pcm "fileplay" }\n')
    env = dict(sb.env, PATH=f"{bin_dir}:/usr/bin:/bin", ALSA_CONFIG_PATH=asound)
    env.pop("OPENAI_API_KEY", None)
    env.pop("PTT_CLAUDE", None)

    # Daemon down, no key: warnings only, exit 0, and nothing was started.
    out = doctor(sb, env, status=0)
    expect(line(out, "claude").startswith("ok   claude") and "9.9.9 (Claude Code)" in out, out)
    expect("stream-json supported" in line(out, "claude"), out)
    expect(line(out, "OPENAI_API_KEY").startswith("warn"), out)
    expect("fix: export OPENAI_API_KEY=" in out, "no fix under the key line")
    expect(line(out, "audio input").startswith("ok"), f"ALSA file device not seen: {out}")
    expect(line(out, "keyboard").split()[0] in ("ok", "warn"), out)
    expect(line(out, "daemon").startswith("warn") and sb.socket in out, out)
    expect(not os.path.exists(sb.socket), "doctor started a daemon")
    expect(line(out, "state dir").startswith("ok"), out)
    expect(out.splitlines()[-1].startswith("0 failed"), out)
    # The sandbox (spawn --sandbox): bubblewrap and socat from Debian, and bwrap works here
    # (ok, or a warning saying why); without them on PATH a warning with the packages.
    expect(line(out, "sandbox").split()[0] in ("ok", "warn"), out)
    if line(out, "sandbox").startswith("ok"):
        expect("makes namespaces" in line(out, "sandbox"), out)
    r = sb.run(["ptt-task", "doctor"], env=dict(env, PATH=bin_dir))
    expect(line(r.stdout, "sandbox").startswith("warn sandbox         bubblewrap (bwrap) and socat are not installed")
           and "fix: sudo apt-get install bubblewrap socat" in r.stdout, r.stdout)
    expect("\033[" not in out and "\r" not in out, "escapes in piped output")
    out_lines = out.splitlines()
    for i, l in enumerate(out_lines):
        if l.startswith("warn") or l.startswith("fail"):
            expect(out_lines[i + 1].startswith("     fix: "), f"no fix after {l!r}")

    # The key set: ok, and its value appears nowhere (text and --json).
    keyed = dict(env, OPENAI_API_KEY=SECRET)
    out = doctor(sb, keyed, status=0)
    expect(line(out, "OPENAI_API_KEY") == "ok   OPENAI_API_KEY  set", out)
    out = doctor(sb, keyed, "--json", status=0)
    checks = [json.loads(l) for l in out.splitlines()]
    expect([c["check"] for c in checks] == ["claude", "OPENAI_API_KEY", "models", "audio input", "keyboard",
                                             "hotkey portal", "daemon", "state dir", "sandbox"], out)
    expect(all(c["status"] in ("ok", "warn", "fail") for c in checks), out)
    expect(checks[1]["status"] == "ok" and checks[1]["fix"] is None, out)
    expect(checks[6]["status"] == "warn" and checks[6]["fix"], out)

    # A configured model on OpenAI's shutdown list is a warning, not a failure.
    config = sb.path("old-models.toml")
    with open(config, "w") as f:
        f.write('[ptt-realtime]\nmodel = "gpt-realtime"\n')
    out = doctor(sb, dict(keyed, PTT_CONFIG=config), status=0)
    expect(line(out, "models").startswith("warn") and "gpt-realtime is deprecated (shutdown 2027-01-20)" in out
           and 'fix: set model = "gpt-realtime-2.1"' in out, out)

    # Daemon up.
    d = Taskd(sb)
    out = doctor(sb, env, status=0)
    expect(line(out, "daemon").startswith("ok") and f"pid {d.proc.pid}" in out, out)
    d.proc.terminate()
    d.wait_exit()

    # An unwritable state dir (a file in the way: root can write anywhere else).
    blocker = sb.path("blocker")
    open(blocker, "w").close()
    out = doctor(sb, dict(env, PTT_STATE_DIR=os.path.join(blocker, "state")), status=1)
    expect(line(out, "state dir").startswith("fail"), out)
    expect("PTT_STATE_DIR" in out.split(line(out, "state dir"))[1], "no fix for the state dir")

    # No claude at all, then one without stream-json: fail, exit 1.
    out = doctor(sb, dict(env, PATH="/usr/bin:/bin"), status=1)
    expect(line(out, "claude").startswith("fail") and "not found" in out, out)
    expect("npm install -g @anthropic-ai/claude-code" in out, out)
    old = sb.path("old", "claude")
    fake_claude(old, "  --print  print and exit")
    out = sb.run(["ptt-task", "doctor", "--claude", old], env=env, check=1).stdout
    expect(line(out, "claude").startswith("fail") and "stream-json" in line(out, "claude"), out)
    out = sb.run(["ptt-task", "doctor"], env=dict(env, PTT_CLAUDE=old), check=1).stdout
    expect(old in line(out, "claude"), f"PTT_CLAUDE not checked: {out}")
print("ok: doctor checks, fixes, --json, exit status; the key never printed; no daemon started")
