"""The systemd user units: `cmake --install` puts them in <prefix>/lib/systemd/user,
`systemd-analyze --user verify` accepts them, systemd's own parser reads them as meant
(systemd_units.py), and ptt-taskd.service's ExecStart really
serves a socket handed over as ptt-taskd.socket would (systemd-socket-activate listens
at the socket's ListenStream and execs the ExecStart line on the first connection,
with LISTEN_FDS/LISTEN_PID)."""
import os
import shutil
import subprocess

from ptt_harness import Sandbox, binary, expect, fail, wait_until
from systemd_units import environment, exec_start, install_prefix, load_units

UNITS = ("ptt-taskd.socket", "ptt-taskd.service", "ptt-voice.service")
for tool in ("systemd-analyze", "systemd-socket-activate"):
    if not shutil.which(tool):
        fail(f"{tool} not found: install the Debian package 'systemd' (make -f Makefile.dist deps)")

with Sandbox("units") as sb:
    prefix = sb.path("prefix")
    unit_dir = install_prefix(sb, prefix)
    for name in UNITS:
        expect(os.path.isfile(os.path.join(unit_dir, name)), f"{name} not installed in {unit_dir}")
    os.makedirs(sb.env["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)

    # verify loads each unit in a user manager, checks ExecStart's binaries exist and are
    # executable, and (MANPATH) that each Documentation=man: page is installed.
    env = dict(sb.env, MANPATH=os.path.join(prefix, "share", "man"))
    r = subprocess.run(["systemd-analyze", "--user", "verify", *[os.path.join(unit_dir, n) for n in UNITS]],
                       capture_output=True, text=True, env=env, timeout=60)
    expect(r.returncode == 0 and not r.stderr.strip(), f"systemd-analyze verify: {r.returncode} {r.stdout}{r.stderr}")

    units = load_units(sb, unit_dir, UNITS)
    socket_unit, service = units["ptt-taskd.socket"], units["ptt-taskd.service"]
    (listen,) = socket_unit["ListenStream"]
    expect(listen == os.path.join(sb.env["XDG_RUNTIME_DIR"], "ptt", "taskd.sock"),
           f"the socket unit listens at {listen}, not where the tools look by default")
    argv = exec_start(service)
    expect(argv == [os.path.join(prefix, "bin", "ptt-taskd")], f"ExecStart: {argv}")
    unit_env = environment(service)
    expect(unit_env["PATH"].startswith(os.path.join(sb.env["HOME"], ".local/bin") + ":"),
           f"PATH misses ~/.local/bin (where claude's installer puts it): {unit_env}")

    # As the socket unit does: a 0700 directory, then the listening socket.
    os.makedirs(os.path.dirname(listen), mode=0o700)
    passed = {**unit_env, "PTT_STATE_DIR": sb.state_dir, "PTT_CLAUDE": binary("fake-agent"), "HOME": sb.env["HOME"]}
    cmd = ["systemd-socket-activate", "-l", listen]
    for key, value in passed.items():
        cmd += ["-E", f"{key}={value}"]
    log = open(sb.path("taskd.log"), "w")
    cmd[0] = shutil.which(cmd[0])
    activator = sb.start(cmd + ["--", *argv], stdout=subprocess.DEVNULL, stderr=log)
    # The socket file exists from bind(2), before listen(2): a connect in between is refused.
    # The activator logs "Listening on PATH as FD." once it listens.
    wait_until(lambda: "Listening on" in open(sb.path("taskd.log")).read() or activator.poll() is not None,
               what="the activator to listen")
    expect(activator.poll() is None, f"the activator exited: {open(sb.path('taskd.log')).read()}")

    # Nothing runs until someone connects; the client finds the socket by its default path.
    client_env = {k: v for k, v in sb.env.items() if k != "PTT_SOCKET"}
    t = sb.run(["ptt-task", "--no-autostart", "spawn", "--wait", "--cwd", sb.root, "result success activated"],
               env=client_env)
    expect(t.returncode == 0, f"spawn --wait over the activated socket: {t.returncode} {t.stdout} {t.stderr}\n"
                              f"{open(sb.path('taskd.log')).read()}")
    r = sb.run(["ptt-task", "--no-autostart", "result", t.stdout.strip()], env=client_env, check=0)
    expect(r.stdout.strip() == "activated", f"result: {r.stdout!r}")
    expect("socket activation" in open(sb.path("taskd.log")).read(), "the daemon did not take the passed socket")
    sb.run(["ptt-task", "--no-autostart", "shutdown"], env=client_env, check=0)
    expect(activator.wait(timeout=10) == 0, f"ptt-taskd exit status {activator.returncode}")
    expect(os.path.exists(listen), "the daemon removed the socket systemd owns")

    argv = exec_start(units["ptt-voice.service"])
    expect(argv[:2] == ["/bin/sh", "-c"] and argv[3:] == [os.path.join(prefix, "bin", t) for t in
                                                           ("ptt-listen", "ptt-realtime")], f"voice ExecStart: {argv}")
    expect(f"--hotkey signal --pidfile {sb.env['XDG_RUNTIME_DIR']}/ptt-listen.pid" in argv[2]
           and "$PTT_LISTEN_ARGS" in argv[2] and "$PTT_REALTIME_ARGS" in argv[2], f"voice script: {argv[2]}")
print("ok: units installed, verified, and ptt-taskd served a systemd-style activated socket")
