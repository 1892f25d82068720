#!/usr/bin/python3
"""A stand-in for OpenAI's transcription endpoint (POST /v1/audio/transcriptions) on
loopback, for ptt-realtime --transcribe. It CHECKS each upload: the method and path,
the bearer key, a multipart/form-data body with a boundary and a Content-Length, a
`model` field, and a `file` part that is a WAV of 24 kHz mono PCM16 whose size matches
its header. Each request is logged to --log as one NDJSON line (the WAV as its frame
count and the SHA-256 of its samples); what is wrong with it goes in "violations".

Answers, in request order: --responses 500,200,401,... (then 200 for the rest);
a 200 carries {"text": ...} with the next --text (default "transcript N").
--hold-first FILE keeps the first answer back until FILE exists.
--tls-cert/--tls-key serve https:// (a client that refuses the certificate is never answered).
Prints "PORT n" once listening.
"""
import argparse
import email.parser
import email.policy
import hashlib
import io
import json
import os
import sys
import threading
import time
import wave
from http.server import BaseHTTPRequestHandler, HTTPServer


def check_wav(data):
    """(facts, problems) for the uploaded file part."""
    problems = []
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return {}, ["file part is not a RIFF/WAVE file"]
    with wave.open(io.BytesIO(data)) as w:
        facts = {"rate": w.getframerate(), "channels": w.getnchannels(), "width": w.getsampwidth(),
                 "frames": w.getnframes()}
        pcm = w.readframes(w.getnframes())
    facts["sha256"] = hashlib.sha256(pcm).hexdigest()
    facts["ms"] = facts["frames"] * 1000 // max(facts["rate"], 1)
    if (facts["rate"], facts["channels"], facts["width"]) != (24000, 1, 2):
        problems.append(f"WAV is {facts['rate']} Hz, {facts['channels']} ch, {8 * facts['width']} bit")
    if len(pcm) != facts["frames"] * facts["channels"] * facts["width"] or int.from_bytes(data[4:8], "little") != len(data) - 8:
        problems.append("WAV sizes do not match its contents")
    return facts, problems


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # so that Expect: 100-continue is answered as a real server does

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.check_and_answer()

    def do_POST(self):
        self.check_and_answer()

    def check_and_answer(self):
        cfg = self.server.cfg
        entry, problems = {"method": self.command, "path": self.path}, []
        if self.command != "POST" or self.path != "/v1/audio/transcriptions":
            problems.append(f"{self.command} {self.path}, wanted POST /v1/audio/transcriptions")
        if self.headers.get("Authorization") != f"Bearer {cfg.key}":
            problems.append("no or wrong bearer key")
        entry["authorized"] = self.headers.get("Authorization") == f"Bearer {cfg.key}"
        ctype = self.headers.get("Content-Type", "")
        length = self.headers.get("Content-Length")
        if length is None:
            problems.append("no Content-Length (chunked upload)")
        body = self.rfile.read(int(length or 0))
        entry["bytes"] = len(body)
        if not ctype.startswith("multipart/form-data;") or "boundary=" not in ctype:
            problems.append(f"Content-Type is {ctype!r}")
        else:
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {ctype}\r\n\r\n".encode() + body)
            fields, files = {}, {}
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if part.get_filename():
                    files[name] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
                else:
                    fields[name] = part.get_payload(decode=True).decode()
            entry["fields"] = fields
            if not fields.get("model"):
                problems.append("no model field")
            if "file" not in files:
                problems.append("no file part")
            else:
                filename, file_type, data = files["file"]
                entry["filename"], entry["file_type"] = filename, file_type
                if not filename.endswith(".wav") or file_type != "audio/wav":
                    problems.append(f"file part is {filename!r} of type {file_type!r}")
                entry["wav"], wav_problems = check_wav(data)
                problems += wav_problems
        entry["violations"] = problems
        with cfg.lock:
            cfg.count += 1
            n = cfg.count
            status = cfg.responses[n - 1] if n <= len(cfg.responses) else 200
            if status == 200:
                cfg.ok += 1
                text = cfg.texts[cfg.ok - 1] if cfg.ok <= len(cfg.texts) else f"transcript {cfg.ok}"
        entry["request"], entry["status"] = n, status
        if n == 1 and cfg.hold_first:
            entry["held"] = True
            log(cfg, dict(entry, state="holding"))
            while not os.path.exists(cfg.hold_first):
                time.sleep(0.01)
        if not entry["authorized"] and status == 200:
            status = 401
        if status == 200:
            answer = {"text": text, "usage": {"type": "duration", "seconds": 1}}
        else:
            answer = {"error": {"message": f"mock error {status}", "type": "server_error", "code": None}}
        entry["answered"] = status
        log(cfg, entry)
        payload = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if status == 429:
            self.send_header("Retry-After", "1")
        self.end_headers()
        self.wfile.write(payload)


def log(cfg, entry):
    with cfg.lock, open(cfg.log, "a") as f:
        f.write(json.dumps(entry) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--key", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--responses", default="")
    ap.add_argument("--text", action="append", default=[])
    ap.add_argument("--hold-first")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    cfg = ap.parse_args()
    cfg.responses = [int(s) for s in cfg.responses.split(",") if s]
    cfg.texts, cfg.count, cfg.ok, cfg.lock = cfg.text, 0, 0, threading.Lock()
    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.cfg = cfg
    if cfg.tls_cert:
        import ssl
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cfg.tls_cert, cfg.tls_key)
        # A failed handshake raises in accept, which HTTPServer drops (an OSError) and goes on.
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
