"""ptt-realtime --transcribe (dictation) against the mock transcription endpoint, which
checks every multipart upload: one line per utterance in utterance order, short turns
dropped, 500/429 retried with backoff, a dead endpoint or persistent 5xx reported while
the next utterance still goes through, a rejected key ending with status 2, stdin read
while a request is out, end of input waiting for the request in flight, SIGINT and a
closed stdout ending cleanly, and the key never printed."""
import json
import os
import signal
import shutil
import socket
import subprocess
import time

from ptt_harness import OPENAI_WRONG_KEY, Sandbox, binary, expect, skip, start_thread, wait_until
from realtime_fixture import audio_lines, speak
from transcribe_fixture import KEY, MockTranscribe, dictation_env, sha

for tool in ("espeak-ng", "sox"):
    if not shutil.which(tool):
        skip(f"{tool} not installed (run make -f Makefile.dist deps)")


def turn(pcm):
    return [{"type": "ptt.start"}, *audio_lines(pcm), {"type": "ptt.stop", "reason": "release"}]


def ndjson(events):
    return "".join((e if isinstance(e, str) else json.dumps(e)) + "\n" for e in events)


def dictate(sb, mock_url, events, *args, env=None, check=None):
    return sb.run(["ptt-realtime", "--transcribe", "--base-url", mock_url, *args], input=ndjson(events),
                  env=env or dictation_env(sb), check=check, timeout=60)


def no_key_printed(*texts):
    expect(all(KEY not in t for t in texts), "the API key was printed")


with Sandbox("transcribe") as sb:
    one = speak(sb, "fix the failing tests", "one")
    two = speak(sb, "then commit the change", "two")
    short = one[: 48 * 50]  # 50 ms

    # Two utterances, a turn too short to send and a junk line in between.
    mock = MockTranscribe(sb, "--text", "Fix the failing tests.", "--text", "Then\ncommit the change.")
    r = dictate(sb, mock.base_url, turn(one) + turn(short) + ["not json"] + turn(two), check=0)
    expect(r.stdout == "Fix the failing tests.\nThen commit the change.\n", f"stdout {r.stdout!r}")
    expect("too short (50 ms" in r.stderr and "stdin line" in r.stderr, f"stderr {r.stderr!r}")
    got = mock.answered()
    expect(len(got) == 2, f"{len(got)} requests for 2 utterances")
    for entry, pcm in zip(got, (one, two)):
        expect(entry["fields"]["model"] == "gpt-transcribe", f"model {entry['fields']}")
        expect(entry["wav"]["sha256"] == sha(pcm) and entry["wav"]["frames"] == len(pcm) // 2,
               f"upload {entry['request']}: {entry['wav']['frames']} frames, the utterance has {len(pcm) // 2}")
    mock.expect_clean()
    no_key_printed(r.stdout, r.stderr)

    # --json, another model, and the base URL from OPENAI_BASE_URL.
    mock = MockTranscribe(sb, "--text", "hello there", name="json")
    env = dict(dictation_env(sb), OPENAI_BASE_URL=mock.base_url)
    r = sb.run(["ptt-realtime", "--transcribe", "--json", "--transcribe-model", "whisper-1"],
               input=ndjson(turn(two)), env=env, check=0)
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    expect(lines == [{"type": "transcript", "utterance": 1, "ms": len(two) // 48, "text": "hello there"}],
           f"json lines {lines}")
    expect(mock.answered()[0]["fields"]["model"] == "whisper-1", "--transcribe-model was not sent")
    mock.expect_clean()

    # 500, then 429 (Retry-After: 1), then 200: retried with backoff, the same WAV each time.
    mock = MockTranscribe(sb, "--responses", "500,429,200", "--text", "third time lucky", name="retry")
    r = dictate(sb, mock.base_url, turn(one), check=0)
    expect(r.stdout == "third time lucky\n", f"stdout {r.stdout!r}")
    expect("HTTP 500: mock error 500; retrying in 0.5 s" in r.stderr, r.stderr)
    expect("HTTP 429: mock error 429; retrying in 1.0 s" in r.stderr, r.stderr)
    expect(len({e["wav"]["sha256"] for e in mock.answered()}) == 1 and len(mock.answered()) == 3,
           "the retries did not resend the same utterance")
    mock.expect_clean()

    # A 5xx that persists: utterance 1 is reported after 3 retries, utterance 2 still goes through.
    mock = MockTranscribe(sb, "--responses", "503,503,503,503", "--text", "second one", name="down")
    r = dictate(sb, mock.base_url, turn(one) + turn(two), check=1)
    expect(r.stdout == "second one\n", f"stdout {r.stdout!r}")
    expect(f"error: utterance 1 ({len(one) // 48} ms) was not transcribed: HTTP 503" in r.stderr, r.stderr)
    expect(len(mock.answered()) == 5, f"{len(mock.answered())} requests, wanted 4 + 1")

    # Nothing listening at all: the same, with curl's reason.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    r = dictate(sb, dead, turn(one), check=1)
    expect("was not transcribed: Couldn't connect to server" in r.stderr and r.stderr.count("retrying") == 3,
           r.stderr)

    # A rejected key: exit 2 at once, with the realtime mode's message, and no key printed.
    mock = MockTranscribe(sb, name="badkey")
    r = dictate(sb, mock.base_url, turn(one) + turn(two), env=dictation_env(sb, OPENAI_WRONG_KEY), check=2)
    expect("ptt-realtime: error: OPENAI_API_KEY was rejected (HTTP 401" in r.stderr, r.stderr)
    expect(r.stdout == "" and len(mock.answered()) == 1, f"went on after a 401: {r.stdout!r}")
    no_key_printed(r.stdout, r.stderr)
    expect(OPENAI_WRONG_KEY not in r.stdout + r.stderr, "the rejected key was printed")

    # No key: the same error as the realtime mode. A bad base URL: a usage error.
    env = dict(sb.env)
    env.pop("OPENAI_API_KEY", None)
    plain = sb.run(["ptt-realtime"], input="", env=env, check=2)
    r = sb.run(["ptt-realtime", "--transcribe"], input="", env=env, check=2)
    expect(r.stderr == plain.stderr and "OPENAI_API_KEY is not set" in r.stderr, r.stderr)
    r = dictate(sb, "ftp://example/v1", [], check=2)
    expect("--base-url 'ftp://example/v1' is not an http:// or https:// URL" in r.stderr, r.stderr)

    # stdin is read while a request is out; end of input waits for it; order is kept.
    release = sb.path("release")
    mock = MockTranscribe(sb, "--hold-first", release, name="held")
    long_pcm = speak(sb, "spawn a task in the api project to fix the failing tests " * 3, "long")
    p = sb.start(["ptt-realtime", "--transcribe", "--base-url", mock.base_url], env=dictation_env(sb),
                 stdin=subprocess.PIPE)
    p.stdin.write(ndjson(turn(one)).encode())
    p.stdin.flush()
    mock.wait_for(lambda e: e.get("state") == "holding", what="the first request to be held")
    rest = ndjson(turn(long_pcm) + turn(two)).encode()
    expect(len(rest) > 4 * 65536, "the later turns must not fit in a pipe buffer")
    writer = start_thread(lambda: (p.stdin.write(rest), p.stdin.close()),
                          name="stdin writer (stdin must be read while a request is out)")
    writer.join(20)
    expect(p.poll() is None, f"exited {p.returncode} at end of input with a request in flight")
    open(release, "w").close()
    p.stdin = None  # closed by the writer
    out, err = p.communicate(timeout=30)
    expect(p.returncode == 0, f"exit {p.returncode}: {err!r}")
    expect(out.decode() == "transcript 1\ntranscript 2\ntranscript 3\n", f"stdout {out!r}")
    files = [e["filename"] for e in mock.answered()]
    expect(files == ["utterance-1.wav", "utterance-2.wav", "utterance-3.wav"], f"upload order {files}")
    expect([e["wav"]["sha256"] for e in mock.answered()] == [sha(one), sha(long_pcm), sha(two)], "uploads differ")
    mock.expect_clean()

    # SIGINT with a request out: exit 130 promptly.
    os.remove(release)
    mock = MockTranscribe(sb, "--hold-first", release, name="sigint")
    p = sb.start(["ptt-realtime", "--transcribe", "--base-url", mock.base_url], env=dictation_env(sb),
                 stdin=subprocess.PIPE)
    p.stdin.write(ndjson(turn(one)).encode())
    p.stdin.flush()
    mock.wait_for(lambda e: e.get("state") == "holding", what="the request to be held")
    began = time.monotonic()
    p.send_signal(signal.SIGINT)
    expect(p.wait(10) == 130, f"exit {p.returncode} on SIGINT")
    stopped_in = time.monotonic() - began
    open(release, "w").close()

    # The reader of stdout went away: end quietly with status 0.
    mock = MockTranscribe(sb, name="epipe")
    p = sb.start(["ptt-realtime", "--transcribe", "--base-url", mock.base_url], env=dictation_env(sb),
                 stdin=subprocess.PIPE)
    p.stdout.close()
    p.stdin.write(ndjson(turn(one) + turn(two)).encode())
    p.stdin.close()
    expect(p.wait(20) == 0, f"exit {p.returncode} after the reader left")
    err = p.stderr.read().decode()
    expect("error" not in err, f"stderr {err!r}")
print(f"ok: dictation lines in order, retries, failures, 401, EOF and SIGINT ({stopped_in:.2f} s)")
