"""For the descriptor-exhaustion tests: a daemon under a low RLIMIT_NOFILE and a flood
of idle connections, waited for until the daemon has taken or refused every one."""
import os
import resource
import select
import socket

from ptt_harness import PROTOCOL_VERSION, NdjsonClient, wait_until


def fd_limit(limit):
    """A preexec_fn: the child runs with `limit` descriptors, as under `ulimit -n LIMIT`."""
    return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))


def sockets_held(pid):
    held = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            held += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
        except OSError:
            pass
    return held


def answered(sock):
    """True once the daemon has written to or closed this connection."""
    return bool(select.select([sock], [], [], 0)[0])


def flood(daemon_pid, path, count):
    """`count` idle connections, returned once each is either held by the daemon or
    answered (refused, or closed at once for want of a descriptor)."""
    before = sockets_held(daemon_pid)
    idle = []
    for _ in range(count):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        idle.append(s)
    wait_until(lambda: sockets_held(daemon_pid) - before + sum(answered(s) for s in idle) == count,
               what="the daemon to take or refuse every connection")
    return idle


def served(path):
    """True when a new client gets its hello answered (not refused as busy)."""
    c = NdjsonClient(path)
    try:
        c.send({"id": 1, "op": "hello", "version": PROTOCOL_VERSION, "client": "test"})
        return c.read().get("ok") is True
    except (EOFError, ConnectionError):
        return False
    finally:
        c.close()
