"""examples/wayland: the sway and Hyprland snippets bind press and release to the same
two commands, aimed at the pidfile ptt-voice.service gives ptt-listen; running those
exact commands (through sh, as both compositors run exec) against a live
`ptt-listen --hotkey signal` starts and stops an utterance."""
import os
import re
import subprocess

from example_fixture import example
from listen_audio import FakeMicrophone, LineReader, tone_frames
from ptt_harness import SOURCE_DIR, Sandbox, expect, wait_until

sway = open(example("wayland", "sway.conf")).read()
hypr = open(example("wayland", "hyprland.conf")).read()
sway_press = re.findall(r"^bindsym --no-repeat F9 exec (.+)$", sway, re.M)
sway_release = re.findall(r"^bindsym --release F9 exec (.+)$", sway, re.M)
hypr_press = re.findall(r"^bind = , F9, exec, (.+)$", hypr, re.M)
hypr_release = re.findall(r"^bindr = , F9, exec, (.+)$", hypr, re.M)
expect(len(sway_press) == len(sway_release) == len(hypr_press) == len(hypr_release) == 1,
       f"one press and one release binding each: {sway_press} {sway_release} {hypr_press} {hypr_release}")
expect(sway_press == hypr_press and sway_release == hypr_release, "sway and Hyprland send different commands")
press, release = sway_press[0], sway_release[0]
expect("-USR1" in press and "-USR2" in release, f"press {press!r}, release {release!r}")

# The pidfile the bindings signal is the one the voice unit writes (%t = $XDG_RUNTIME_DIR).
unit = open(os.path.join(SOURCE_DIR, "systemd", "ptt-voice.service.in")).read()
expect("--pidfile %t/ptt-listen.pid" in unit and '"$XDG_RUNTIME_DIR/ptt-listen.pid"' in press,
       "the bindings and ptt-voice.service disagree on the pidfile")

with Sandbox("ex-wayland") as sb:
    mic = FakeMicrophone(sb, tone_frames(30))
    run_dir = sb.env["XDG_RUNTIME_DIR"]
    os.makedirs(run_dir, mode=0o700)
    pidfile = os.path.join(run_dir, "ptt-listen.pid")
    p = sb.start(["ptt-listen", "--hotkey", "signal", "--pidfile", pidfile], env=mic.env)
    wait_until(lambda: os.path.exists(pidfile) or p.poll() is not None, 20, "the pidfile")
    if p.poll() is not None:
        expect(False, f"ptt-listen exited {p.returncode}: {p.stderr.read()}")
    out = LineReader(p.stdout)

    def bind(command):
        r = subprocess.run(["/bin/sh", "-c", command], env=sb.env, capture_output=True, text=True, timeout=10)
        expect(r.returncode == 0, f"{command!r} exited {r.returncode}: {r.stderr}")

    for _ in range(2):  # twice: a binding works again after a release
        n = len(out.lines)
        bind(press)
        out.wait_for(lambda ls: len(ls) > n and ls[n]["type"] == "ptt.start", what="ptt.start after the press binding")
        out.wait_for(lambda ls: sum(l["type"] == "audio" for l in ls[n:]) >= 10, what="audio while held")
        bind(release)
        lines = out.wait_for(lambda ls: ls[-1]["type"] == "ptt.stop", what="ptt.stop after the release binding")
        expect(lines[-1]["reason"] == "release", f"stop: {lines[-1]}")
    starts = [l for l in out.lines if l["type"] == "ptt.start"]
    expect(len(starts) == 2, f"{len(starts)} utterances")
    p.terminate()
    expect(p.wait(10) == 0, f"exit {p.returncode}")
print("ok: sway/Hyprland bindings start and stop ptt-listen --hotkey signal")
