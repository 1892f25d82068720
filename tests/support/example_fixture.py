"""Runs the scripts in examples/ against a real ptt-taskd with the fake agent: PATH holds
a directory of fake boundary programs (sendmail, notify-send, ...) that record what they
were given, then the built tools, then only the system's /usr/bin and /bin."""
import os
import subprocess

from ptt_harness import BIN_DIR, SOURCE_DIR, expect

EXAMPLES = os.path.join(SOURCE_DIR, "examples")


def example(*parts):
    path = os.path.join(EXAMPLES, *parts)
    expect(os.path.isfile(path), f"missing example {path}")
    return path


class FakeBin:
    """A directory of recording fakes: each call appends {argv, stdin} as one JSON line."""

    def __init__(self, sb):
        self.dir = sb.path("fakebin")
        self.record = sb.path("fakebin.calls")
        os.makedirs(self.dir, exist_ok=True)

    def add(self, name, read_stdin=True, exit_status=0):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(f"""#!/usr/bin/python3
import json, sys
data = sys.stdin.read() if {read_stdin!r} else None
with open({self.record!r}, "a") as out:
    out.write(json.dumps({{"prog": {name!r}, "argv": sys.argv[1:], "stdin": data}}) + "\\n")
sys.exit({exit_status})
""")
        os.chmod(path, 0o755)

    def calls(self, name=None):
        import json
        if not os.path.exists(self.record):
            return []
        with open(self.record) as f:
            return [c for c in map(json.loads, f) if name is None or c["prog"] == name]

    def env(self, sb, **extra):
        return dict(sb.env, PATH=f"{self.dir}:{BIN_DIR}:/usr/bin:/bin", **extra)


def run_script(args, env, input=None, timeout=60):
    return subprocess.run(args, env=env, input=input, capture_output=True, text=True, timeout=timeout)
