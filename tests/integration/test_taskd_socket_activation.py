"""systemd socket activation: with LISTEN_PID/LISTEN_FDS the daemon serves the socket it
is handed on fd 3 (and leaves the socket file alone when it exits)."""
import os
import socket
import subprocess

from ptt_harness import PROTOCOL_VERSION, NdjsonClient, Sandbox, binary, expect, wait_until
from taskd_fixture import spawn, wait_tasks

with Sandbox("taskd-activation") as sb:
    os.makedirs(os.path.dirname(sb.socket), mode=0o700)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sb.socket)
    listener.listen(16)
    fd = listener.fileno()

    def as_fd3():
        os.dup2(fd, 3)
        os.set_inheritable(3, True)

    # sh's $$ is the pid ptt-taskd keeps after exec, as systemd sets LISTEN_PID.
    cmd = ["/bin/sh", "-c", 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" --claude "$1"', binary("ptt-taskd"),
           binary("fake-agent")]
    log = open(sb.path("taskd.log"), "w")
    proc = subprocess.Popen(cmd, env=sb.env, stdout=subprocess.DEVNULL, stderr=log, preexec_fn=as_fd3,
                            pass_fds=(3,))  # keeps fd 3 open past close_fds
    sb.procs.append(proc)
    listener.close()  # the daemon has its own copy on fd 3
    wait_until(lambda: proc.poll() is not None or "listening on" in open(sb.path("taskd.log")).read(),
               what="the daemon to listen")
    expect(proc.poll() is None, "daemon exited: " + open(sb.path("taskd.log")).read())
    c = NdjsonClient(sb.socket)
    expect(c.request("hello", version=PROTOCOL_VERSION)["ok"], "hello over the activated socket")
    t = spawn(c, "result success activated", sb.root)
    rec = wait_tasks(c, [t])[t]
    expect(rec["state"] == "succeeded", str(rec))
    lines = [l for l in open(os.path.join(sb.state_dir, "logs", str(t), "stream.ndjson"))]
    expect(not any("LISTEN_PID" in l for l in lines), "LISTEN_* leaked to the agent")
    c.request("shutdown")
    expect(proc.wait(timeout=10) == 0, "exit status")
    expect(os.path.exists(sb.socket), "the daemon removed a socket it does not own")
    expect("socket activation" in open(sb.path("taskd.log")).read(), "activation not logged")
print("ok: socket activation works")
