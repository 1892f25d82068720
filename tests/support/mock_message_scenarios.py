"""A Messages API mock scenario for messages sent into a running session (ptt-task send,
ptt-task interrupt): the first agent turn stalls mid-stream (StalledStreamApi) until
released, so a message or an interrupt lands while the agent works; a request whose newest
turn (what follows the last assistant message) carries a sent message (a text starting
with MESSAGE_PREFIX) is answered with text alone, `Noted: <the message>`, so the task's
result tells which message it answered.

Claude Code 2.1.330 folds a message taken while it works into the running turn: it comes
after the tool_result as a "system"-role note ("The user sent a new message while you were
working: …"); one taken between turns is a user message of its own.
"""
from mock_messages_api import StalledStreamApi

MESSAGE_PREFIX = "ptt-message:"


def message_texts(body):
    """The sent messages the request's user turns carry, in order."""
    out = []
    for m in body.get("messages") or []:
        if m.get("role") not in ("user", "system"):
            continue
        content = m.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content or []
        for b in blocks:
            text = b.get("text", "") if isinstance(b, dict) else ""
            # The CLI may wrap messages taken mid-turn in words of its own, several in one.
            at = text.find(MESSAGE_PREFIX)
            while at >= 0:
                out.append(text[at:].split("\n", 1)[0].strip())
                at = text.find(MESSAGE_PREFIX, at + 1)
    return out


def noted(message):
    return f"Noted: {message}"


class MessageTurnsApi(StalledStreamApi):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.answered = []  # the messages answered, in order

    def reply_for(self, body):
        messages = body.get("messages") or []
        tools = [t.get("name") for t in body.get("tools") or []]
        newest = [m for m in messages[max((i for i, m in enumerate(messages) if m.get("role") == "assistant"),
                                          default=-1) + 1:]]
        sent = message_texts({"messages": newest})
        if "Bash" in tools and sent:
            self.answered.append(sent[-1])
            return [{"type": "text", "text": noted(sent[-1])}], "end_turn"
        return super().reply_for(body)
