"""bench/hosts_ssh.py still runs end to end against a real sshd (one call of each kind): it
prints a row for each of its ten calls, with a number, and the over-floor figures of the
four `ptt-task --host` rows. The figures themselves are not judged here."""
import json
import os
import re
import subprocess

from ptt_harness import SOURCE_DIR, TEST_BIN_DIR, Sandbox, expect
import ssh_fixture  # noqa: F401  (skips, with the reason, where OpenSSH is missing)

with Sandbox("bench-hosts-smoke") as sb:
    out = sb.path("hosts.json")
    build = os.path.dirname(TEST_BIN_DIR)
    proc = subprocess.run(["/usr/bin/python3", os.path.join(SOURCE_DIR, "bench", "hosts_ssh.py"), "--build", build,
                           "--runs", "1", "--json", out], capture_output=True, text=True, timeout=180, env=sb.env)
    expect(proc.returncode == 0, f"hosts_ssh.py exited {proc.returncode}\nstdout: {proc.stdout}\nstderr: {proc.stderr}")
    lines = proc.stdout.splitlines()
    header = next((i for i, l in enumerate(lines) if l.startswith("call ")), len(lines))
    rows = [l for l in lines[header + 1:] if re.match(r"^(ssh|ptt-task) .*\s\d+\.\d\s", l)]
    expect(len(rows) == 10, f"want 10 rows:\n{proc.stdout}")
    with open(out) as f:
        figures = json.load(f)["figures"]
    over = [name for name, f in figures.items() if "over_floor_ms" in f]
    expect(len(over) == 4 and all(n.startswith("ptt-task --host") for n in over), f"over-floor rows: {over}")
    print("ok")
