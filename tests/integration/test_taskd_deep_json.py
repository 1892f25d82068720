"""A request nested 60,000 deep (before any hello, or after it) is answered with
bad_request naming the limit, and the daemon, the connection and other clients go on.
The JSON library recurses once per level when it copies or dumps a value: such a
request used to overflow the daemon's stack."""
from ptt_harness import PROTOCOL_VERSION, NdjsonClient, Sandbox, expect
from taskd_fixture import Taskd

DEPTH = 60_000


def deep(n):
    return b"[" * n + b"]" * n


with Sandbox("taskd-deep-json") as sb:
    d = Taskd(sb)
    raw = NdjsonClient(sb.socket)
    raw.send_raw(b'{"id": ' + deep(DEPTH) + b"}\n")
    reply = raw.read()
    expect(reply["ok"] is False and reply["error"]["code"] == "bad_request", f"reply: {reply}")
    expect("nested deeper than 512 levels" in reply["error"]["message"], f"message: {reply}")
    expect(d.proc.poll() is None, "the daemon died")

    # The same connection still works: a hello, then a deep field in a known op.
    hello = raw.request("hello", version=PROTOCOL_VERSION, client="test")
    expect(hello["ok"], f"hello after the deep line: {hello}")
    raw.send_raw(b'{"id":7,"op":"list","x":' + deep(DEPTH) + b"}\n")
    reply = raw.read()
    expect(reply["ok"] is False and reply["error"]["code"] == "bad_request", f"deep field: {reply}")
    expect(raw.request("list")["ok"], "the connection is unusable after a deep request")

    # 512 levels are still JSON the daemon reads (and answers, here: unknown id type aside).
    raw.send_raw(b'{"op":"list","x":' + deep(511) + b"}\n")
    expect(raw.read()["ok"], "a request 512 deep was refused")

    other = d.client()
    expect(other.request("list")["ok"], "another client cannot list")
    expect(d.proc.poll() is None, "the daemon died")
print("ok: deeply nested requests are refused with bad_request and the daemon lives")
