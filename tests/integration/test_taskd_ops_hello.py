"""ptt-taskd's ready line and socket dir; hello: version and server, a wrong version is
refused and the connection lives on; shutdown."""
import os

from ptt_harness import PROTOCOL_VERSION, Sandbox, expect
from taskd_ops_fixture import OpsDaemon

with Sandbox("taskd-ops-hello") as sb:
    ops = OpsDaemon(sb)
    d, c = ops.d, ops.c
    expect(d.ready_line == f"ready {sb.socket}\n", f"ready line: {d.ready_line!r}")
    expect((os.stat(os.path.dirname(sb.socket)).st_mode & 0o777) == 0o700, "socket dir is not 0700")

    r = c.request("hello", version=PROTOCOL_VERSION)
    expect(r["ok"] and r["version"] == PROTOCOL_VERSION and r["server"].startswith("ptt-taskd ") and r["pid"] == d.proc.pid, str(r))
    r = c.request("hello", version=PROTOCOL_VERSION + 1)
    expect(not r["ok"] and r["error"]["code"] == "version_mismatch", str(r))
    # A client of version 1 (task events carried whole records) is told, not fed events it misreads.
    r = c.request("hello", version=1)
    expect(not r["ok"] and r["error"]["code"] == "version_mismatch" and "1" in r["error"]["message"], str(r))
    # A request pipelined behind a refused hello does not run; a good hello reopens.
    c.send_raw(b'{"id":90,"op":"hello","version":%d}\n{"id":91,"op":"spawn","prompt":"x","cwd":"/"}\n' % (PROTOCOL_VERSION + 1))
    replies = {m["id"]: m for m in (c.read(), c.read())}
    expect(replies[91]["error"]["code"] == "version_mismatch", str(replies))
    expect(c.request("list")["error"]["code"] == "version_mismatch", "a request after a refused hello ran")
    expect(c.request("hello", version=PROTOCOL_VERSION)["ok"] and c.request("list")["tasks"] == [], "hello did not reopen")

    ops.shutdown()
print("ok: ready line, hello and its version check, shutdown")
