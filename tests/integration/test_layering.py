"""The layering CONTRIBUTING.md describes, checked on the includes: ptt-supervise's code
(lib/supervise) uses only core, and the libuv helpers (lib/uvutil) only core, so neither
grows a dependency on the daemon or a tool's domain by accident."""
import os
import re

from ptt_harness import expect

LIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "lib")
ALLOWED = {"supervise": {"core", "supervise"}, "uvutil": {"core", "uvutil"}}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/', re.M)

for area, allowed in ALLOWED.items():
    folder = os.path.join(LIB, area)
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            used = set(INCLUDE.findall(f.read()))
        expect(used <= allowed, f"lib/{area}/{name} includes {sorted(used - allowed)}; "
                                f"lib/{area} may use only {sorted(allowed)}")
print("ok: lib/supervise and lib/uvutil include only core and themselves")
