"""--hotkey portal when it cannot work: a portal that refuses (Response code 1 or 2) is
an error naming the call and the other hotkeys (exit 1); no portal on the bus, a portal
without GlobalShortcuts, or no session bus at all name signal, evdev and tty (exit 3).
And --check-portal [--json] says the same before anything is tried."""
import json

from portal_bus import PrivateSessionBus, StandInPortal
from ptt_harness import Sandbox, expect

FALLBACKS = ("--hotkey signal", "--hotkey evdev", "--hotkey tty")


def listen(sb, env, status, *args):
    r = sb.run(["ptt-listen", "--hotkey", "portal", *args], env=env, check=status, timeout=30)
    expect(r.stderr.startswith("ptt-listen: error: "), f"not a ptt-listen error: {r.stderr!r}")
    expect(all(f in r.stderr for f in FALLBACKS), f"the other hotkeys are not named: {r.stderr!r}")
    expect(r.stdout == "", f"output without a shortcut: {r.stdout!r}")
    return r.stderr


def refused(option, code, call, why):
    with Sandbox("listen-portal-refused") as sb:
        bus = PrivateSessionBus(sb)
        portal = StandInPortal(bus, option, str(code))
        err = listen(sb, bus.env, 1, "--portal-shortcut", "talk")
        expect(f"the desktop portal refused" in err and f"({call}: response {code}, {why})" in err, err)
        portal.expect("CreateSession")
        if call == "BindShortcuts":
            expect(portal.expect("BindShortcuts")["shortcuts"][0][0] == "talk", "the shortcut was not asked for")
        return err


refused("--bind-response", 1, "BindShortcuts", "cancelled by the user")
refused("--create-response", 2, "CreateSession", "ended in another way")

with Sandbox("listen-portal-missing") as sb:
    bus = PrivateSessionBus(sb)
    # The bus, but nobody owns org.freedesktop.portal.Desktop (and nothing is activatable).
    err = listen(sb, bus.env, 3)
    expect("no desktop portal with global shortcuts" in err and "ServiceUnknown" in err, err)
    r = sb.run(["ptt-listen", "--check-portal"], env=bus.env, check=3)
    expect("ServiceUnknown" in r.stderr and all(f in r.stderr for f in FALLBACKS), r.stderr)
    r = sb.run(["ptt-listen", "--check-portal", "--json"], env=bus.env, check=3)
    answer = json.loads(r.stdout)
    expect(answer["available"] is False and "ServiceUnknown" in answer["error"], r.stdout)

    # A portal without the GlobalShortcuts interface (e.g. xdg-desktop-portal-wlr's).
    portal = StandInPortal(bus, "--no-global-shortcuts")
    err = listen(sb, bus.env, 3)
    expect("has no org.freedesktop.portal.GlobalShortcuts" in err and "No such interface" in err, err)
    portal.proc.stdin.close()
    expect(portal.proc.wait(10) == 0, "the stand-in portal did not exit")

    # No session bus at all.
    err = listen(sb, dict(sb.env, DBUS_SESSION_BUS_ADDRESS="unix:path=" + sb.path("no-bus")), 3)
    expect("cannot connect to the session bus" in err, err)
    no_address = dict(sb.env)
    no_address.pop("DBUS_SESSION_BUS_ADDRESS", None)
    err = listen(sb, no_address, 3)  # sd-bus tries $XDG_RUNTIME_DIR/bus: not in the sandbox
    expect("cannot connect to the session bus" in err, err)
    no_address.pop("XDG_RUNTIME_DIR")
    err = listen(sb, no_address, 3)
    expect("no session bus: DBUS_SESSION_BUS_ADDRESS is not set" in err, err)

with Sandbox("listen-portal-check") as sb:
    bus = PrivateSessionBus(sb)
    StandInPortal(bus, "--version", "7")
    r = sb.run(["ptt-listen", "--check-portal"], env=bus.env, check=0)
    expect("GlobalShortcuts version 7" in r.stdout, r.stdout)
    r = sb.run(["ptt-listen", "--check-portal", "--json"], env=bus.env, check=0)
    expect(json.loads(r.stdout) == {"available": True, "version": 7}, r.stdout)

print("ok: refusals exit 1 naming the call; no portal, no interface and no bus exit 3; all name the fallbacks")
