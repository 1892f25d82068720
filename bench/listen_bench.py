#!/usr/bin/env python3
"""ptt-listen speed: CPU while capturing, next to arecord on the same device, and
latency from a chunk's capture callback to its line on stdout.

The device is real-time paced: jackd's dummy backend (wall clock) under the ALSA
file plugin, exactly as tests/support/listen_audio.py sets it up. Run:

    python3 bench/listen_bench.py [--seconds 10] [--build build] [--cpu-only] [--json FILE]
"""
import argparse
import array
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def thread_seconds(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        out[int(tid)] = (int(fields[11]) + int(fields[12])) / TICKS
    return out


def measure_cpu(proc, seconds):
    """Percent of one core over the window: (whole process, main thread only)."""
    before, threads, t0 = cpu_seconds(proc.pid), thread_seconds(proc.pid), time.monotonic()
    time.sleep(seconds)  # a benchmark window, not a readiness wait
    elapsed = time.monotonic() - t0
    main = thread_seconds(proc.pid).get(proc.pid, 0) - threads.get(proc.pid, 0)
    return 100 * (cpu_seconds(proc.pid) - before) / elapsed, 100 * main / elapsed


def wait_ready(proc):
    for line in proc.stderr:
        if b"ready:" in line:
            return
    sys.exit(f"ptt-listen did not start (exit {proc.wait()})")


def percentiles(values):
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return f"median {statistics.median(values):.3f} ms, p95 {pick(0.95):.3f} ms, max {values[-1]:.3f} ms"


def read_arrivals(stream, arrivals):
    for raw in stream:
        now = time.monotonic_ns()
        line = json.loads(raw)
        if line.get("type") == "audio":
            arrivals[line["ms"]] = now


def latency_report(trace_path, arrivals, label):
    rows = [tuple(map(int, l.split())) for l in open(trace_path)]
    rows = [r for r in rows if r[0] in arrivals][5:]  # skip start-up
    written = [(w - c) / 1e6 for _, c, w in rows]
    read = [(arrivals[ms] - c) / 1e6 for ms, c, _ in rows]
    print(f"  {label}: {len(rows)} chunks")
    print(f"    capture → written to stdout: {percentiles(written)}")
    print(f"    capture → read by the consumer: {percentiles(read)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--cpu-only", action="store_true", help="skip the latency measurements")
    ap.add_argument("--json", metavar="FILE", help="also write the CPU figures as JSON to FILE")
    args = ap.parse_args()
    listen = os.path.join(args.build, "tools", "ptt-listen")
    tmp = tempfile.mkdtemp(prefix="ptt-bench-")
    raw = os.path.join(tmp, "IN.raw")
    n = int(48000 * (args.seconds * 2 + 10))
    tone = array.array("h", (int(8000 * math.sin(2 * math.pi * 440 * i / 48000)) for i in range(n // 10)))
    frames = array.array("h", [s for s in tone for _ in (0, 1)]) * 10
    with open(raw, "wb") as f:
        frames.tofile(f)
    conf = os.path.join(tmp, "asound.conf")
    with open(conf, "w") as f:
        f.write(f"""pcm.jackcap {{ type jack capture_ports {{ 0 system:capture_1 1 system:capture_2 }} }}
pcm.filecap {{ type file slave.pcm {{ type plug slave.pcm "jackcap" }} file "/dev/null" infile "{raw}" format "raw" }}
pcm.nullplay {{ type null }}
pcm.!default {{ type asym capture.pcm "filecap" playback.pcm "nullplay" }}
""")
    env = dict(os.environ, ALSA_CONFIG_PATH=conf, JACK_DEFAULT_SERVER=f"ptt-bench-listen-{os.getpid()}", JACK_NO_START_SERVER="1")
    jackd = subprocess.Popen(["jackd", "--no-realtime", "-d", "dummy", "-r", "48000", "-p", "1024", "-C", "2",
                              "-P", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if subprocess.run(["jack_lsp"], env=env, capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        print(f"load average {os.getloadavg()[0]:.1f}; ptt-listen benchmark: 48 kHz stereo, real-time paced (jackd dummy + ALSA file plugin), "
              f"{args.seconds:.0f} s windows, {os.cpu_count()} cores")

        trace = os.path.join(tmp, "trace.txt")
        p = subprocess.Popen([listen, "--hotkey", "none"], env=dict(env, PTT_LISTEN_TRACE=trace),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        wait_ready(p)
        arrivals = {}
        threading.Thread(target=read_arrivals, args=(p.stdout, arrivals), daemon=True).start()
        ours, ours_main = measure_cpu(p, args.seconds)
        p.send_signal(signal.SIGINT)
        p.wait()

        a = subprocess.Popen(["arecord", "-q", "-D", "default", "-f", "S16_LE", "-r", "48000", "-c", "2", "-t", "raw"],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        peer, _ = measure_cpu(a, args.seconds)
        a.terminate()
        a.wait()

        print("CPU while capturing (% of one core):")
        print(f"  ptt-listen --hotkey none (capture, resample, base64, NDJSON): {ours:.2f}%   (target < 2%)")
        print(f"    of which the main thread (conversion and output):          {ours_main:.2f}%")
        print(f"    the rest: PortAudio's ALSA thread and the JACK client threads of this bench device")
        print(f"  arecord, same device, raw to /dev/null:                       {peer:.2f}%")
        if args.json:
            with open(args.json, "w") as out:
                json.dump({"seconds": args.seconds, "ptt_cpu_pct": ours, "ptt_main_thread_pct": ours_main,
                           "arecord_cpu_pct": peer}, out)
        if args.cpu_only:
            return
        print("Latency (chunk 20 ms; target < 1 ms beyond it, i.e. from the callback that completes a chunk):")
        latency_report(trace, arrivals, "microphone (PortAudio callback time)")

        speech = os.path.join(tmp, "speech.wav")
        subprocess.run(["sox", "-n", "-r", "22050", "-c", "1", "-b", "16", speech, "synth", str(args.seconds / 2),
                        "sine", "300"], check=True)
        ftrace = os.path.join(tmp, "ftrace.txt")
        f = subprocess.Popen([listen, "--file", speech], env=dict(env, PTT_LISTEN_TRACE=ftrace),
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        farrivals = {}
        reader = threading.Thread(target=read_arrivals, args=(f.stdout, farrivals))
        reader.start()
        f.wait()
        reader.join()
        latency_report(ftrace, farrivals, "--file real-time mode (paced deadline)")
    finally:
        jackd.send_signal(signal.SIGTERM)
        jackd.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
