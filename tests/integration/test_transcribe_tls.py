"""Dictation over https:// is verified: with the test CA given by --ca-file the upload
goes through; with only the system CAs, or a host name the certificate does not name,
the utterance is refused (not retried) and nothing reaches the server."""
import json

from ptt_harness import Sandbox, expect
from tls_certs import make_certs
from realtime_fixture import audio_lines
from transcribe_fixture import MockTranscribe, dictation_env

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
