"""--hotkey signal: SIGUSR1/SIGUSR2 sent to a running ptt-listen (found through
--pidfile) give ptt.start and ptt.stop around the audio, with the pre-roll and
tail exact to the sample: the `ms` stamps are checked against the source signal."""
import math
import os
import signal

from listen_audio import FakeMicrophone, LineReader, pcm, tone_frames
from ptt_harness import Sandbox, expect, wait_until

# 1 kHz pins the position to within a sample, 37 Hz tells whole milliseconds
# apart: a chunk misplaced by any amount no longer matches.
PARTS = ((1000.0, 0.3), (37.0, 0.2))


def source(t):
    return sum(a * math.sin(2 * math.pi * f * t) for f, a in PARTS)


with Sandbox("listen-sig") as sb:
    mic = FakeMicrophone(sb, tone_frames(20, parts=PARTS))
    pidfile = sb.path("listen.pid")
    p = sb.start(["ptt-listen", "--hotkey", "signal", "--pidfile", pidfile, "--preroll-ms", "300",
                  "--tail-ms", "200", "--meter"], env=mic.env)
    wait_until(lambda: os.path.exists(pidfile) or p.poll() is not None, 20, "the pidfile")
    if p.poll() is not None:
        expect(False, f"ptt-listen exited {p.returncode}: {p.stderr.read()}")
    pid = int(open(pidfile).read())
    expect(pid == p.pid, f"pidfile holds {pid}, the process is {p.pid}")
    out = LineReader(p.stdout)

    # The pre-roll can only be whole once 300 ms have been captured (twice that, for the
    # periods ALSA reads ahead).
    mic.wait_captured(pid, 0.6)
    os.kill(pid, signal.SIGUSR1)
    out.wait_for(lambda ls: sum(l["type"] == "audio" for l in ls) >= 40, what="audio after SIGUSR1")
    os.kill(pid, signal.SIGUSR2)
    lines = out.wait_for(lambda ls: ls[-1]["type"] == "ptt.stop", what="ptt.stop after SIGUSR2")

    start, stop = lines[0], lines[-1]
    audio = lines[1:-1]
    expect(start["type"] == "ptt.start", f"first line {start}")
    expect(all(l["type"] == "audio" for l in audio), "only audio between start and stop")
    expect(start["ms"] >= 300 and start["preroll_ms"] == 300, f"pre-roll not whole: {start}")
    expect(audio[0]["ms"] == start["ms"] - 300, f"pre-roll starts at {audio[0]['ms']}, press at {start['ms']}")
    expect(stop["reason"] == "release", f"stop {stop}")
    expect(audio[-1]["ms"] + 20 == stop["ms"] + 200, f"tail ends at {audio[-1]['ms'] + 20}, release at {stop['ms']}")
    expect([l["ms"] for l in audio] == list(range(audio[0]["ms"], audio[-1]["ms"] + 1, 20)), "a gap in the audio")
    expect([l["seq"] for l in audio] == list(range(len(audio))), "seq is not 0, 1, 2, ...")
    expect(stop["audio_ms"] == 20 * len(audio), f"audio_ms {stop['audio_ms']} for {len(audio)} chunks")

    samples = pcm(audio)
    first = audio[0]["ms"] * 24
    err = sig = 0.0
    for k, s in enumerate(samples):
        want = source((first + k) / 24000) * 32767
        err += (s - want) ** 2
        sig += want * want
    snr = 10 * math.log10(sig / max(err, 1e-9))
    expect(snr > 60, f"audio is not the source at the stamped positions: SNR {snr:.1f} dB")

    os.kill(pid, signal.SIGTERM)
    expect(p.wait(10) == 0, f"SIGTERM exit status {p.returncode}")
    expect(not os.path.exists(pidfile), "pidfile left behind")
    stderr = p.stderr.read().decode()
    expect("dBFS" not in stderr, f"--meter drew on a stderr that is not a terminal: {stderr[:200]!r}")
    print(f"ok: press at {start['ms']} ms, {len(audio)} chunks from {audio[0]['ms']} to {audio[-1]['ms']} ms, "
          f"release at {stop['ms']} ms, SNR {snr:.1f} dB")
