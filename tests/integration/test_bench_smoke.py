"""`make bench`'s driver (bench/run_all.py) still runs end to end: a tiny run (20 tasks,
one repeat, short windows) prints one well-formed table with ours and the peer's figure
on every row that has a peer (and "—" where a figure has only a target), and writes a RESULTS file with the machine, date, load and command.
The figures themselves are not judged here (CI machines vary); that is `make bench`'s job."""
import os
import re
import shutil
import subprocess

from ptt_harness import SOURCE_DIR, TEST_BIN_DIR, Sandbox, expect, skip

for tool in ("tsp", "jackd", "arecord", "sox"):
    if not shutil.which(tool):
        skip(f"{tool} is not installed (make -f Makefile.dist deps)")

FIGURES = ["spawns + wait", "CPU time per task of the", "floor of the", "list over", "daemon RSS", "idle wake-ups", "logs -f latency", "ptt.stop → commit, p50",
           "ptt.stop → commit, p99", "function call → output", "finish → announcement", "ptt-listen CPU",
           "worst list latency", "daemon start-up,", "daemon start-up CPU time", "daemon RSS after start-up",
           "daemon RSS after list", "list table (newest 100 finished) over", "list table CPU time",
           "list --all, every row", "list --all CPU time", "list --json over", "status of one", "spawn latency"]
# Figures measured against a target with no peer run beside them: the peer cells are "—".
NO_PEER = {"daemon start-up,", "daemon start-up CPU time", "daemon RSS after start-up", "daemon RSS after list",
           "list table CPU time", "list --all, every row", "list --all CPU time", "list --json over", "status of one"}
NUMBER = re.compile(r"^\d+(\.\d+)?$")

with Sandbox("bench-smoke") as sb:
    results = sb.path("out", "RESULTS.md")
    build = os.path.dirname(TEST_BIN_DIR)
    cmd = ["/usr/bin/python3", os.path.join(SOURCE_DIR, "bench", "run_all.py"), "--build", build, "--tasks", "20",
           "--repeats", "1", "--list-runs", "3", "--idle-seconds", "1", "--listen-seconds", "1",
           "--follow-samples", "10", "--tsp-follow-samples", "2", "--rt-turns", "5", "--rt-calls", "2",
           "--rt-tasks", "2", "--ingest-mb", "4", "--scale-tasks", "50", "--results", results]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=sb.env)
    expect(proc.returncode == 0, f"run_all.py exited {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}")

    lines = [l for l in proc.stdout.splitlines() if l.startswith("|")]
    expect(len(lines) == 2 + len(FIGURES), f"want a header, a rule and {len(FIGURES)} rows:\n{proc.stdout}")
    expect("ptt/peer" in lines[0] and set(lines[1]) <= set("|-"), f"bad header:\n{lines[0]}\n{lines[1]}")
    for want, line in zip(FIGURES, lines[2:]):
        cells = [c.strip() for c in line.strip("|").split("|")]
        expect(len(cells) == 6 and want in cells[0], f"row for {want!r} is {line!r}")
        # A target says whether it was met.
        expect(cells[5] == "" or re.search(r": (met|MISSED)$", cells[5]), f"no verdict beside the target in {line!r}")
        if want in NO_PEER:
            expect(NUMBER.match(cells[1]) and cells[2:5] == ["—"] * 3, f"want a figure and no peer in {line!r}")
            continue
        expect(NUMBER.match(cells[1]) and NUMBER.match(cells[3]), f"ours/peer not numbers in {line!r}")
        expect(cells[2] not in ("", "—"), f"no peer named in {line!r}")
        expect(re.match(r"^(\d+(\.\d+)?(e-?\d+)?|—|∞)$", cells[4]), f"bad ratio in {line!r}")

    expect(os.path.exists(results), f"no {results}")
    report = open(results).read()
    for field in ("- Date: ", "- Command: ", "- Machine: ", "cores", "- Load average", "at end: "):
        expect(field in report, f"RESULTS.md lacks {field!r}:\n{report[:1500]}")
    expect(all(l in report for l in lines), "RESULTS.md does not hold the printed table")
    expect(re.search(r"Load average \(1/5/15 min\) at start: [\d.]+ [\d.]+ [\d.]+; at end: [\d.]+", report),
           "load averages are not numbers")
print("ok")
