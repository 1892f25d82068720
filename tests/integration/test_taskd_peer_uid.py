"""A client of another uid is refused (SO_PEERCRED) and the daemon logs why. The socket
dir is 0700, so to reach the peer check at all this test opens the path up (0711 dirs,
0666 socket): the uid check is the second line of defence and must hold on its own."""
import os
import shutil
import subprocess

from ptt_harness import Sandbox, expect, skip
from taskd_fixture import Taskd

if os.geteuid() != 0:
    skip("needs root to run a client as another user (setpriv)", "root")
if not shutil.which("setpriv"):
    skip("setpriv (util-linux) is not installed")

CLIENT = r"""
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(sys.argv[1])
s.sendall(b'{"id":1,"op":"list"}\n')
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
print(data.decode().strip())
"""

with Sandbox("taskd-peer") as sb:
    run_dir = sb.path("run")
    sb.env["PTT_SOCKET"] = sb.socket
    d = Taskd(sb)
    owner = d.client()
    expect(owner.request("list")["ok"], "the owner must be served")
    os.chmod(sb.root, 0o711)
    os.chmod(run_dir, 0o711)
    os.chmod(sb.socket, 0o666)

    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", CLIENT,
                        sb.socket], capture_output=True, text=True, timeout=30)
    expect(r.returncode == 0, f"the nobody client failed to connect: {r.stderr}")
    lines = r.stdout.splitlines()
    expect(len(lines) == 1, f"the refused client got more than one reply: {r.stdout!r}")
    reply = __import__("json").loads(lines[0])
    expect(not reply["ok"] and reply["error"]["code"] == "permission_denied", str(reply))
    log = d.log()
    expect("refused a connection from uid 65534" in log, f"refusal not logged:\n{log}")
    expect(owner.request("list")["tasks"] == [], "the daemon stopped serving its owner")
    expect(d.proc.poll() is None, "daemon died")
print("ok: a peer of another uid is refused and logged")
