"""Reads the installed systemd unit files the way systemd would, closely enough to run
their ExecStart lines in a test: [Section] Key=Value pairs, the specifiers we use
(%t %h %E %%), systemd's quoting (shlex is the same for our lines) and `$$` -> `$`."""
import configparser
import os
import shlex
import subprocess

from ptt_harness import BIN_DIR, expect


def install_prefix(sb, prefix):
    """`cmake --install` of this build into prefix (no DESTDIR): units name prefix/bin."""
    build_dir = os.path.dirname(BIN_DIR)  # build/tools -> build
    r = subprocess.run(["cmake", "--install", build_dir, "--prefix", prefix], capture_output=True, text=True,
                       env=sb.env, timeout=120)
    expect(r.returncode == 0, f"cmake --install failed: {r.stdout}{r.stderr}")
    return os.path.join(prefix, "lib", "systemd", "user")


def read_unit(path):
    parser = configparser.ConfigParser(interpolation=None, strict=False, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive
    with open(path) as f:
        parser.read_file(f)
    return parser


def expand(value, env):
    """The user-manager specifiers our units use."""
    out, i = [], 0
    table = {"t": env["XDG_RUNTIME_DIR"], "h": env["HOME"], "E": env["XDG_CONFIG_HOME"], "%": "%"}
    while i < len(value):
        if value[i] == "%" and i + 1 < len(value):
            expect(value[i + 1] in table, f"unexpected specifier %{value[i + 1]} in {value!r}")
            out.append(table[value[i + 1]])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def exec_start(unit, env):
    """ExecStart as argv, after specifiers; `$$` becomes `$` (systemd's escape)."""
    line = expand(unit["Service"]["ExecStart"], env)
    return [word.replace("$$", "$") for word in shlex.split(line)]


def environment(unit, env):
    """Environment= assignments (one per line in our units), specifiers expanded."""
    raw = unit["Service"].get("Environment", "")
    return dict(expand(item, env).split("=", 1) for item in shlex.split(raw))
