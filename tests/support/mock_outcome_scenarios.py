"""Scenarios of the Messages API mock (mock_messages_api.py) for honest outcomes:

- RefusedCommandScenario: the agent asks for a Bash command the permission mode refuses
  (a `curl` in acceptEdits); the tool_result then is Claude Code's refusal, and the
  agent's final text admits it;
- TextOnlyScenario: every agent turn is answered with text alone (no tool), e.g. for a
  follow-up (`--resume`) whose conversation already holds the first run's tool call;
- RateLimitedScenario: agent turns refused with HTTP 429 for a subscription's rate limit.

Kept apart from the base mock's script so its other scenarios stay as they are.
"""

from mock_messages_api import MockMessagesApi, tool_result_text

REFUSED_FINAL_TEXT = "I could not run the command: it needs approval."


def _last_turn(body):
    messages = [m for m in body.get("messages") or [] if m.get("role") != "system"]
    last = messages[-1].get("content") if messages else None
    results = [b for b in last if isinstance(b, dict) and b.get("type") == "tool_result"] \
        if isinstance(last, list) else []
    tools = [t.get("name") for t in body.get("tools") or []]
    return results, tools


class RefusedCommandScenario(MockMessagesApi):
    def __init__(self, command, **kw):
        super().__init__(command=command, **kw)
        self.refusals = []  # the error texts of the refused tool_results

    def reply_for(self, body):
        results, tools = _last_turn(body)
        if not results:
            return super().reply_for(body)
        for r in results:
            self.check_tool_result_id(r, body)
            if r.get("is_error"):
                self.refusals.append(r.get("content"))
            else:
                self.errors.append(f"the command ran; it should have been refused: {r!r}")
        return [{"type": "text", "text": REFUSED_FINAL_TEXT}], "end_turn"


class TextOnlyScenario(MockMessagesApi):
    def __init__(self, text, **kw):
        super().__init__(**kw)
        self.text = text
        self.text_only = True  # False: the base script again (a Bash call, then text)

    def reply_for(self, body):
        results, tools = _last_turn(body)
        if self.text_only and "Bash" in tools and not results:
            with_text = [{"type": "text", "text": self.text}]
            return with_text, "end_turn"
        return super().reply_for(body)


class RateLimitedScenario(MockMessagesApi):
    """A subscription's rate limit, as the API reports it in its anthropic-ratelimit-unified-*
    headers. Claude Code 2.1.330 reads those headers only for a claude.ai login (an API
    key's responses never carry them), so agent_env() gives it an OAuth token instead of a
    key. While `rejecting`, an agent turn is refused with HTTP 429 and status `rejected`
    (the CLI then writes `rate_limit_event` with status rejected and `resetsAt`, an
    assistant line with `"error":"rate_limit"`, and a result with is_error); other turns
    are served with status `allowed`. `resets_at` (Unix seconds) is the reset sent."""

    def __init__(self, resets_at, **kw):
        super().__init__(**kw)
        self.resets_at = int(resets_at)
        self.rejecting = True
        self.refused = 0  # agent turns refused so far

    def agent_env(self, home):
        env = super().agent_env(home)
        del env["ANTHROPIC_API_KEY"]
        env["CLAUDE_CODE_OAUTH_TOKEN"] = "sk-ant-oat01-ptt-mock"
        return env

    def handler(self):
        base = super().handler()
        mock = self

        class Limited(base):
            def do_POST(self):
                path, raw, body, tools = self.read_request()
                with mock.lock:
                    refuse = path == "/v1/messages" and "Bash" in tools and mock.rejecting
                    if refuse:
                        mock.refused += 1
                self.limit_status = "rejected" if refuse else "allowed"
                if not refuse:
                    return self.replay(raw, super().do_POST)
                self.send_json(429, {"type": "error", "error": {
                    "type": "rate_limit_error", "message": "Rate limited (ptt mock)"}})

            def end_headers(self):
                for name, value in (("anthropic-ratelimit-unified-status", getattr(self, "limit_status", "allowed")),
                                    ("anthropic-ratelimit-unified-reset", str(mock.resets_at)),
                                    ("anthropic-ratelimit-unified-5h-reset", str(mock.resets_at)),
                                    ("anthropic-ratelimit-unified-5h-utilization", "0.5"),
                                    ("anthropic-ratelimit-unified-representative-claim", "five_hour")):
                    self.send_header(name, value)
                super().end_headers()

        return Limited


class ApprovalScenario(MockMessagesApi):
    """Tool calls that need approval (docs/taskd.md, Approvals): each agent turn asks for the
    next of `commands` (Bash calls acceptEdits does not allow, e.g. a `curl`) until the
    conversation has run them all, then ends with text naming each outcome. `outcomes` holds
    each tool_result as (ran, text): ran is False for an error result (a denied call, whose
    text is what the model was told). Set `commands` before each task."""

    def __init__(self, commands, **kw):
        super().__init__(command=commands[0], **kw)
        self.commands = list(commands)
        self.outcomes = []

    def reply_for(self, body):
        results, tools = _last_turn(body)
        if "Bash" not in tools:
            return super().reply_for(body)
        for r in results:
            self.check_tool_result_id(r, body)
            self.outcomes.append((not r.get("is_error"), tool_result_text(r)))
        messages = [m for m in body.get("messages") or [] if m.get("role") == "assistant"]
        done = sum(1 for m in messages if isinstance(m.get("content"), list)
                   for b in m["content"] if isinstance(b, dict) and b.get("type") == "tool_use")
        if done < len(self.commands):
            return [{"type": "text", "text": "Running it."},
                    {"type": "tool_use", "id": self.new_tool_id(), "name": "Bash",
                     "input": {"command": self.commands[done], "description": "Fetch the page"}}], "tool_use"
        return [{"type": "text", "text": f"Done after {done} call(s)."}], "end_turn"
