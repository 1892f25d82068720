"""The installed systemd user units as systemd itself reads them: `systemd --test --user`
loads them (SYSTEMD_UNIT_PATH) into a user manager that starts nothing and dumps every
unit's properties, specifiers (%t %h %E) resolved and ExecStart split into argv. systemd
refuses test mode as root, so as root it runs as nobody (setpriv)."""
import contextlib
import os
import re
import shlex
import shutil
import subprocess

from ptt_harness import BIN_DIR, expect

SYSTEMD = "/lib/systemd/systemd"
NOBODY = 65534


def install_prefix(sb, prefix):
    """`cmake --install` of this build into prefix (no DESTDIR): units name prefix/bin."""
    build_dir = os.path.dirname(BIN_DIR)  # build/tools -> build
    r = subprocess.run(["cmake", "--install", build_dir, "--prefix", prefix], capture_output=True, text=True,
                       env=sb.env, timeout=120)
    expect(r.returncode == 0, f"cmake --install failed: {r.stdout}{r.stderr}")
    return os.path.join(prefix, "lib", "systemd", "user")


def _chown_tree(path, uid, gid):
    for dirpath, dirs, files in os.walk(path):
        for name in [dirpath] + [os.path.join(dirpath, n) for n in dirs + files]:
            with contextlib.suppress(OSError):
                os.lchown(name, uid, gid)


def load_units(sb, unit_dir, names):
    """{unit name: {property: [values]}} for names, as systemd's user manager loaded them
    from unit_dir, with sb's HOME, XDG_RUNTIME_DIR and XDG_CONFIG_HOME; each ExecStart is
    an argv list (the `$$` escape is systemd's to undo at exec time, so it is still here)."""
    expect(os.access(SYSTEMD, os.X_OK), f"{SYSTEMD} not found: install the Debian package 'systemd'")
    runtime = sb.env["XDG_RUNTIME_DIR"]
    os.makedirs(runtime, mode=0o700, exist_ok=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": sb.env["HOME"], "XDG_RUNTIME_DIR": runtime,
           "XDG_CONFIG_HOME": sb.env["XDG_CONFIG_HOME"], "SYSTEMD_UNIT_PATH": unit_dir + ":",
           "SYSTEMD_LOG_LEVEL": "warning"}
    prefix = []
    as_root = os.geteuid() == 0
    if as_root:  # "Don't run test mode as root."; the manager writes under XDG_RUNTIME_DIR
        os.chmod(sb.root, 0o711)
        _chown_tree(runtime, NOBODY, NOBODY)
        prefix = [shutil.which("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    loaded = {}
    try:
        for name in names:  # the dump holds the start transaction of --unit: name and what it pulls in
            cmd = [*prefix, SYSTEMD, "--test", "--user", "--no-pager", "--log-target=console", f"--unit={name}"]
            r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
            expect(r.returncode == 0, f"systemd --test --user --unit={name}: {r.returncode} {r.stderr}")
            units = parse_dump(r.stdout)
            expect(name in units, f"systemd did not load {name} from {unit_dir}: {r.stderr}")
            expect(units[name]["Fragment Path"] == [os.path.join(unit_dir, name)],
                   f"{name} came from {units[name]['Fragment Path']}")
            expect(units[name]["Unit Load State"] == ["loaded"], f"{name}: {units[name]['Unit Load State']}")
            loaded[name] = units[name]
    finally:
        if as_root:
            _chown_tree(runtime, 0, 0)
            os.chmod(sb.root, 0o700)
    return loaded


def parse_dump(text):
    """The `-> By units:` part of systemd's dump: `\t-> Unit NAME:` then `\t\tKey: value`
    lines, and `\t\t-> ExecStart:` blocks whose `Command Line:` is shell-quoted."""
    units, unit, block = {}, None, None
    for line in text.splitlines():
        m = re.match(r"\t-> Unit (.+):$", line)
        if m:
            unit, block = units.setdefault(m.group(1), {}), None
            continue
        if unit is None:
            continue
        m = re.match(r"\t\t-> (\w+):$", line)
        if m:
            block = m.group(1)
            continue
        m = re.match(r"\t\t\tCommand Line: (.*)$", line)
        if m and block:
            # Inside double quotes systemd escapes \ " $ and ` (POSIX shell rules); shlex
            # in POSIX mode only knows the first two there.
            unit.setdefault(block, []).append(shlex.split(re.sub(r"\\([$`])", r"\1", m.group(1))))
            continue
        m = re.match(r"\t\t([^\t:][^:]*): (.*)$", line)
        if m:
            block = None
            unit.setdefault(m.group(1), []).append(m.group(2))
    return units


def environment(unit):
    """Environment= assignments as a dict (systemd lists one a line)."""
    return dict(item.split("=", 1) for item in unit.get("Environment", []))


def exec_start(unit):
    """ExecStart as the argv systemd execs: the `$$` escape becomes `$`."""
    (argv,) = unit["ExecStart"]
    return [word.replace("$$", "$") for word in argv]
