"""Dictation over https:// is verified: with the test CA given by --ca-file the upload
goes through; with only the system CAs, or a host name the certificate does not name,
the utterance is refused (not retried) and nothing reaches the server."""
import json
import shutil
import subprocess

from ptt_harness import Sandbox, expect, skip
from realtime_fixture import audio_lines
from transcribe_fixture import MockTranscribe, dictation_env

if not shutil.which("openssl"):
    skip("the openssl command (Debian openssl) is not installed")


def make_certs(sb):
    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=sb.root)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=ptt test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost")
    with open(sb.path("ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")


with Sandbox("transcribe-tls") as sb:
    make_certs(sb)
    mock = MockTranscribe(sb, "--tls-cert", sb.path("server.pem"), "--tls-key", sb.path("server.key"),
                          "--text", "over TLS")
    url = mock.base_url.replace("http://127.0.0.1", "https://localhost")
    pcm = bytes(range(256)) * 48  # 256 ms of (odd-sounding) audio
    events = [{"type": "ptt.start"}, *audio_lines(pcm), {"type": "ptt.stop"}]
    turn = "".join(json.dumps(e) + "\n" for e in events)

    def dictate(*args, check):
        return sb.run(["ptt-realtime", "--transcribe", *args], input=turn, env=dictation_env(sb), check=check)

    r = dictate("--base-url", url, "--ca-file", sb.path("ca.pem"), check=0)
    expect(r.stdout == "over TLS\n", f"stdout {r.stdout!r}; stderr {r.stderr!r}")
    expect(len(mock.answered()) == 1, "the mock did not answer once")

    for name, target, extra in (("untrusted", url, []),
                                ("wrong host", url.replace("localhost", "127.0.0.1"), ["--ca-file", sb.path("ca.pem")])):
        r = dictate("--base-url", target, *extra, check=1)
        expect("was not transcribed" in r.stderr and "retrying" not in r.stderr and r.stdout == "",
               f"{name}: stderr {r.stderr!r}")
    expect(len(mock.answered()) == 1, "an unverified client reached the server")
    mock.expect_clean()
print("ok: https with --ca-file works; an untrusted certificate and a wrong host name are refused")
