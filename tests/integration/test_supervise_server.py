#!/usr/bin/env python3
"""ptt-supervise on its own, driven the way ptt-taskd drives it: request lines on a
socketpair as its stdin. It runs the real fake-agent and records agent and exit lines
in each task's supervisor.ndjson; cancel works by line, by queued real-time signal
(what a restarted daemon uses) and by SIGTERM to the server; agents outlive the
daemon's end of the socket; a task it cannot record is reported back on the socket."""
import ctypes
import json
import os
import signal
import socket
import subprocess
import time

from ptt_harness import Sandbox, binary, expect, wait_until
from taskd_fixture import pid_alive, supervisor_status

SIGRT_CANCEL = signal.SIGRTMIN + 1  # cancel_signal() in lib/supervise/agent_request.h


class sigval(ctypes.Union):
    _fields_ = [("sival_int", ctypes.c_int), ("sival_ptr", ctypes.c_void_p)]


def sigqueue(pid, sig, value):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.sigqueue.argtypes = [ctypes.c_int, ctypes.c_int, sigval]
    v = sigval()
    v.sival_ptr = value
    expect(libc.sigqueue(pid, sig, v) == 0, f"sigqueue: errno {ctypes.get_errno()}")


with Sandbox("supervise-server") as sb:
    work = sb.path("work")
    os.makedirs(work)
    agent = binary("fake-agent")

    # Not started by the daemon (no socket on stdin): a clear refusal.
    r = subprocess.run([binary("ptt-supervise")], stdin=subprocess.DEVNULL, capture_output=True, text=True)
    expect(r.returncode == 2 and "started by ptt-taskd" in r.stderr, f"{r.returncode} {r.stderr!r}")

    def start_server():
        ours, theirs = socket.socketpair()
        proc = subprocess.Popen([binary("ptt-supervise")], stdin=theirs, stderr=subprocess.PIPE,
                                env=sb.env, start_new_session=True)
        theirs.close()
        sb.procs.append(proc)
        return ours, proc

    def prepare(task):
        d = sb.path("state", "logs", str(task))
        os.makedirs(d)
        with open(os.path.join(d, "supervisor.ndjson"), "w") as f:
            f.write('\n{"started_at":1}\n')
        return d

    def request(conn, task, prompt, cwd=work, grace_ms=5000, extra_env=None, make_dir=True):
        d = prepare(task) if make_dir else sb.path("state", "logs", str(task))
        line = {"task": task, "argv": [agent, "-p", prompt], "cwd": cwd, "log_dir": d,
                "env": [f"PTT_TASK_ID={task}"] + (extra_env or []), "kill_grace_ms": grace_ms, "umask": 0o027}
        conn.sendall((json.dumps(line) + "\n").encode())

    def status(task):
        return supervisor_status(sb.state_dir, task)

    def ended(task):
        return wait_until(lambda: status(task).get("exit"), 20, f"task {task}'s exit line")

    def agent_info(task):
        with open(sb.path("state", "logs", str(task), "stream.ndjson")) as f:
            return next(json.loads(l) for l in f if l.endswith("\n") and '"fake_agent"' in l)  # whole lines

    conn, server = start_server()

    # A task runs to its end: stream and exit recorded, its environment and umask applied.
    request(conn, 1, "result success ok")
    e = ended(1)
    expect(e == {"exit_code": 0, "signal": 0, "exec_errno": 0, "cancelled": False}, str(e))
    info = agent_info(1)
    expect(info["task_id"] == "1" and info["cwd"] == work and info["umask"] == 0o027,
           str(info))
    expect(info["pgid"] == info["pid"] == status(1)["agent"], f"agent not in its own group: {info}")

    # Two requests in one write, a garbage line between them: both run, the server goes on.
    request(conn, 2, "exit 3")
    conn.sendall(b"{not json\n")
    request(conn, 3, "result success again")
    expect(ended(2)["exit_code"] == 3 and ended(3)["exit_code"] == 0, "requests after a bad line")

    # Cancel by line: SIGTERM to the group, then SIGKILL when ignored (grace 0.2 s).
    request(conn, 4, "ignore-term; grandchild; sleep 60", grace_ms=200)
    wait_until(lambda: status(4).get("agent"), what="task 4's agent")
    gc = wait_until(lambda: next((json.loads(l)["pid"] for l in open(sb.path("state", "logs", "4", "stream.ndjson"))
                                  if "fake_grandchild" in l), None), what="the grandchild")
    conn.sendall(b'{"cancel":4}\n')
    e = ended(4)
    expect(e["cancelled"] and e["signal"] == signal.SIGKILL, f"cancel escalates to SIGKILL: {e}")
    wait_until(lambda: not pid_alive(gc), 5, "the grandchild to die with its group")

    # Cancel from a later daemon: a queued real-time signal carrying the task id.
    # Two at once must both arrive (real-time signals queue; plain ones would merge).
    request(conn, 5, "sleep 60")
    request(conn, 6, "sleep 60")
    wait_until(lambda: status(5).get("agent") and status(6).get("agent"), what="tasks 5 and 6")
    sigqueue(server.pid, SIGRT_CANCEL, 5)
    sigqueue(server.pid, SIGRT_CANCEL, 6)
    for t in (5, 6):
        e = ended(t)
        expect(e["cancelled"] and e["signal"] == signal.SIGTERM, f"task {t}: {e}")

    # Failures to start are recorded, with why in the task's stderr.log.
    request(conn, 7, "x", cwd=sb.path("missing"))
    e = ended(7)
    expect(e["exit_code"] == 127 and e["exec_errno"] == 0, str(e))
    with open(sb.path("state", "logs", "7", "stderr.log")) as f:
        expect("cannot enter the task's directory" in f.read(), "missing cwd not explained")
    d8 = prepare(8)
    conn.sendall((json.dumps({"task": 8, "argv": [sb.path("no-such-agent")], "cwd": work, "log_dir": d8}) + "\n")
                 .encode())
    e = ended(8)
    expect(e["exit_code"] == 127 and e["exec_errno"] == 2, str(e))

    # A task whose status file is missing cannot be recorded: reported on the socket.
    request(conn, 9, "x", make_dir=False)
    conn.settimeout(10)
    reply = json.loads(conn.makefile().readline())
    expect(reply["task"] == 9 and "cannot open" in reply["lost"], str(reply))

    # The daemon's end closes (kill -9, shutdown): running agents go on to their end,
    # then the server exits on its own.
    gate = sb.path("gate")
    request(conn, 10, f"wait-file {gate}; result success after the daemon")
    wait_until(lambda: status(10).get("agent"), what="task 10's agent")
    conn.close()
    time.sleep(0.2)  # a window in which a wrongly exiting server would exit, not a wait for readiness
    expect(server.poll() is None, "the server exited with an agent still running")
    open(gate, "w").close()
    expect(ended(10)["exit_code"] == 0, "task 10")
    expect(server.wait(timeout=10) == 0, "the server did not exit after its last agent")

    # SIGTERM to a server cancels all its tasks.
    conn, server = start_server()
    request(conn, 11, "sleep 60")
    request(conn, 12, "sleep 60")
    wait_until(lambda: status(11).get("agent") and status(12).get("agent"), what="tasks 11 and 12")
    server.send_signal(signal.SIGTERM)
    expect(ended(11)["cancelled"] and ended(12)["cancelled"], "SIGTERM did not cancel all")
    expect(server.poll() is None, "the server exited while its daemon's end is open")
    conn.close()
    expect(server.wait(timeout=10) == 0, "server exit status")
print("ok: ptt-supervise runs, records, cancels (line, queued signal, SIGTERM) and outlives its daemon")
