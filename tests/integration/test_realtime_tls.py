"""wss:// is verified: a server whose certificate chains to a CA given by --ca-file is
accepted; the same server is refused when only the system CAs are trusted, and when the
host name does not match the certificate."""
import signal

from ptt_harness import Sandbox, expect
from tls_certs import make_certs
from realtime_fixture import MockServer, Realtime

with Sandbox("rt-tls") as sb:
    make_certs(sb)
    mock = MockServer(sb, "--no-calls", "--tls-cert", sb.path("server.pem"), "--tls-key", sb.path("server.key"))
    url = f"wss://localhost:{mock.port}/v1/realtime?model=gpt-realtime"

    # Trusted through --ca-file: a full turn over TLS.
    rt = Realtime(sb, url, "--ca-file", sb.path("ca.pem"), "--socket", sb.path("none.sock"))
    rt.wait_type("session", state="ready")
    rt.send({"type": "text", "text": "hello over TLS"})
    rt.wait_type("transcript", role="assistant", text="mock reply 1")
    rt.close_stdin()
    expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
    connections = len([e for e in mock.entries() if "connected" in e])
    expect(connections == 1, f"connections: {connections}")

    # Only the system CAs: the handshake must fail, and nothing reaches the server.
    for name, target, extra in (("untrusted", url, []),
                                ("wrong host", url.replace("localhost", "127.0.0.1"), ["--ca-file", sb.path("ca.pem")])):
        bad = Realtime(sb, target, *extra, "--socket", sb.path("none.sock"))
        bad.wait_type("session", state="reconnecting")
        bad.proc.send_signal(signal.SIGINT)
        code = bad.wait_exit()
        expect(code == 130, f"{name}: SIGINT exit status {code}")
        expect(bad.count("session", state="connected") == 0, f"{name}: connected anyway: {bad.lines}")
    after = len([e for e in mock.entries() if "connected" in e])
    expect(after == connections, f"an unverified client got a WebSocket session ({after} connections)")
    mock.expect_clean()
print("ok: wss with --ca-file works; an untrusted certificate and a wrong host name are refused")
