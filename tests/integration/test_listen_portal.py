"""--hotkey portal against a stand-in xdg-desktop-portal on a private session bus: the
shortcut is registered as configured (tokens, id, description, trigger), Activated and
Deactivated give ptt.start and ptt.stop with audio between, and signals for another
shortcut or session change nothing."""
from listen_audio import FakeMicrophone, LineReader, tone_frames, wait_for_stderr_line
from portal_bus import PrivateSessionBus, StandInPortal
from ptt_harness import Sandbox, expect, wait_until

with Sandbox("listen-portal") as sb:
    bus = PrivateSessionBus(sb)
    portal = StandInPortal(bus)
    mic = FakeMicrophone(sb, tone_frames(20))
    p = sb.start(["ptt-listen", "--hotkey", "portal", "--portal-shortcut", "talk", "--portal-description",
                  "Talk to Claude", "--portal-trigger", "CTRL+F9", "--preroll-ms", "100", "--tail-ms", "60"],
                 env=dict(mic.env, DBUS_SESSION_BUS_ADDRESS=bus.address))
    create = portal.expect("CreateSession")
    bind = portal.expect("BindShortcuts")
    ready = wait_for_stderr_line(p, "ready:")
    expect(any("hotkey portal shortcut talk (CTRL+F9)" in l for l in ready), f"readiness line: {ready}")

    tokens = create["options"]
    expect(set(tokens) == {"handle_token", "session_handle_token"}, f"CreateSession options {tokens}")
    for token in tokens.values():
        expect(token and all(c.isalnum() or c == "_" for c in token), f"not an object path element: {token!r}")
    sender = create["sender"][1:].replace(".", "_")
    expect(bind["sender"] == create["sender"], "CreateSession and BindShortcuts from different connections")
    expect(bind["session"] == f"/org/freedesktop/portal/desktop/session/{sender}/{tokens['session_handle_token']}",
           f"BindShortcuts on {bind['session']}, not the session created")
    expect(bind["shortcuts"] == [["talk", {"description": "Talk to Claude", "preferred_trigger": "CTRL+F9"}]],
           f"shortcuts {bind['shortcuts']}")
    expect(bind["parent_window"] == "", f"parent window {bind['parent_window']!r}")
    expect(list(bind["options"]) == ["handle_token"] and bind["options"]["handle_token"] != tokens["handle_token"],
           f"BindShortcuts options {bind['options']}")

    out = LineReader(p.stdout)
    mic.wait_captured(p.pid, 0.3)
    # Another shortcut of ours, and our shortcut in a session that is not ours: nothing.
    portal.send("activate other")
    portal.send(f"activate talk {bind['session']}_not_ours")
    portal.sync()
    # Had either counted, the press would be stamped before what has been captured by now.
    ignored_until_ms = mic.captured(p.pid) * 1000
    mic.wait_captured(p.pid, ignored_until_ms / 1000 + 0.8)
    portal.send("activate talk")
    lines = out.wait_for(lambda ls: sum(l["type"] == "audio" for l in ls) >= 20, what="audio after Activated")
    expect(lines[0]["type"] == "ptt.start", f"first line {lines[0]}")
    expect(lines[0]["ms"] > ignored_until_ms, f"pressed at {lines[0]['ms']} ms, by a signal sent before "
                                              f"{ignored_until_ms:.0f} ms that was not ours")
    portal.send("deactivate other")
    portal.sync()
    portal.send("deactivate talk")
    lines = out.wait_for(lambda ls: ls[-1]["type"] == "ptt.stop", what="ptt.stop after Deactivated")
    kinds = [l["type"] for l in lines]
    expect(kinds.count("ptt.start") == 1 and kinds.count("ptt.stop") == 1, f"events {kinds[:3]}...{kinds[-3:]}")
    expect(kinds[1:-1] == ["audio"] * (len(kinds) - 2), "only audio between ptt.start and ptt.stop")
    expect(lines[-1]["reason"] == "release", f"stop {lines[-1]}")

    # A second press: the session stays bound.
    portal.send("activate talk")
    out.wait_for(lambda ls: [l["type"] for l in ls].count("ptt.start") == 2, what="a second ptt.start")
    portal.send("deactivate talk")
    out.wait_for(lambda ls: [l["type"] for l in ls].count("ptt.stop") == 2, what="a second ptt.stop")
    # The portal closes the session while the key is held (the user revoked it): the
    # utterance ends, and ptt-listen says why and exits 1.
    portal.send("activate talk")
    out.wait_for(lambda ls: [l["type"] for l in ls].count("ptt.start") == 3, what="a third ptt.start")
    portal.send("close")
    lines = out.wait_for(lambda ls: [l["type"] for l in ls].count("ptt.stop") == 3, what="ptt.stop at the close")
    expect(lines[-1]["reason"] == "end", f"stop {lines[-1]}")
    expect(p.wait(10) == 1, f"exit status {p.returncode} after the session closed")
    # `ready` is every stderr line: wait_for_stderr_line's reader keeps appending.
    closed = "ptt-listen: error: the desktop portal closed the global shortcuts session"
    wait_until(lambda: any(l.startswith(closed) for l in ready), 10, f"'{closed}' on stderr")
    print(f"ok: shortcut talk bound with tokens {sorted(tokens.values())}; {kinds.count('audio')} audio lines "
          "between Activated and Deactivated; foreign signals ignored")
