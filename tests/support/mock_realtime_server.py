#!/usr/bin/python3
"""A scripted stand-in for the OpenAI Realtime API (GA) on loopback, for tests and benches.

It speaks just enough of the protocol to drive ptt-realtime, and CHECKS what the client
sends: the bearer key, no beta header, the GA session.update shape, commit only after
>= 100 ms of appended audio, response.create never while a response is active, and
function_call_output call_ids that it issued. Every client event (audio replaced by its
size) and every violation is appended to --log as NDJSON with a monotonic timestamp.

The reply to a response.create depends on what came before it:
  user audio or text   -> a spawn_task function call (arguments over many deltas),
                          unless --no-calls, then an audio reply; --tool-calls JSON
                          ([[name, arguments], ...]) makes the K-th call the K-th of them
  function_call_output -> an audio reply ("task N started")
  a system message     -> an audio reply (the announcement)
--call-on-announcement JSON ([name, arguments]) makes a model that calls that tool on its
own in the response to a "[task update]" announcement (the client must refuse merge_task there).
--answer-permission allow|deny makes a model that answers a task's permission question:
after a "[task question] Task N ..." announcement it calls answer_permission for task N
on its own, in the response to the announcement (the client must refuse that), and again
in the response to the next user turn (which the client lets through), instead of spawn_task.
--transcript TEXT reports TEXT as what the user said (the mock recognises no speech), and
--speak makes each audio reply espeak-ng speech of its words (the started task's id, or
the announcement it was given) instead of a tone; the demo (demo/run_demo.py) uses both.
Options shape the audio: --big-delta-bytes N sends one N-byte delta, fragmented;
--drop-on-response K aborts the TCP connection during the K-th response;
--refuse-after-drop N then refuses the next N connection attempts, alternating an
HTTP 503 at the handshake with an accepted upgrade closed at once (code 1013), and logs
each attempt's time so a test can check the client's backoff.

What the real API also does: response.cancel with no response active and a truncate
past the audio sent get error replies; with turn_detection on, appended audio makes
server VAD events (speech_started, which cancels an active response as interrupt_response
does, then after --vad-turn-ms speech_stopped, a commit and a response of its own), and a
clear during the user's speech is a violation. --fail-response K and --incomplete-response K
end the K-th response failed or incomplete, --cancel-calls cancels every function call
response mid-arguments (the argument and item events still come, as the API sends them),
--transcription-fails reports every transcription as failed, --error-on-connect CODE sends
an error after session.created, and a session.update is refused (an error naming its
event_id) with --refuse-session-update or when it sends reasoning to a model without it.
--session-expires-after SECONDS ends each session as the API does at its 60-minute limit:
an error with code session_expired, then the socket closes; --hold-reconnect-until FILE
keeps every later connection's handshake waiting until FILE exists (a test can step a
renewal), and --expect-carried TEXT makes it a violation when a later connection asks
for a response before it was told a message containing TEXT (the carried conversation).
Every event sent is logged too ({"sent": event}, audio deltas cut short), for the
conformance check against the official types (tests/support/realtime_conformance.py).
--stamp-received adds "rx" to each received event's entry: the kernel's receive time
(SO_TIMESTAMPNS, wall clock) of the last bytes read before it, i.e. when the client's
bytes reached the mock's socket, before the mock woke up to read and parse them ("t" and
"wall" are taken after that); bench/realtime_latency.py's commit-on-the-wire figure.
"""
import argparse
import asyncio
import base64
import http
import itertools
import json
import math
import os
import re
import socket
import struct
import sys
import tempfile
import time

import websockets

SAMPLE_RATE = 24000
TOOLS = {"spawn_task", "list_tasks", "check_task", "get_result", "cancel_task", "follow_up_task",
         "message_task", "interrupt_task", "answer_permission", "review_task", "merge_task", "discard_task"}


SO_TIMESTAMPNS = 35  # Linux (asm-generic/socket.h); Python's socket module does not name it


class StampedSocket:
    """An accepted socket whose reads go through recvmsg with SO_TIMESTAMPNS on, keeping
    the kernel's receive time of the last bytes read (on loopback: the client's send).
    Everything else is the socket's own."""

    def __init__(self, sock):
        self._sock, self.stamp = sock, None
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)

    def recv(self, size):
        data, ancillary, _, _ = self._sock.recvmsg(size, 64)
        self.stamp = None  # never an older read's
        for level, kind, raw in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(raw) >= 16:
                sec, nsec = struct.unpack("qq", raw[:16])
                self.stamp = sec + nsec / 1e9
        return data

    def __getattr__(self, name):
        return getattr(self._sock, name)


def tone(seed, ms):
    """Deterministic PCM16 audio the tests can regenerate: a sine per seed."""
    freq = 300 + 100 * (seed % 7)
    n = SAMPLE_RATE * ms // 1000
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * freq * i / SAMPLE_RATE))) for i in range(n))


async def speech(text):
    """espeak-ng saying text, as 24 kHz mono PCM16 (sox -D: no dither, reproducible)."""
    with tempfile.TemporaryDirectory(prefix="mock-speech-") as tmp:
        wav22k, raw = os.path.join(tmp, "speech22k.wav"), os.path.join(tmp, "speech.raw")
        for argv in (["espeak-ng", "-v", "en-us", "-w", wav22k, text],
                     ["sox", "-D", wav22k, "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed", "-t", "raw",
                      raw]):
            proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.DEVNULL,
                                                        stderr=asyncio.subprocess.PIPE)
            _, err = await proc.communicate()
            if proc.returncode != 0:
                raise RuntimeError(f"{argv[0]} failed: {err.decode(errors='replace').strip()}")
        with open(raw, "rb") as f:
            return f.read()


def spoken_words(last_input, item):
    """What a --speak reply says: the spawned task's id after a spawn_task result, the
    announcement's own words after a system message."""
    if last_input == "function_call_output":
        try:
            output = json.loads(item.get("output") or "{}")
        except ValueError:
            output = {}
        if isinstance(output, dict) and output.get("ok") and "task" in output:
            return f"Task {output['task']} is running. I will tell you when it is done."
        return "The task could not be started."
    if last_input == "system":
        content = item.get("content") or [{}]
        text = content[0].get("text", "") if isinstance(content[0], dict) else ""
        return text.removeprefix("[task update] ").removesuffix(" Tell the user briefly.")
    return None


def check_session_update(ev):
    """Returns a list of what is wrong with a session.update (empty when GA-shaped)."""
    bad = []
    s = ev.get("session")
    if not isinstance(s, dict):
        return ["session.update has no session object"]
    if s.get("type") != "realtime":
        bad.append(f"session.type is {s.get('type')!r}, not 'realtime'")
    if s.get("output_modalities") != ["audio"]:
        bad.append(f"output_modalities is {s.get('output_modalities')!r}")
    for beta_key in ("modalities", "input_audio_format", "output_audio_format", "voice", "turn_detection",
                     "input_audio_transcription"):
        if beta_key in s:
            bad.append(f"beta field session.{beta_key} present")
    audio = s.get("audio") or {}
    inp, out = audio.get("input") or {}, audio.get("output") or {}
    if inp.get("format") != {"type": "audio/pcm", "rate": 24000}:
        bad.append(f"audio.input.format is {inp.get('format')!r}")
    if not isinstance(inp.get("transcription"), dict) or not inp["transcription"].get("model"):
        bad.append("audio.input.transcription is not on")
    if "turn_detection" not in inp:
        bad.append("audio.input.turn_detection missing")
    elif inp["turn_detection"] is not None and inp["turn_detection"].get("type") not in ("server_vad", "semantic_vad"):
        bad.append(f"bad turn_detection {inp['turn_detection']!r}")
    if not isinstance(out.get("voice"), str) or not out["voice"]:
        bad.append("audio.output.voice missing")
    if not isinstance(s.get("instructions"), str) or not s["instructions"]:
        bad.append("instructions missing")
    names = {t.get("name") for t in s.get("tools") or [] if t.get("type") == "function"}
    if names != TOOLS:
        bad.append(f"tools are {sorted(n for n in names if n)}")
    return bad


class Mock:
    def __init__(self, args):
        self.args = args
        self.log = open(args.log, "a", buffering=1) if args.log else None
        self.responses = 0
        self.connections = 0
        self.call_ids = itertools.count(1)
        self.input_audio = open(args.save_input, "ab") if args.save_input else None
        self.refuse_left = 0  # attempts still to refuse after a drop
        self.refused = 0
        self.close_next = False  # the next accepted upgrade is closed at once

    def record(self, entry):
        entry["t"] = time.monotonic()
        entry["wall"] = time.time()
        if self.log:
            self.log.write(json.dumps(entry) + "\n")

    def violation(self, text):
        print(f"mock: VIOLATION: {text}", file=sys.stderr, flush=True)
        self.record({"violation": text})

    async def process_request(self, path, headers):
        if headers.get("OpenAI-Beta"):
            self.violation(f"beta header sent: {headers.get('OpenAI-Beta')}")
            return http.HTTPStatus.BAD_REQUEST, [], b"beta header refused\n"
        if headers.get("Authorization") != f"Bearer {self.args.key}":
            self.record({"rejected": "bad key"})
            return http.HTTPStatus.UNAUTHORIZED, [], b"invalid api key\n"
        if not path.startswith("/v1/realtime?model="):
            self.violation(f"unexpected path {path}")
        if self.args.hold_reconnect_until and self.connections >= 1:
            self.record({"holding": self.connections + 1})
            while not os.path.exists(self.args.hold_reconnect_until):
                await asyncio.sleep(0.02)
        if self.refuse_left > 0:
            self.refuse_left -= 1
            self.refused += 1
            if self.refused % 2 == 1:
                self.record({"refused": self.refused, "how": "http 503"})
                return http.HTTPStatus.SERVICE_UNAVAILABLE, [], b"overloaded, try again later\n"
            self.record({"refused": self.refused, "how": "close 1013"})
            self.close_next = True
        return None

    async def handler(self, ws, path=None):
        if self.close_next:
            self.close_next = False
            await ws.close(1013, "try again later")
            return
        self.connections += 1
        conn = Connection(self, ws, self.connections)
        transport = getattr(ws, "transport", None)
        if self.args.stamp_received and isinstance(getattr(transport, "_sock", None), socket.socket):
            # asyncio's plain socket transport reads with self._sock.recv (not under TLS).
            transport._sock = conn.stamped = StampedSocket(transport._sock)
        await conn.run()


class Connection:
    def __init__(self, mock, ws, number):
        self.mock, self.ws, self.number = mock, ws, number
        self.appended = 0
        self.first = True
        self.active = None  # the response being streamed
        self.open_calls = {}  # call_id -> name, issued and not answered
        self.last_input = None  # "user" | "function_call_output" | "system"
        self.question_task = None  # --answer-permission: the task of the question last announced
        self.task_update = False  # --call-on-announcement: the last item was a [task update]
        self.last_item = {}  # the item of the last function_call_output or message
        self.ids = itertools.count(1)
        self.audio_ms = {}  # assistant item -> ms of audio sent
        self.vad = None  # turn_detection of the last session.update
        self.speaking = False  # server VAD: between speech_started and speech_stopped
        self.cancelled = None
        self.cancel_reason = None
        self.told = []  # the texts of the messages the client created on this connection
        self.violated_carry = False
        self.stamped = None  # the StampedSocket under --stamp-received

    def new_id(self, prefix):
        return f"{prefix}_{self.number}_{next(self.ids)}"

    async def send(self, ev):
        ev.setdefault("event_id", self.new_id("event"))  # every server event carries one
        text = json.dumps(ev)
        logged = dict(ev, delta=ev["delta"][:8]) if ev.get("type") == "response.output_audio.delta" else ev
        self.mock.record({"sent": logged, "connection": self.number})
        await self.ws.send(text)

    async def expire(self, seconds):
        """The API's limit: an error, then the socket closes."""
        await asyncio.sleep(seconds)
        self.mock.record({"expiring": self.number})
        try:
            await self.error("session_expired", "Your session hit the maximum duration of 60 minutes.")
            await self.ws.close(1000, "session expired")
        except websockets.ConnectionClosed:
            pass

    async def error(self, code, message, about=None):
        await self.send({"type": "error", "error": {"type": "invalid_request_error", "code": code,
                                                    "message": message, "event_id": (about or {}).get("event_id")}})

    async def run(self):
        self.mock.record({"connected": self.number})
        await self.send({"type": "session.created", "session": {"type": "realtime"}})
        expiry = None
        if self.mock.args.session_expires_after:
            expiry = asyncio.ensure_future(self.expire(self.mock.args.session_expires_after))
        if self.mock.args.error_on_connect:  # e.g. insufficient_quota, model_not_found
            await self.error(self.mock.args.error_on_connect, f"mock error {self.mock.args.error_on_connect}")
        try:
            async for message in self.ws:
                ev = json.loads(message)
                await self.on_event(ev)
        except websockets.ConnectionClosed:
            pass
        if expiry:
            expiry.cancel()
        self.mock.record({"disconnected": self.number})

    async def on_event(self, ev):
        kind = ev.get("type")
        logged = dict(ev)
        if kind == "input_audio_buffer.append":
            logged["audio"] = len(base64.b64decode(ev.get("audio", ""), validate=True))
        entry = {"received": logged, "connection": self.number}
        if self.stamped and self.stamped.stamp is not None:
            entry["rx"] = self.stamped.stamp
        self.mock.record(entry)
        if self.first:
            self.first = False
            if kind != "session.update":
                self.mock.violation(f"first event is {kind}, not session.update")
        if kind == "session.update":
            for bad in check_session_update(ev):
                self.mock.violation(bad)
            if await self.refuse_session_update(ev):
                return
            await self.send({"type": "session.updated", "session": ev.get("session")})
            self.vad = (((ev.get("session") or {}).get("audio") or {}).get("input") or {}).get("turn_detection")
            if self.mock.args.after_updated:
                with open(self.mock.args.after_updated) as f:
                    for line in f.read().splitlines():
                        await self.ws.send(line)  # as written: malformed events too
        elif kind == "input_audio_buffer.append":
            pcm = base64.b64decode(ev["audio"])
            self.appended += len(pcm)
            if self.mock.input_audio:
                self.mock.input_audio.write(pcm)
                self.mock.input_audio.flush()
            if self.vad:
                await self.server_vad()
        elif kind == "input_audio_buffer.commit":
            await self.commit()
        elif kind == "input_audio_buffer.clear":
            if self.speaking:
                self.mock.violation("input_audio_buffer.clear during the user's speech (server VAD)")
            self.appended = 0
            await self.send({"type": "input_audio_buffer.cleared"})
        elif kind == "conversation.item.create":
            await self.on_item(ev.get("item") or {})
        elif kind == "conversation.item.truncate":
            sent = self.audio_ms.get(ev.get("item_id"))
            if sent is None or ev.get("audio_end_ms", 0) > sent:
                await self.error("invalid_value", f"audio_end_ms {ev.get('audio_end_ms')} is past the "
                                 f"{sent} ms of audio of item {ev.get('item_id')}", ev)
                return
            await self.send({"type": "conversation.item.truncated", "item_id": ev.get("item_id"),
                             "content_index": ev.get("content_index", 0), "audio_end_ms": ev.get("audio_end_ms")})
        elif kind == "response.create":
            expected = self.mock.args.expect_carried
            if expected and self.number > 1 and not self.violated_carry and not any(expected in t for t in self.told):
                self.violated_carry = True
                self.mock.violation(f"a response was asked for before the conversation ({expected!r}) was carried over")
            if self.active:
                await self.send({"type": "error", "error": {"type": "invalid_request_error",
                                                            "code": "conversation_already_has_active_response",
                                                            "message": "active response in progress"}})
                self.mock.record({"note": "response.create while active"})
                return
            self.start_response()
        elif kind == "response.cancel":
            if not self.active or self.cancelled == self.active:
                await self.error("response_cancel_not_active", "Cancellation failed: no active response found", ev)
                return
            self.cancelled, self.cancel_reason = self.active, "client_cancelled"

    async def refuse_session_update(self, ev):
        """As the API does: older models refuse session.reasoning; --refuse-session-update
        refuses any. The error names the session.update's event_id."""
        session = ev.get("session") or {}
        model = session.get("model", "")
        takes_reasoning = model == "gpt-realtime-2" or model.startswith(("gpt-realtime-2.", "gpt-realtime-2-"))
        if "reasoning" in session and not takes_reasoning:
            self.mock.violation(f"session.reasoning sent to {model}, which does not take it")
            await self.error("unknown_parameter", "Unknown parameter: 'session.reasoning'.", ev)
            return True
        if self.mock.args.refuse_session_update:
            await self.error("invalid_value", f"Invalid value: '{session.get('audio', {}).get('output', {}).get('voice')}'"
                             ". Supported values are: 'alloy', 'marin'.", ev)
            return True
        return False

    def start_response(self):
        self.active = self.new_id("resp")
        asyncio.ensure_future(self.respond(self.active))

    async def server_vad(self):
        """Speech starts with the first append of a turn and stops after --vad-turn-ms."""
        if not self.speaking:
            self.speaking = True
            await self.send({"type": "input_audio_buffer.speech_started", "audio_start_ms": 0, "item_id": ""})
            if self.active and self.vad.get("interrupt_response", True):
                self.cancelled, self.cancel_reason = self.active, "turn_detected"
        if self.appended * 1000 // (SAMPLE_RATE * 2) >= self.mock.args.vad_turn_ms:
            self.speaking = False
            await self.send({"type": "input_audio_buffer.speech_stopped", "audio_end_ms": 0, "item_id": ""})
            await self.commit()
            if not self.active and self.vad.get("create_response", True):
                self.start_response()

    async def commit(self):
        ms = self.appended * 1000 // (SAMPLE_RATE * 2)
        if ms < 100:
            self.mock.violation(f"commit after only {ms} ms of audio")
            await self.send({"type": "error", "error": {"type": "invalid_request_error",
                                                        "code": "input_audio_buffer_commit_empty",
                                                        "message": "buffer too small"}})
            return
        self.appended = 0
        item = self.new_id("item")
        await self.send({"type": "input_audio_buffer.committed", "item_id": item})
        await self.send({"type": "conversation.item.added", "item": {"id": item, "type": "message", "role": "user",
                                                                     "content": [{"type": "input_audio"}]}})
        if self.mock.args.transcription_fails:
            await self.send({"type": "conversation.item.input_audio_transcription.failed", "item_id": item,
                             "content_index": 0, "error": {"type": "transcription_error",
                                                           "code": "audio_unintelligible",
                                                           "message": "the audio could not be transcribed"}})
        else:
            await self.send({"type": "conversation.item.input_audio_transcription.completed", "item_id": item,
                             "content_index": 0,
                             "transcript": self.mock.args.transcript or f"(mock heard {ms} ms)",
                             "usage": {"type": "duration", "seconds": ms / 1000}})
        self.last_input = "user"

    async def on_item(self, item):
        created = dict(item, id=self.new_id("item"))
        self.last_item = item
        if item.get("type") == "function_call_output":
            call_id = item.get("call_id")
            if call_id not in self.open_calls:
                self.mock.violation(f"function_call_output for unknown call_id {call_id!r}")
            else:
                del self.open_calls[call_id]
            self.last_input = "function_call_output"
        elif item.get("type") == "message":
            self.last_input = "system" if item.get("role") == "system" else "user"
            content = item.get("content") or [{}]
            text = content[0].get("text", "") if isinstance(content[0], dict) else ""
            asked = re.match(r"\[task question\] Task (\d+) ", text) if self.last_input == "system" else None
            if asked:
                self.question_task = int(asked.group(1))
            self.told += [part["text"] for part in item.get("content") or []
                          if isinstance(part, dict) and isinstance(part.get("text"), str)]
            self.task_update = self.last_input == "system" and text.startswith("[task update]")
        # Both names are in use in the wild; the client must take either.
        name = "conversation.item.created" if self.mock.args.legacy_item_event else "conversation.item.added"
        await self.send({"type": name, "item": created})

    async def respond(self, rid):
        mock = self.mock
        mock.responses += 1
        number = mock.responses
        self.cancelled = self.cancel_reason = None
        await self.send({"type": "response.created", "response": {"id": rid, "status": "in_progress"}})
        output = []
        details = None
        if number in (mock.args.fail_response, mock.args.incomplete_response):
            status = "failed" if number == mock.args.fail_response else "incomplete"
            details = {"type": "failed", "error": {"type": "server_error", "code": "server_error",
                                                   "message": "The server had an error while processing your request"}} \
                if status == "failed" else {"type": "incomplete", "reason": "max_output_tokens"}
        else:
            try:
                if mock.args.answer_permission and self.question_task is not None \
                        and self.last_input in ("user", "system"):
                    # On its own after the announcement (last_input "system"), with the user after a turn.
                    args = {"task": str(self.question_task), "allow": mock.args.answer_permission == "allow"}
                    if self.last_input == "user":
                        self.question_task = None
                    output.append(await self.function_call(rid, ["answer_permission", args]))
                elif mock.args.call_on_announcement and self.last_input == "system" and self.task_update:
                    # A model acting on its own, in the response to a finished task's announcement.
                    self.task_update = False
                    output.append(await self.function_call(rid, json.loads(mock.args.call_on_announcement)))
                elif self.last_input == "user" and not mock.args.no_calls:
                    output.append(await self.function_call(rid))
                else:
                    output.append(await self.audio_reply(rid, number, number == mock.args.drop_on_response))
            except ConnectionAbortedError:
                return
            status = "cancelled" if self.cancelled == rid else "completed"
            if status == "cancelled":
                details = {"type": "cancelled", "reason": self.cancel_reason}
        self.active = None
        response = {"object": "realtime.response", "id": rid, "status": status, "output": output}
        if details:
            response["status_details"] = details
        await self.send({"type": "response.done", "response": response})
        mock.record({"response_done": rid, "number": number, "status": status})

    async def function_call(self, rid, call=None):
        """spawn_task, the K-th of --tool-calls, or `call` ([name, arguments])."""
        number = next(self.mock.call_ids)
        call_id = f"call_{number}"
        item = self.new_id("item")
        projects = self.mock.args.spawn_project.split(",")  # the K-th call names the K-th, then the last
        args = json.dumps({"prompt": self.mock.args.spawn_prompt, "project": projects[min(number, len(projects)) - 1],
                           "name": self.mock.args.spawn_name})
        name = "spawn_task"
        scripted = json.loads(self.mock.args.tool_calls or "[]")
        if call is None and number <= len(scripted):
            call = scripted[number - 1]
        if call is not None:
            name, args = call[0], json.dumps(call[1])
        await self.send({"type": "response.output_item.added", "response_id": rid, "output_index": 0,
                         "item": {"id": item, "type": "function_call", "call_id": call_id, "name": name,
                                  "arguments": ""}})
        for i in range(0, len(args), 7):
            await self.send({"type": "response.function_call_arguments.delta", "response_id": rid, "item_id": item,
                             "output_index": 0, "call_id": call_id, "delta": args[i:i + 7]})
            if self.mock.args.cancel_calls and i >= 7:  # the user spoke: cut off, partial arguments
                self.cancelled, self.cancel_reason, args = rid, "turn_detected", args[:i + 7]
                break
        self.open_calls[call_id] = name
        self.mock.record({"args_done": call_id})
        await self.send({"type": "response.function_call_arguments.done", "response_id": rid, "item_id": item,
                         "output_index": 0, "call_id": call_id, "name": name, "arguments": args})
        done = {"id": item, "type": "function_call", "call_id": call_id, "name": name, "arguments": args,
                "status": "incomplete" if self.cancelled == rid else "completed"}
        await self.send({"type": "response.output_item.done", "response_id": rid, "output_index": 0, "item": done})
        return done

    async def audio_reply(self, rid, number, drop):
        item = self.new_id("item")
        message = {"id": item, "type": "message", "role": "assistant", "content": [{"type": "output_audio"}]}
        await self.send({"type": "response.output_item.added", "response_id": rid, "output_index": 0, "item": message})
        await self.send({"type": "conversation.item.added", "item": message})
        big = self.mock.args.big_delta_bytes
        words = (spoken_words(self.last_input, self.last_item) if self.mock.args.speak else None) \
            or f"mock reply {number}"
        pcm = None
        if self.mock.args.speak:
            try:
                pcm = await speech(words)
            except (OSError, RuntimeError) as e:  # a tone still carries the reply
                print(f"mock: cannot speak {words!r}: {e}", file=sys.stderr, flush=True)
        if not pcm:
            pcm = (tone(number, 1000) * (big // 48000 + 1))[:big] if big else tone(number, self.mock.args.reply_ms)
        chunk = len(pcm) if big else SAMPLE_RATE * 2 // 10  # 100 ms per delta, or one huge one
        for i in range(0, len(pcm), chunk):
            if self.cancelled == rid:
                break
            text = json.dumps({"type": "response.output_audio.delta", "response_id": rid, "item_id": item,
                               "output_index": 0, "content_index": 0,
                               "delta": base64.b64encode(pcm[i:i + chunk]).decode()})
            self.audio_ms[item] = self.audio_ms.get(item, 0) + len(pcm[i:i + chunk]) * 1000 // (SAMPLE_RATE * 2)
            if big:
                # Fragmented on the wire, as the service does with large frames.
                await self.ws.send([text[j:j + 65536] for j in range(0, len(text), 65536)])
                self.mock.record({"big_delta_sent": len(text)})
            else:
                await self.send(json.loads(text))
            self.mock.record({"audio_delta": rid, "offset": i})
            if drop and i >= chunk:
                self.mock.record({"dropping": rid})
                self.mock.refuse_left = self.mock.args.refuse_after_drop
                self.ws.transport.abort()
                raise ConnectionAbortedError()
            await asyncio.sleep(self.mock.args.delta_interval_ms / 1000)
        await self.send({"type": "response.output_audio_transcript.done", "response_id": rid, "item_id": item,
                         "output_index": 0, "content_index": 0, "transcript": words})
        await self.send({"type": "some.future.event", "note": "clients must ignore this"})
        return dict(message, content=[{"type": "output_audio", "transcript": words}])


async def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--key", default="test-key")
    ap.add_argument("--log")
    ap.add_argument("--save-input", help="append every appended PCM byte to this file")
    ap.add_argument("--no-calls", action="store_true")
    ap.add_argument("--stamp-received", action="store_true",
                    help="log the kernel's receive time of each client event (rx, wall clock)")
    ap.add_argument("--spawn-prompt", default="say hello")
    ap.add_argument("--spawn-project", default="demo", help="the project of each call in turn: A,B,...")
    ap.add_argument("--spawn-name", default="mock-task", help="the task name spawn_task asks for")
    ap.add_argument("--tool-calls", help="JSON [[name, arguments], ...]: the K-th function call (then spawn_task)")
    ap.add_argument("--transcript", help="report this as the user's words (default: how many ms were heard)")
    ap.add_argument("--speak", action="store_true",
                    help="reply with espeak-ng speech of the reply's words (needs espeak-ng and sox), not a tone")
    ap.add_argument("--reply-ms", type=int, default=300)
    ap.add_argument("--delta-interval-ms", type=int, default=0, help="pause between audio deltas")
    ap.add_argument("--big-delta-bytes", type=int, default=0)
    ap.add_argument("--drop-on-response", type=int, default=0)
    ap.add_argument("--refuse-after-drop", type=int, default=0, metavar="N",
                    help="after --drop-on-response, refuse the next N connection attempts")
    ap.add_argument("--legacy-item-event", action="store_true")
    ap.add_argument("--answer-permission", choices=("allow", "deny"),
                    help="answer_permission for the task of the last [task question], on its own in the response "
                         "to the announcement and then in the response to the next user turn")
    ap.add_argument("--call-on-announcement", metavar="JSON",
                    help="[name, arguments]: call this tool on its own in the response to each [task update] "
                         "announcement (a model acting without the user)")
    ap.add_argument("--vad-turn-ms", type=int, default=300, help="server VAD: speech stops after this much audio")
    ap.add_argument("--fail-response", type=int, default=0, metavar="K", help="the K-th response fails")
    ap.add_argument("--incomplete-response", type=int, default=0, metavar="K",
                    help="the K-th response ends incomplete (max_output_tokens)")
    ap.add_argument("--cancel-calls", action="store_true",
                    help="cancel every function call response mid-arguments (turn_detected)")
    ap.add_argument("--transcription-fails", action="store_true", help="every transcription fails")
    ap.add_argument("--error-on-connect", metavar="CODE", help="send an error with CODE after session.created")
    ap.add_argument("--refuse-session-update", action="store_true", help="answer session.update with an error")
    ap.add_argument("--session-expires-after", type=float, default=0, metavar="SECONDS",
                    help="end each session after SECONDS: error session_expired, then close")
    ap.add_argument("--hold-reconnect-until", metavar="FILE",
                    help="hold every connection after the first at the handshake until FILE exists")
    ap.add_argument("--expect-carried", metavar="TEXT",
                    help="a later connection must be told a message containing TEXT before a response.create")
    ap.add_argument("--tls-cert", help="serve wss:// with this certificate (PEM, with --tls-key)")
    ap.add_argument("--tls-key")
    ap.add_argument("--after-updated", metavar="FILE",
                    help="send each line of FILE, as it is, after session.updated")
    args = ap.parse_args()
    mock = Mock(args)
    tls = None
    if args.tls_cert:
        import ssl
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    async with websockets.serve(mock.handler, "127.0.0.1", args.port, process_request=mock.process_request,
                                max_size=None, compression=None, ping_interval=None, ssl=tls) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
