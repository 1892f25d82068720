"""Scenarios of the Messages API mock (mock_messages_api.py) for honest outcomes:

- RefusedCommandScenario: the agent asks for a Bash command the permission mode refuses
  (a `curl` in acceptEdits); the tool_result then is Claude Code's refusal, and the
  agent's final text admits it;
- TextOnlyScenario: every agent turn is answered with text alone (no tool), e.g. for a
  follow-up (`--resume`) whose conversation already holds the first run's tool call.

Kept apart from the base mock's script so its other scenarios stay as they are.
"""
from mock_messages_api import MockMessagesApi

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
