"""`ptt-task dial-stdio` (what `--host` runs on the host, docs/hosts.md) without ssh: it
starts the daemon when none answers, copies protocol lines both ways unchanged, and exits
0 when its stdin ends (after the replies) or when the daemon closes; with autostart off
and no daemon it exits 3 and writes nothing to stdout."""
import json
import os
import subprocess

from ptt_harness import PROTOCOL_VERSION, Sandbox, expect, readline
from task_cli_fixture import AGENT

with Sandbox("dial-stdio") as sb:
    sb.env["PTT_CLAUDE"] = AGENT
    try:
        # No daemon, no autostart: exit 3, the reason on stderr, nothing on stdout.
        r = sb.run(["ptt-task", "--no-autostart", "dial-stdio"], input="", check=3)
        expect(r.stdout == "" and "no daemon answers" in r.stderr, f"no daemon: {r.stdout!r} {r.stderr!r}")

        # Requests in, replies out; stdin's end ends it after the replies (exit 0). A config
        # file naming a host does not send it elsewhere: here is the host.
        config = sb.path("config.toml")
        with open(config, "w") as f:
            f.write('[ptt-task]\nhost = "elsewhere"\n')
        lines = [{"id": 1, "op": "hello", "version": PROTOCOL_VERSION, "client": "test"},
                 {"id": 2, "op": "list"}]
        r = sb.run(["ptt-task", "--config", config, "dial-stdio"],
                   input="".join(json.dumps(m) + "\n" for m in lines), check=0)
        replies = [json.loads(line) for line in r.stdout.splitlines()]
        expect([m.get("id") for m in replies] == [1, 2] and all(m.get("ok") for m in replies),
               f"replies: {r.stdout!r} {r.stderr!r}")
        expect(replies[1]["tasks"] == [], f"an empty daemon's list: {replies[1]}")
        expect(os.path.exists(sb.socket), "dial-stdio did not start the daemon")

        # The daemon closes (shutdown): dial-stdio ends with 0 though its stdin stays open.
        bridge = sb.start(["ptt-task", "dial-stdio"], stdin=subprocess.PIPE, text=True)
        bridge.stdin.write(json.dumps({"id": 1, "op": "hello", "version": PROTOCOL_VERSION}) + "\n")
        bridge.stdin.write(json.dumps({"id": 2, "op": "shutdown"}) + "\n")
        bridge.stdin.flush()
        expect(json.loads(readline(bridge.stdout, 10, "the hello reply"))["id"] == 1, "hello through the bridge")
        expect(json.loads(readline(bridge.stdout, 10, "the shutdown reply"))["id"] == 2, "shutdown reply")
        expect(bridge.wait(10) == 0, f"dial-stdio after the daemon closed: exit {bridge.returncode}")
    finally:
        sb.run(["ptt-task", "--no-autostart", "shutdown"])
