"""Type-checks Realtime events against OpenAI's official TypeScript definitions.

Every client event ptt-realtime sent and every server event the project's mock sent is
in the mock's log ({"received": ...} and {"sent": ...}, tests/support/mock_realtime_server.py),
kept in each test's artifact dir. Each distinct event becomes one typed constant,
`const c1: RealtimeClientEvent = {...};`, so that `tsc --strict` checks it against the
pinned `openai` package like a TypeScript client would, with excess-property checks on
the object literal. Free text and ids are shortened (the types only say `string`), so
events that differ only there are checked once.
"""
import glob
import json
import os
import re
import subprocess

TYPES_MODULE = "openai/resources/realtime/realtime"
# Fields whose values are free text or ids: their content is not typed, only their type.
FREE_TEXT = re.compile(r"(^|_)id$|^(delta|transcript|text|arguments|output|instructions|message|audio|name|"
                       r"description|param|note)$")
# Sent by the mock on purpose to check that clients ignore event types they do not know.
NOT_API_EVENTS = {"some.future.event"}


def normalized(value, key=""):
    if isinstance(value, dict):
        return {k: normalized(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalized(v, key) for v in value]
    if isinstance(value, str) and FREE_TEXT.search(key):
        return "x"
    if isinstance(value, int) and not isinstance(value, bool) and (key.endswith("_ms") or key.endswith("index")):
        return 0
    return value


def captured(artifact_root):
    """(client events, server events), each distinct, from every mock log under artifact_root."""
    client, server = {}, {}
    for path in sorted(glob.glob(os.path.join(artifact_root, "*", "*.log"))):
        with open(path, errors="replace") as f:
            for line in f:
                if not ('"received"' in line or '"sent"' in line):
                    continue
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(entry, dict) or "t" not in entry:
                    continue  # not the mock Realtime server's log
                if isinstance(entry.get("received"), dict):
                    event = dict(entry["received"])
                    if event.get("type") == "input_audio_buffer.append":
                        event["audio"] = ""  # the log keeps only its size
                    event = normalized(event)
                    client.setdefault(json.dumps(event, sort_keys=True), event)
                elif isinstance(entry.get("sent"), dict) and entry["sent"].get("type") not in NOT_API_EVENTS:
                    event = normalized(entry["sent"])
                    server.setdefault(json.dumps(event, sort_keys=True), event)
    return list(client.values()), list(server.values())


def typescript(client_events, server_events):
    """The .ts text, and for each line number the event checked there."""
    lines = [f'import type {{ RealtimeClientEvent, RealtimeServerEvent }} from "{TYPES_MODULE}";', ""]
    where = {}
    for prefix, kind, events in (("c", "RealtimeClientEvent", client_events),
                                 ("s", "RealtimeServerEvent", server_events)):
        for i, event in enumerate(events, 1):
            where[len(lines) + 1] = event
            lines.append(f"export const {prefix}{i}: {kind} = {json.dumps(event)};")
    return "\n".join(lines) + "\n", where


def check(types_dir, files):
    """Runs tsc --strict over {name: ts_text} in types_dir/check; returns {name: [errors]}."""
    work = os.path.join(types_dir, "check")
    os.makedirs(work, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(work, name), "w") as f:
            f.write(text)
    config = {"compilerOptions": {"strict": True, "noEmit": True, "skipLibCheck": True, "types": [],
                                  "moduleResolution": "node", "target": "es2020"},
              "files": sorted(files)}
    with open(os.path.join(work, "tsconfig.json"), "w") as f:
        json.dump(config, f)
    tsc = os.path.join(types_dir, "node_modules", ".bin", "tsc")
    proc = subprocess.run([tsc, "-p", os.path.join(work, "tsconfig.json")], capture_output=True, text=True,
                          timeout=300)
    errors = {name: [] for name in files}
    last = None  # tsc continues an error's explanation on indented lines
    for line in proc.stdout.splitlines():
        m = re.match(r"(?:.*/)?([^/(]+\.ts)\((\d+),\d+\): error (.*)", line)
        if m and m.group(1) in errors:
            last = [int(m.group(2)), m.group(3)]
            errors[m.group(1)].append(last)
        elif last and line.startswith(" "):
            last[1] += " " + line.strip()
    if proc.returncode != 0 and not any(errors.values()):
        raise RuntimeError(f"tsc failed without a readable error: {proc.stdout}{proc.stderr}")
    return errors
