"""--hotkey evdev: struct input_event records written into a FIFO (given as
--device) give ptt.start and ptt.stop; autorepeat and other keys are ignored. And
without a readable keyboard the error says what to do."""
import os
import struct

from listen_audio import FakeMicrophone, LineReader, tone_frames, wait_for_stderr_line
from ptt_harness import Sandbox, expect

EV_SYN, EV_KEY, EV_MSC = 0, 1, 4
KEY_A, KEY_F9, KEY_F10 = 30, 67, 68


def record(type_, code, value):
    # struct input_event on x86_64: struct timeval (2 × 8 bytes), u16 type, u16 code, s32 value.
    return struct.pack("qqHHi", 0, 0, type_, code, value)


def key(code, value):
    return record(EV_MSC, 4, code) + record(EV_KEY, code, value) + record(EV_SYN, 0, 0)


with Sandbox("listen-evdev") as sb:
    expect(struct.calcsize("qqHHi") == 24, "this test assumes 64-bit input_event records")
    r = sb.run(["ptt-listen", "--hotkey", "evdev", "--device", sb.path("missing")], check=1)
    expect("`input` group" in r.stderr and "--hotkey signal" in r.stderr, f"unhelpful error: {r.stderr!r}")
    r = sb.run(["ptt-listen", "--hotkey", "evdev", "--key", "NOSUCHKEY", "--device", sb.path("missing")], check=2)
    expect("unknown key 'NOSUCHKEY'" in r.stderr, f"bad --key error: {r.stderr!r}")
    if not os.path.isdir("/dev/input"):
        # The default: scan /dev/input. Here there is none, so the same advice.
        r = sb.run(["ptt-listen"], check=1)
        expect(r.stderr.startswith("ptt-listen: error: ") and "--hotkey signal" in r.stderr, r.stderr)

    mic = FakeMicrophone(sb, tone_frames(20))
    fifo = sb.path("keyboard")
    os.mkfifo(fifo)
    p = sb.start(["ptt-listen", "--device", fifo, "--key", "F9", "--preroll-ms", "100", "--tail-ms", "60"],
                 env=mic.env)
    ready = wait_for_stderr_line(p, "ready:")
    expect(any("evdev F9 on " + fifo in l for l in ready), f"readiness line: {ready}")
    out = LineReader(p.stdout)
    keyboard = os.open(fifo, os.O_WRONLY)

    # Other keys alone start nothing.
    os.write(keyboard, key(KEY_A, 1) + key(KEY_A, 0) + key(KEY_F10, 1) + key(KEY_F10, 0))
    # F9 down, autorepeat, other keys while held, then F9 up.
    os.write(keyboard, key(KEY_F9, 1))
    out.wait_for(lambda ls: any(l["type"] == "ptt.start" for l in ls), what="ptt.start on F9 down")
    os.write(keyboard, key(KEY_F9, 2) * 5 + key(KEY_A, 1) + key(KEY_A, 0))
    out.wait_for(lambda ls: sum(l["type"] == "audio" for l in ls) >= 15, what="audio while held")
    os.write(keyboard, key(KEY_F9, 2) + key(KEY_F9, 0))
    out.wait_for(lambda ls: ls[-1]["type"] == "ptt.stop", what="ptt.stop on F9 up")
    # A second utterance, split across writes mid-record.
    data = key(KEY_F9, 1)
    os.write(keyboard, data[:10])
    os.write(keyboard, data[10:])
    out.wait_for(lambda ls: [l["type"] for l in ls].count("ptt.start") == 2, what="second ptt.start")
    os.write(keyboard, key(KEY_F9, 0))
    lines = out.wait_for(lambda ls: [l["type"] for l in ls].count("ptt.stop") == 2, what="second ptt.stop")
    os.close(keyboard)

    kinds = [l["type"] for l in lines]
    expect(kinds.count("ptt.start") == 2 and kinds.count("ptt.stop") == 2, f"events: {kinds}")
    expect(kinds[0] == "ptt.start" and kinds[-1] == "ptt.stop", f"events: {kinds}")
    first_stop = kinds.index("ptt.stop")
    expect(kinds[1:first_stop] == ["audio"] * (first_stop - 1), "only audio inside the first utterance")
    for stop in (l for l in lines if l["type"] == "ptt.stop"):
        expect(stop["reason"] == "release", f"stop {stop}")
    p.terminate()
    expect(p.wait(10) == 0, f"SIGTERM exit status {p.returncode}")
    print(f"ok: {kinds.count('audio')} audio lines in 2 utterances; autorepeat and other keys ignored")
