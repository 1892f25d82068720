"""The layering CONTRIBUTING.md describes, checked on the includes: ptt-supervise's code
(lib/supervise) uses only core, and the libuv helpers (lib/uvutil) only core, so neither
grows a dependency on the daemon or a tool's domain by accident; and no two classes in
lib/ share a name (a reader should never have to ask which `Session` this is)."""
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

# Classes and structs defined at a line's start (a nested `Outer::Inner` definition is
# not a new name); forward declarations end in ';' and do not count.
DEFINITION = re.compile(r"^(?:class|struct) ([A-Za-z_][A-Za-z0-9_]*)\b(?!::)[^;\n]*(?:\{|:|$)", re.M)
defined = {}
for folder, _, files in os.walk(LIB):
    for name in files:
        path = os.path.join(folder, name)
        with open(path, encoding="utf-8") as f:
            for cls in DEFINITION.findall(f.read()):
                defined.setdefault(cls, set()).add(os.path.relpath(path, LIB))
shared = {cls: sorted(paths) for cls, paths in defined.items() if len(paths) > 1}
expect(not shared, f"classes defined twice in lib/ (rename one): {shared}")
print(f"ok: lib/supervise and lib/uvutil include only core and themselves; {len(defined)} class names, each once")
