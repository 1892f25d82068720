"""A config file whose keys nest a million levels deep (one 2 MB dotted key, or a table
header) is a usage error naming the file and line in every tool, not a crash: toml++
bounds nested values but not dotted keys, and frees the tables it built recursively."""
from ptt_harness import Sandbox, expect

TOOLS = ["ptt-listen", "ptt-realtime", "ptt-taskd", "ptt-task"]
DOTTED = ".".join(["a"] * 1_000_000)

with Sandbox("config-deep") as sb:
    for name, text, line in (("key", f"[ptt-task]\n{DOTTED} = 1\n", 2), ("table", f"[x.{DOTTED}]\nk = 1\n", 1)):
        path = sb.path(f"{name}.toml")
        with open(path, "w") as f:
            f.write(text)
        for tool in TOOLS:
            r = sb.run([tool, "--config", path, "--help"], check=None)
            expect(r.returncode == 2, f"{tool} with a deep {name}: exit {r.returncode}, stderr {r.stderr[:300]!r}")
            wanted = f"{tool}: error: {path}:{line}: keys or values nested deeper than 512 levels"
            expect(r.stderr.startswith(wanted), f"{tool} said {r.stderr[:300]!r}, wanted {wanted!r}")
print("ok: a config file nested a million deep is an error in every tool")
