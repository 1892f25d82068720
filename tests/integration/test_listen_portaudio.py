"""PortAudio for real: a 48 kHz stereo sine captured through ALSA comes out of
ptt-listen as 24 kHz mono with its pitch, level and timing intact."""
import json
import math
import signal

from listen_audio import FakeMicrophone, LineReader, pcm, tone_frames, wait_for_stderr_line
from ptt_harness import Sandbox, expect

FREQ = 997.0  # not a divisor of either rate, so every sample lands on a new phase
LEFT, RIGHT = 0.5, 0.25  # the downmix is their mean

with Sandbox("listen-pa") as sb:
    mic = FakeMicrophone(sb, tone_frames(20, parts=((FREQ, LEFT),), right_scale=RIGHT / LEFT))

    r = sb.run(["ptt-listen", "--list-devices", "--json"], env=mic.env, check=0)
    devices = json.loads(r.stdout)
    default = [d for d in devices if d["default"]]
    expect(len(default) == 1 and default[0]["default_rate"] == 48000.0, f"default device: {devices}")

    r = sb.run(["ptt-listen", "--hotkey", "none", "--input-device", "no such microphone"], env=mic.env, check=1)
    expect("--list-devices" in r.stderr, f"unhelpful device error: {r.stderr!r}")
    # By index, as --list-devices shows it.
    p = sb.start(["ptt-listen", "--hotkey", "none", "--input-device", str(default[0]["index"])], env=mic.env)
    wait_for_stderr_line(p, "ready:")
    out = LineReader(p.stdout)
    out.wait_for(lambda ls: sum(l["type"] == "audio" for l in ls) >= 60, what="60 audio chunks")
    p.send_signal(signal.SIGINT)
    lines = out.wait_closed()
    expect(p.wait(10) == 130, f"SIGINT exit status {p.returncode}, wanted 130")

    expect(lines[0] == {"type": "ptt.start", "ms": 0, "preroll_ms": 0}, f"first line {lines[0]}")
    expect(lines[-1]["type"] == "ptt.stop" and lines[-1]["reason"] == "end", f"last line {lines[-1]}")
    audio = [l for l in lines if l["type"] == "audio"]
    expect([l["seq"] for l in audio] == list(range(len(audio))), "seq is not 0, 1, 2, ...")
    expect([l["ms"] for l in audio] == [20 * i for i in range(len(audio))], "ms is not the stream position")
    samples = pcm(audio)
    expect(len(samples) == 480 * len(audio), f"{len(samples)} samples in {len(audio)} chunks of 20 ms")

    # Skip the resampler's first 10 ms of settling.
    body = samples[240:]
    crossings = [i - 1 + -body[i - 1] / (body[i] - body[i - 1])
                 for i in range(1, len(body)) if body[i - 1] < 0 <= body[i]]
    freq = (len(crossings) - 1) * 24000 / (crossings[-1] - crossings[0])
    expect(abs(freq / FREQ - 1) < 1e-4, f"frequency {freq:.3f} Hz, wanted {FREQ} (±0.01%)")

    want = (LEFT + RIGHT) / 2
    rms = math.sqrt(sum(s * s for s in body) / len(body)) / 32767
    level_db = 20 * math.log10(rms / (want / math.sqrt(2)))
    expect(abs(level_db) < 0.1, f"level off by {level_db:.3f} dB")

    # Sample n is the source at time n / 24000 s: ms stamps are true stream positions.
    err = sum((body[n] - want * 32767 * math.sin(2 * math.pi * FREQ * (n + 240) / 24000)) ** 2
              for n in range(len(body)))
    snr = 10 * math.log10(sum(s * s for s in body) / max(err, 1e-9))
    expect(snr > 60, f"output does not line up with the source: SNR {snr:.1f} dB")
    print(f"ok: {len(audio)} chunks, {freq:.3f} Hz, level {level_db:+.3f} dB, aligned SNR {snr:.1f} dB")
