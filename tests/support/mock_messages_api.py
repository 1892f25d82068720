"""A small Anthropic Messages API mock on 127.0.0.1 for the REAL Claude Code CLI.

Scripted conversation: a turn whose last user message carries no tool_result gets a
Bash tool_use (`echo <marker>`, or another command) with an id never used before, as the
real API does (Claude Code drops a tool_use whose id its history already holds, e.g. after
`--resume`, and with it the call's result); the next turn must carry that tool's
tool_result (with the marker, or another expected text, in its output) and gets
the final text (fixed, or made from the command's output). Every request is checked
(model, stream, max_tokens, the tool_result content); what was wrong is collected
in `errors` so a test fails loudly instead of passing on a confused exchange.

Usable as a module (MockMessagesApi().start()) or as a script that prints
`PORT <n>` and serves until killed (handy with `claude` by hand).
"""
import io
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MARKER = "ptt-mock-marker-4711"
FINAL_TEXT = f"The command printed {MARKER}."
# A conversation longer than this means the script is looping (e.g. the CLI never sent
# the tool_result it waits for): the mock says so and ends the turn instead of looping on.
MAX_MESSAGES = 60


def sse(event, data):
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def message_events(model, blocks, stop_reason, msg_id):
    """The SSE sequence of one streamed message holding `blocks`."""
    out = [sse("message_start", {"type": "message_start", "message": {
        "id": msg_id, "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 100, "output_tokens": 1, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 0}}})]
    for i, block in enumerate(blocks):
        if block["type"] == "text":
            out.append(sse("content_block_start", {"type": "content_block_start", "index": i,
                                                   "content_block": {"type": "text", "text": ""}}))
            out.append(sse("content_block_delta", {"type": "content_block_delta", "index": i,
                                                   "delta": {"type": "text_delta", "text": block["text"]}}))
        else:
            out.append(sse("content_block_start", {"type": "content_block_start", "index": i, "content_block": {
                "type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}}))
            out.append(sse("content_block_delta", {"type": "content_block_delta", "index": i, "delta": {
                "type": "input_json_delta", "partial_json": json.dumps(block["input"])}}))
        out.append(sse("content_block_stop", {"type": "content_block_stop", "index": i}))
    out.append(sse("message_delta", {"type": "message_delta",
                                     "delta": {"stop_reason": stop_reason, "stop_sequence": None},
                                     "usage": {"output_tokens": 20}}))
    out.append(sse("message_stop", {"type": "message_stop"}))
    return b"".join(out)


def tool_result_text(block):
    content = block.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(c.get("text", "") for c in content if isinstance(c, dict))
    return ""


class MockMessagesApi:
    def __init__(self, command=f"echo {MARKER}", expect_model=None, expect_output=MARKER, final_text=FINAL_TEXT):
        self.command = command
        self.expect_model = expect_model  # when set, every agent turn must ask for it
        self.expect_output = expect_output  # the tool_result must contain it
        self.final_text = final_text  # a str, or a function of the tool's output giving one
        self.requests = []      # every decoded /v1/messages body, in order
        self.errors = []        # what claude sent that the script did not expect
        self.tool_results = []  # the tool_result texts seen
        self.tool_ids = []      # the ids of the tool_use blocks sent, in order
        self.lock = threading.Lock()
        self.server = None

    # --- the script --------------------------------------------------------
    def reply_for(self, body):
        """Checks one request and returns (blocks, stop_reason)."""
        if not isinstance(body.get("model"), str) or not body["model"]:
            self.errors.append(f"request without a model: {body.get('model')!r}")
        if body.get("stream") is not True:
            self.errors.append(f"request with stream={body.get('stream')!r}, wanted true")
        if not isinstance(body.get("max_tokens"), int):
            self.errors.append("request without an integer max_tokens")
        # This CLI version appends "system"-role messages (environment notes) after
        # the user's turn; the turn to answer is the last non-system message.
        messages = [m for m in body.get("messages") or [] if m.get("role") != "system"]
        if not messages or messages[-1].get("role") != "user":
            self.errors.append("request whose last message is not the user's")
            return [{"type": "text", "text": "error"}], "end_turn"
        if len(messages) > MAX_MESSAGES:
            self.errors.append(f"a conversation of {len(messages)} messages: the script loops")
            return [{"type": "text", "text": "error: the mock's script loops"}], "end_turn"
        tools = [t.get("name") for t in body.get("tools") or []]
        # Agent turns carry the tools; side requests (titles, probes) may use a small
        # model of the CLI's own choosing, so only agent turns must ask for ours.
        if self.expect_model and "Bash" in tools and body.get("model") != self.expect_model:
            self.errors.append(f"agent turn for model {body.get('model')!r}, wanted {self.expect_model!r}")
        last = messages[-1].get("content")
        results = [b for b in last if isinstance(b, dict) and b.get("type") == "tool_result"] \
            if isinstance(last, list) else []
        if results:
            for r in results:
                text = tool_result_text(r)
                self.tool_results.append(text)
                self.check_tool_result_id(r, body)
                if r.get("is_error"):
                    self.errors.append(f"tool_result is an error: {text!r}")
                elif self.expect_output not in text:
                    self.errors.append(f"tool_result lacks the command output: {text!r}")
            final = self.final_text(text) if callable(self.final_text) else self.final_text
            return [{"type": "text", "text": final}], "end_turn"
        if "Bash" not in tools:
            # A side request (e.g. a title or a quota probe) gets plain text, no script
            # step; it may use a small model of the CLI's own choosing.
            return [{"type": "text", "text": "ok"}], "end_turn"
        return [{"type": "text", "text": "Running it."},
                {"type": "tool_use", "id": self.new_tool_id(), "name": "Bash",
                 "input": {"command": self.command, "description": "Run the command"}}], "tool_use"

    def new_tool_id(self):
        self.tool_ids.append(f"toolu_ptt_mock_{len(self.tool_ids) + 1:04d}")
        return self.tool_ids[-1]

    def check_tool_result_id(self, result, body):
        """A tool_result must answer a tool_use the mock sent in the turn before it."""
        messages = [m for m in body.get("messages") or [] if m.get("role") != "system"]
        before = messages[-2].get("content") if len(messages) >= 2 else None
        asked = [b.get("id") for b in before if isinstance(b, dict) and b.get("type") == "tool_use"] \
            if isinstance(before, list) else []
        if result.get("tool_use_id") not in self.tool_ids or result.get("tool_use_id") not in asked:
            self.errors.append(f"tool_result for {result.get('tool_use_id')!r}, wanted one of {asked}")

    # --- HTTP ----------------------------------------------------------------
    def handler(self):
        mock = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send_json(self, code, obj):
                data = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def read_request(self):
                """For a scenario that answers some requests itself: the path, the raw body, the
                body read (of /v1/messages only) and the names of the tools it offers."""
                path = self.path.split("?", 1)[0]
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                body = json.loads(raw or b"{}") if path == "/v1/messages" else {}
                return path, raw, body, [t.get("name") for t in body.get("tools") or []]

            def replay(self, raw, handle):
                """Hands a request whose body read_request took to `handle` (the ordinary do_POST)."""
                stream, self.rfile = self.rfile, io.BytesIO(raw)
                try:
                    return handle()
                finally:
                    self.rfile = stream

            def do_HEAD(self):
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def do_GET(self):
                self.send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})

            def do_POST(self):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    with mock.lock:
                        mock.errors.append(f"non-JSON body on {self.path}")
                    return self.send_json(400, {"type": "error", "error": {
                        "type": "invalid_request_error", "message": "body is not JSON"}})
                path = self.path.split("?", 1)[0]
                if path == "/v1/messages/count_tokens":
                    return self.send_json(200, {"input_tokens": 100})
                if path != "/v1/messages":
                    return self.send_json(404, {"type": "error", "error": {
                        "type": "not_found_error", "message": self.path}})
                with mock.lock:
                    mock.requests.append(body)
                    blocks, stop = mock.reply_for(body)
                    msg_id = f"msg_ptt_mock_{len(mock.requests):04d}"
                data = message_events(body.get("model") or "claude-mock", blocks, stop, msg_id)
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def start(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def port(self):
        return self.server.server_address[1]

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def agent_env(self, home):
        """The environment the real claude needs to talk to this mock, offline."""
        return {"ANTHROPIC_BASE_URL": self.base_url, "ANTHROPIC_API_KEY": "sk-ant-ptt-mock",
                "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "DISABLE_AUTOUPDATER": "1",
                "HOME": home}


# --- runner scenarios (a runner that never gets stuck) ---------------------------------


class BackgroundCommandApi(MockMessagesApi):
    """The Bash call runs `command` with run_in_background: the CLI answers its tool_result
    at once ("Command running in background with ID: …") and then, with the command still
    running, does not exit after its result line (claude -p 2.1.330)."""

    def __init__(self, command, **kwargs):
        kwargs.setdefault("expect_output", "running in background")
        super().__init__(command=command, **kwargs)

    def reply_for(self, body):
        blocks, stop = super().reply_for(body)
        for block in blocks:
            if block["type"] == "tool_use":
                block["input"]["run_in_background"] = True
        return blocks, stop


class StalledStreamApi(MockMessagesApi):
    """The first agent turn's stream stops after its first text delta and the connection
    stays open (a known upstream stall: the CLI then writes nothing while it lives) until
    release() is called; then the rest of the turn is sent and the script goes on."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stalling = threading.Event()  # set once the stream has stopped mid-turn
        self.released = threading.Event()
        self.stalled_once = False

    def release(self):
        self.released.set()

    def stop(self):
        self.released.set()  # a held handler thread must not outlive the test
        super().stop()

    def handler(self):
        base = super().handler()
        mock = self

        class Stalling(base):
            def do_POST(self):
                path, raw, body, tools = self.read_request()
                with mock.lock:
                    stall = path == "/v1/messages" and "Bash" in tools and not mock.stalled_once
                    if stall:
                        mock.stalled_once = True
                        mock.requests.append(body)
                        blocks, stop = mock.reply_for(body)
                if not stall:
                    return self.replay(raw, super().do_POST)
                data = message_events(body.get("model") or "claude-mock", blocks, stop, "msg_ptt_mock_stall")
                cut = data.index(b"event: content_block_delta")
                cut = data.index(b"\n\n", cut) + 2
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.send_header("connection", "close")  # no length: the body ends with the connection
                self.end_headers()
                self.wfile.write(data[:cut])
                self.wfile.flush()
                mock.stalling.set()
                mock.released.wait(300)
                self.close_connection = True
                try:
                    self.wfile.write(data[cut:])
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the agent gave up on the stream (an interrupt): nothing to finish

        return Stalling


class HeldFirstTurnsApi(MockMessagesApi):
    """Each conversation's first agent turn (one with the tools and no tool_result yet) is
    held, unanswered, until release(): `held` counts the agents waiting, so a test knows
    several run at once before any goes on; after release() the script runs as usual."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.held = 0
        self.released = threading.Event()

    def release(self):
        self.released.set()

    def stop(self):
        self.released.set()  # a held handler thread must not outlive the test
        super().stop()

    def handler(self):
        base = super().handler()
        mock = self

        class Holding(base):
            def do_POST(self):
                path, raw, body, tools = self.read_request()
                messages = [m for m in body.get("messages") or [] if m.get("role") != "system"]
                last = messages[-1].get("content") if messages else None
                answered = isinstance(last, list) and any(
                    isinstance(b, dict) and b.get("type") == "tool_result" for b in last)
                if path == "/v1/messages" and "Bash" in tools and not answered:
                    with mock.lock:
                        mock.held += 1
                    mock.released.wait(300)
                return self.replay(raw, super().do_POST)

        return Holding


if __name__ == "__main__":
    mock = MockMessagesApi().start()
    print(f"PORT {mock.port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        for e in mock.errors:
            print(f"mock error: {e}", file=sys.stderr)
