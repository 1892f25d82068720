#!/usr/bin/python3
"""The peer for bench/realtime_latency.py: a minimal Python Realtime client doing the
same job as ptt-realtime on the same wire, so its latencies are a fair baseline.

It reads ptt-listen's NDJSON on stdin (ptt.start / audio / ptt.stop / text), speaks
the GA Realtime protocol with python3-websockets, answers spawn_task calls through
ptt-taskd's socket, and announces finished tasks (system message + response.create
once no response is active). It prints the few stdout lines the bench waits for,
shaped like ptt-realtime's: session ready, daemon connected, response done.
Nothing else (no reconnects, no playback, one tool): the least a client can do.
"""
import argparse
import asyncio
import json
import os
import sys

import websockets

TOOL_NAMES = ["spawn_task", "list_tasks", "check_task", "get_result", "cancel_task", "follow_up_task",
              "message_task", "interrupt_task", "answer_permission", "review_task", "merge_task", "discard_task"]


def session_update():
    tools = [{"type": "function", "name": n, "description": n, "parameters": {"type": "object", "properties": {}}}
             for n in TOOL_NAMES]
    return {"type": "session.update", "session": {
        "type": "realtime", "output_modalities": ["audio"], "instructions": "Run coding tasks.",
        "audio": {"input": {"format": {"type": "audio/pcm", "rate": 24000},
                            "transcription": {"model": "gpt-transcribe"}, "turn_detection": None},
                  "output": {"format": {"type": "audio/pcm", "rate": 24000}, "voice": "marin"}},
        "tools": tools}}


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class Peer:
    def __init__(self, args):
        self.args = args
        self.projects = dict(p.split("=", 1) for p in args.project)
        self.ws = None
        self.active = False  # a response.create sent and its response.done not yet seen
        self.pending_create = False
        self.talking = False
        self.announcements = []
        self.daemon_w = None
        self.next_id = 1
        self.replies = {}

    async def send(self, ev):
        await self.ws.send(json.dumps(ev))

    async def pump(self):
        if self.active or self.talking:
            return
        for text in self.announcements:
            await self.send({"type": "conversation.item.create", "item": {
                "type": "message", "role": "system", "content": [{"type": "input_text", "text": text}]}})
            emit({"type": "announcement", "text": text})  # as ptt-realtime prints it: the bench waits for it
            self.pending_create = True
        self.announcements = []
        if self.pending_create:
            self.pending_create = False
            self.active = True
            await self.send({"type": "response.create"})

    async def daemon_request(self, op, **fields):
        rid = self.next_id
        self.next_id += 1
        fut = asyncio.get_running_loop().create_future()
        self.replies[rid] = fut
        self.daemon_w.write((json.dumps({"id": rid, "op": op, **fields}) + "\n").encode())
        await self.daemon_w.drain()
        return await fut

    async def daemon_reader(self, reader):
        while line := await reader.readline():
            msg = json.loads(line)
            if "id" in msg and msg["id"] in self.replies:
                self.replies.pop(msg["id"]).set_result(msg)
            elif msg.get("event") == "finished":
                task = msg.get("task", {})
                self.announcements.append(f"[task update] task {task.get('id')} {task.get('state')}. "
                                          "Tell the user briefly.")
                await self.pump()

    async def on_call(self, ev):
        args = json.loads(ev.get("arguments") or "{}")
        cwd = self.projects.get(args.get("project"), next(iter(self.projects.values()), os.getcwd()))
        reply = await self.daemon_request("spawn", prompt=args.get("prompt", ""), cwd=cwd)
        output = json.dumps({"task": reply["task"]["id"]} if reply.get("ok") else {"error": reply.get("error")})
        await self.send({"type": "conversation.item.create", "item": {
            "type": "function_call_output", "call_id": ev["call_id"], "output": output}})
        self.pending_create = True
        await self.pump()

    async def ws_reader(self):
        async for message in self.ws:
            ev = json.loads(message)
            kind = ev.get("type")
            if kind == "session.updated":
                emit({"type": "session", "state": "ready"})
            elif kind == "response.function_call_arguments.done":
                asyncio.ensure_future(self.on_call(ev))
            elif kind == "response.done":
                self.active = False
                emit({"type": "response", "state": "done", "status": ev.get("response", {}).get("status", "")})
                await self.pump()

    async def stdin_reader(self):
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=1 << 24)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        while line := await reader.readline():
            ev = json.loads(line)
            kind = ev.get("type")
            if kind == "ptt.start":
                self.talking = True
            elif kind == "audio":
                await self.send({"type": "input_audio_buffer.append", "audio": ev["data"]})
            elif kind == "ptt.stop":
                self.talking = False
                await self.send({"type": "input_audio_buffer.commit"})
                self.pending_create = True
                await self.pump()
            elif kind == "text":
                await self.send({"type": "conversation.item.create", "item": {
                    "type": "message", "role": "user", "content": [{"type": "input_text", "text": ev["text"]}]}})
                self.pending_create = True
                await self.pump()

    async def run(self):
        key = os.environ["OPENAI_API_KEY"]
        async with websockets.connect(self.args.url, extra_headers={"Authorization": f"Bearer {key}"},
                                      compression=None, max_size=None) as ws:
            self.ws = ws
            await self.send(session_update())
            if self.args.socket:
                reader, self.daemon_w = await asyncio.open_unix_connection(self.args.socket, limit=1 << 24)
                asyncio.ensure_future(self.daemon_reader(reader))
                await self.daemon_request("hello", version=2, client="bench-peer")  # lib/protocol/protocol.h
                await self.daemon_request("subscribe")
                emit({"type": "daemon", "state": "connected"})
            ws_task = asyncio.ensure_future(self.ws_reader())
            await self.stdin_reader()
            # stdin closed: finish the response in flight, as ptt-realtime does.
            while self.active or self.pending_create:
                await asyncio.sleep(0.01)
            ws_task.cancel()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", required=True)
    ap.add_argument("--socket", help="ptt-taskd's socket (spawns and announcements)")
    ap.add_argument("--project", action="append", default=[], help="NAME=DIR")
    asyncio.run(Peer(ap.parse_args()).run())


if __name__ == "__main__":
    main()
