"""The key check itself can fail: tests/support/key_leak_check.py run on a planted build
dir finds the test key (and the rejected one) in ctest's log and in kept sandbox files,
names the file and line without printing the key, passes a clean tree, and refuses to
pass vacuously when there is no ctest log. (A plain temp dir, not a Sandbox: a Sandbox's
files are kept for the real check, and the planted key must not be.)"""
import os
import subprocess
import sys
import tempfile

from ptt_harness import OPENAI_KEY, OPENAI_WRONG_KEY, SOURCE_DIR, expect, keep_text_files

CHECK = os.path.join(SOURCE_DIR, "tests", "support", "key_leak_check.py")


def check(build):
    r = subprocess.run([sys.executable, CHECK, build], capture_output=True, text=True, timeout=60)
    expect(OPENAI_KEY not in r.stdout + r.stderr and OPENAI_WRONG_KEY not in r.stdout + r.stderr,
           "the check printed the key it found")
    return r


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


with tempfile.TemporaryDirectory(prefix="key-check-") as build:
    r = check(build)
    expect(r.returncode == 2 and "no " in r.stderr and "LastTest.log" in r.stderr, f"no log: {r.returncode} {r.stderr}")

    log = os.path.join(build, "Testing", "Temporary", "LastTest.log")
    state = os.path.join(build, "test-artifacts", "rt-turn-x1", "state", "tasks", "1.json")
    write(log, "Start testing\nok: all fine\n")
    write(state, '{"id": 1,\n "state": "succeeded",\n "cwd": "/tmp"}\n')
    r = check(build)
    expect(r.returncode == 0 and "none of 2 files" in r.stdout, f"clean tree: {r.returncode} {r.stdout} {r.stderr}")

    write(state, f'{{"id": 1,\n "state": "succeeded",\n "env": {{"OPENAI_API_KEY": "{OPENAI_KEY}"}}}}\n')
    r = check(build)
    expect(r.returncode == 1 and f"{state}: line 3" in r.stderr and "1 file(s)" in r.stderr,
           f"planted key in a state file not found: {r.returncode} {r.stderr}")

    write(log, f"Start testing\nstderr: rejected key {OPENAI_WRONG_KEY}\n")
    r = check(build)
    expect(r.returncode == 1 and f"{log}: line 2" in r.stderr and "2 file(s)" in r.stderr,
           f"planted rejected key in LastTest.log not found: {r.returncode} {r.stderr}")
    # What a Sandbox keeps at cleanup is what gets checked: a leak into a sandbox's log counts.
    with tempfile.TemporaryDirectory(prefix="key-check-build-") as build2:
        write(os.path.join(build2, "Testing", "Temporary", "LastTest.log"), "clean\n")
        with tempfile.TemporaryDirectory(prefix="rt-leaky-") as root:
            write(os.path.join(root, "realtime.err"), f"ptt-realtime: connecting with {OPENAI_KEY}\n")
            with open(os.path.join(root, "reply.raw"), "wb") as f:
                f.write(b"\0\1" + OPENAI_KEY.encode())  # binary (audio): not kept
            keep_text_files(root, os.path.join(build2, "test-artifacts"))
            kept = os.path.join(build2, "test-artifacts", os.path.basename(root))
            expect(sorted(os.listdir(kept)) == ["realtime.err"], f"kept: {os.listdir(kept)}")
        r = check(build2)
        expect(r.returncode == 1 and os.path.join(kept, "realtime.err") + ": line 1" in r.stderr,
               f"a key in a kept sandbox file was not found: {r.returncode} {r.stderr}")
print("ok: the key check fails on a planted key (state file, ctest log), passes a clean tree, needs a log")
