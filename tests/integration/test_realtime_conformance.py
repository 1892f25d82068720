"""Conformance with OpenAI's official definitions: every client event ptt-realtime sent in
the other integration tests, and every server event the project's mock sent them (both
captured in the mock's logs, build/test-artifacts), type-checks against the pinned npm
`openai` package's RealtimeClientEvent and RealtimeServerEvent with `tsc --strict`. First
the check must catch deliberately wrong events (an unknown field, a missing field, a
server event without event_id), so that it can fail. Runs after the tests that start the
mock (ctest DEPENDS). The packages come from `make -f Makefile.dist openai-types`."""
import os

from ptt_harness import artifact_dir, expect, fail, skip
from realtime_conformance import captured, check, typescript

WRONG = [  # (event, the type it must not be, why)
    ({"type": "response.create", "event_id": "e1", "bogus": 1}, "RealtimeClientEvent", "an unknown field"),
    ({"type": "input_audio_buffer.append"}, "RealtimeClientEvent", "no audio"),
    ({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                                                   "content": [{"type": "text", "text": "hi"}]}},
     "RealtimeClientEvent", "a content type the API does not have"),
    ({"type": "input_audio_buffer.cleared"}, "RealtimeServerEvent", "no event_id"),
]

types_dir = os.environ.get("PTT_OPENAI_TYPES") or ""
if not types_dir or not os.path.isdir(os.path.join(types_dir, "node_modules", "openai")):
    why = ""
    if types_dir and os.path.exists(os.path.join(types_dir, "SKIP")):
        why = open(os.path.join(types_dir, "SKIP")).read().strip()
    skip(f"the openai and typescript npm packages are not installed ({why or 'run make -f Makefile.dist openai-types'})",
         key="openai-types")

root = artifact_dir()
client, server = captured(root) if root and os.path.isdir(root) else ([], [])
if not client or not server:
    skip(f"no events captured by the mock Realtime server under {root}: run the realtime integration tests first",
         key="no-captured-events")

wrong_lines = ['import type { RealtimeClientEvent, RealtimeServerEvent } from "openai/resources/realtime/realtime";']
for i, (event, kind, _) in enumerate(WRONG, 1):
    wrong_lines.append(f"export const w{i}: {kind} = {__import__('json').dumps(event)};")
events_ts, where = typescript(client, server)
errors = check(types_dir, {"wrong.ts": "\n".join(wrong_lines) + "\n", "captured.ts": events_ts})

caught = {line for line, _ in errors["wrong.ts"]}
for i, (event, kind, why) in enumerate(WRONG, 2):
    expect(i in caught, f"tsc accepted a wrong {kind} ({why}): {event}; errors: {errors['wrong.ts']}")
if errors["captured.ts"]:
    fail("events that do not type-check against the official openai types:\n" +
         "\n".join(f"{where.get(line)}\n  -> {text}" for line, text in errors["captured.ts"][:20]))
types = sorted({e["type"] for e in client}), sorted({e["type"] for e in server})
print(f"ok: {len(client)} distinct client events ({len(types[0])} types) and {len(server)} server events "
      f"({len(types[1])} types) type-check; {len(WRONG)} wrong events were caught")
