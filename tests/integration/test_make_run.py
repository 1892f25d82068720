"""`make -f Makefile.dist run` plays replies: ptt-listen (a WAV through LISTEN_ARGS) |
ptt-realtime with the default REALTIME_ARGS (--speaker) against the mock server; the
reply lands on the default output device (ALSA's file plugin: OUT.raw) and no warning
says replies go nowhere. REALTIME_ARGS replaces the default."""
import os
import shutil
import subprocess
import wave

from mock_realtime_server import tone
from ptt_harness import BIN_DIR, SOURCE_DIR, Sandbox, binary, expect, skip
from realtime_fixture import KEY, MockServer

if not shutil.which("make"):
    skip("make is not installed")

with Sandbox("make-run") as sb:
    mock = MockServer(sb, "--no-calls")
    played = sb.path("OUT.raw")
    with open(sb.path("asound.conf"), "w") as f:
        f.write(f'pcm.fileplay {{ type file slave.pcm {{ type null }} file "{played}" format "raw" }}\n'
                'pcm.!default { type asym playback.pcm "fileplay" capture.pcm { type null } }\n')
    with open(sb.path("config.toml"), "w") as f:
        f.write(f'[ptt-realtime]\nurl = "{mock.url}"\n')
    speech = sb.path("turn.wav")
    with wave.open(speech, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(24000)
        w.writeframes(tone(5, 400))
    env = dict(sb.env, OPENAI_API_KEY=KEY, PTT_CLAUDE=binary("fake-agent"), PTT_CONFIG=sb.path("config.toml"),
               ALSA_CONFIG_PATH=sb.path("asound.conf"))
    make = ["make", "--no-print-directory", "-f", "Makefile.dist", "run", f"BUILD_DIR={os.path.dirname(BIN_DIR)}",
            f"LISTEN_ARGS=--file {speech} --fast"]
    try:
        r = subprocess.run(make, cwd=SOURCE_DIR, env=env, capture_output=True, text=True, timeout=60)
        expect(r.returncode == 0, f"make run exited {r.returncode}\nstdout: {r.stdout}\nstderr: {r.stderr}")
        expect("--speaker" in r.stdout, f"ptt-realtime was not started with --speaker: {r.stdout}")
        expect("replies are not played" not in r.stderr, f"warned although --speaker was on: {r.stderr}")
        expect(os.path.exists(played) and os.path.getsize(played) > 0, f"nothing was played; stderr: {r.stderr}")

        # REALTIME_ARGS replaces the default: here the reply goes to a WAV, not the speaker.
        os.remove(played)
        reply = sb.path("reply.wav")
        r = subprocess.run(make + [f"REALTIME_ARGS=--audio-out {reply}"], cwd=SOURCE_DIR, env=env,
                           capture_output=True, text=True, timeout=60)
        expect(r.returncode == 0, f"make run exited {r.returncode}\nstderr: {r.stderr}")
        expect("--speaker" not in r.stdout and not os.path.exists(played), f"the speaker was still used: {r.stdout}")
        with wave.open(reply) as w:
            expect(w.getnframes() > 0, "the reply WAV is empty")
    finally:
        subprocess.run([binary("ptt-task"), "--no-autostart", "shutdown"], env=env, capture_output=True, timeout=30)
    mock.expect_clean()
print("ok: make run plays the reply on the default output device; REALTIME_ARGS replaces --speaker")
