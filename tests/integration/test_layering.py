"""The layering CONTRIBUTING.md describes, checked on the includes: ptt-supervise's code
(lib/supervise) uses only core, and the libuv helpers (lib/uvutil) only core, so neither
grows a dependency on the daemon or a tool's domain by accident; no two classes in
lib/ share a name (a reader should never have to ask which `Session` this is); and
lib/core/spawn.cpp starts every child (no uv_spawn, posix_spawn, fork or vfork elsewhere)."""
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

# One spawner: any other use of uv_spawn or posix_spawn*, or a call of fork or vfork (in
# code, not in a comment or a string), fails.
SPAWNER = re.compile(r"\b(?:uv_spawn|posix_spawn\w*)\b|\bv?fork\s*\(")
COMMENT_OR_STRING = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"', re.S)
SPAWN_HELPER = os.path.join("core", "spawn.cpp")
spawners = []
for folder, _, files in os.walk(LIB):
    for name in files:
        path = os.path.join(folder, name)
        if os.path.relpath(path, LIB) == SPAWN_HELPER:
            continue
        with open(path, encoding="utf-8") as f:
            code = COMMENT_OR_STRING.sub("", f.read())
        spawners += [f"lib/{os.path.relpath(path, LIB)}: {m.group(0)}" for m in SPAWNER.finditer(code)]
expect(not spawners, f"children started outside lib/core/spawn.cpp (use ptt::spawn, core/spawn.h): {spawners}")
print(f"ok: lib/supervise and lib/uvutil include only core and themselves; {len(defined)} class names, each once; "
      "lib/core/spawn.cpp starts every child")
