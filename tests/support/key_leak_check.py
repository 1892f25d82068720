#!/usr/bin/python3
"""Fails if the tests' OpenAI key (ptt_harness.KEY_SENTINEL_PREFIX...) appears anywhere in
a test run's output: ctest's log of every test (Testing/Temporary/LastTest*.log) and the
files the sandboxes left (test-artifacts/: logs, state, captured stdout and stderr).

usage: key_leak_check.py BUILD_DIR      (run by `make -f Makefile.dist test` after ctest)
Exit 0 when clean, 1 when found (the files and line numbers are listed, never the lines:
they hold the key), 2 when there is nothing to check.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptt_harness import KEY_SENTINEL_PREFIX  # noqa: E402


def files_to_scan(build_dir):
    logs = os.path.join(build_dir, "Testing", "Temporary")
    if os.path.isdir(logs):
        yield from (os.path.join(logs, n) for n in sorted(os.listdir(logs)) if n.startswith("LastTest"))
    for dirpath, _, names in os.walk(os.path.join(build_dir, "test-artifacts")):
        yield from (os.path.join(dirpath, n) for n in sorted(names))


def lines_with_key(path, needle=KEY_SENTINEL_PREFIX.encode()):
    with open(path, "rb") as f:
        return [i for i, line in enumerate(f, 1) if needle in line]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    build_dir = sys.argv[1]
    scanned, found = 0, []
    for path in files_to_scan(build_dir):
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        scanned += 1
        if hits := lines_with_key(path):
            found.append((path, hits))
    if not any(os.path.basename(p).startswith("LastTest") for p in files_to_scan(build_dir)):
        print(f"key-leak-check: error: no {build_dir}/Testing/Temporary/LastTest.log; run ctest first",
              file=sys.stderr)
        return 2
    if found:
        print(f"key-leak-check: error: the test OpenAI key appears in {len(found)} file(s) of the test run; "
              "ptt printed or stored OPENAI_API_KEY:", file=sys.stderr)
        for path, hits in found:
            shown = ", ".join(map(str, hits[:10])) + (" ..." if len(hits) > 10 else "")
            print(f"  {path}: line {shown}", file=sys.stderr)
        return 1
    print(f"key-leak-check: ok: the test OpenAI key appears in none of {scanned} files "
          f"(LastTest.log and {build_dir}/test-artifacts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
