"""--hotkey tty: Enter on the terminal toggles recording; --meter draws on a
terminal stderr. And a microphone of digital silence is warned about after 2 s."""
import os
import pty
import select
import time

from listen_audio import FakeMicrophone, LineReader, tone_frames, wait_for_stderr_line
from ptt_harness import TIMEOUT_FACTOR, Sandbox, expect, fail

with Sandbox("listen-tty") as sb:
    mic = FakeMicrophone(sb, tone_frames(20))
    master, slave = pty.openpty()
    p = sb.start(["ptt-listen", "--hotkey", "tty", "--meter", "--tail-ms", "0"], env=mic.env,
                 stdin=slave, stderr=slave)
    os.close(slave)
    seen = b""

    def read_terminal_until(needle, timeout=20):
        global seen
        deadline = time.monotonic() + timeout * TIMEOUT_FACTOR
        while needle not in seen:
            if time.monotonic() > deadline:
                fail(f"no {needle!r} on the terminal; got {seen[-500:]!r}")
            if select.select([master], [], [], 0.1)[0]:
                seen += os.read(master, 4096)

    read_terminal_until(b"ready:")
    out = LineReader(p.stdout)
    os.write(master, b"\n")
    out.wait_for(lambda ls: sum(l["type"] == "audio" for l in ls) >= 20, what="audio after Enter")
    read_terminal_until(b"REC [")  # the meter, while recording
    read_terminal_until(b"dBFS")
    os.write(master, b"\n")
    lines = out.wait_for(lambda ls: ls[-1]["type"] == "ptt.stop", what="ptt.stop after a second Enter")
    kinds = [l["type"] for l in lines]
    expect(kinds.count("ptt.start") == 1 and kinds.count("ptt.stop") == 1, f"events {kinds}")
    p.terminate()
    expect(p.wait(10) == 0, f"exit {p.returncode}")
    os.close(master)

    # Not a terminal: --hotkey tty is refused with advice.
    r = sb.run(["ptt-listen", "--hotkey", "tty"], input="", env=mic.env, check=2)
    expect("--hotkey signal" in r.stderr, r.stderr)
    mic.close()  # the next sandbox starts a server of the same name

with Sandbox("listen-silence") as sb:
    mic = FakeMicrophone(sb, tone_frames(10, parts=((1000.0, 0.0),)))
    p = sb.start(["ptt-listen", "--hotkey", "signal"], env=mic.env, text=True)
    start = time.monotonic()
    wait_for_stderr_line(p, "digital silence", timeout=30)
    waited = time.monotonic() - start
    expect(waited >= 1.9, f"warned after {waited:.2f} s, before 2 s of silence")
    p.terminate()
    expect(p.wait(10) == 0, f"exit {p.returncode}")
print("ok: Enter toggles, the meter draws, digital silence is reported")
