"""--speaker for real: PortAudio plays the reply on a JACK dummy device that runs at
wall-clock speed, and a barge-in truncates the reply at the milliseconds actually played."""
import shutil
import subprocess
import time

from ptt_harness import Sandbox, expect, skip, wait_until
from realtime_fixture import MockServer, Realtime

if not shutil.which("jackd") or not shutil.which("jack_wait"):
    skip("jackd (Debian jackd2) is not installed")

with Sandbox("rt-speaker") as sb:
    server = f"ptt-rt-{int(time.monotonic() * 1000)}"
    env = dict(sb.env, JACK_DEFAULT_SERVER=server, JACK_NO_AUDIO_RESERVATION="1",
               ALSA_CONFIG_PATH=sb.path("asound.conf"))
    with open(sb.path("asound.conf"), "w") as f:
        f.write("pcm.!default { type null }\n")  # no sound card: keep ALSA's probing quiet
    jack_log = open(sb.path("jackd.log"), "w")
    jackd = sb.start(["/usr/bin/jackd", "--no-realtime", "-d", "dummy", "-r", "24000", "-p", "480"], env=env,
                     stdout=jack_log, stderr=jack_log)

    def jack_up():
        if jackd.poll() is not None:
            # e.g. "Too many servers already active": JACK's machine-wide registry is full
            # of servers other programs left behind. Not ptt's doing; say so and skip.
            lines = [l for l in open(sb.path("jackd.log")).read().splitlines() if l.strip()]
            skip(f"jackd could not start here: {lines[-3:]}")
        return subprocess.run(["jack_wait", "-c"], env=env, capture_output=True, text=True).stdout.startswith("running")

    wait_until(jack_up, 10, "jackd")

    mock = MockServer(sb, "--no-calls", "--reply-ms", "3000")
    rt = Realtime(sb, mock.url, "--speaker", "--output-device", "system", "--socket", sb.path("none.sock"), env=env)
    rt.wait_type("session", state="ready")
    rt.send({"type": "text", "text": "talk for three seconds"})
    rt.wait_type("response", state="done")
    started = time.monotonic()
    time.sleep(0.5)  # let half a second of the reply sound (this is what is being measured)
    rt.send({"type": "ptt.start"})
    barge = rt.wait_type("barge_in")
    elapsed_ms = (time.monotonic() - started) * 1000 + 200  # the reply began before response.done arrived
    expect(0 < barge["played_ms"] < min(3000, elapsed_ms), f"played_ms {barge['played_ms']}, wall {elapsed_ms:.0f}")
    truncate = mock.wait_for(lambda e: e.get("received", {}).get("type") == "conversation.item.truncate",
                             what="truncate")[0]["received"]
    expect(truncate["audio_end_ms"] == barge["played_ms"], f"truncate {truncate} vs {barge}")
    rt.send({"type": "ptt.stop"})
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    mock.expect_clean()
    jackd.terminate()  # a clean exit frees its slot in JACK's machine-wide registry
    jackd.wait(timeout=10)
print(f"ok: the speaker played {barge['played_ms']} ms before the barge-in, and that is what was truncated")
