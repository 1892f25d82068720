"""`ptt-task doctor` reports the desktop portal's GlobalShortcuts (for ptt-listen --hotkey
portal): its version when a portal offers it, otherwise a warning saying why (not a
failure: only that hotkey needs it)."""
import json

from portal_bus import PrivateSessionBus, StandInPortal
from ptt_harness import Sandbox, expect


def portal_check(sb, env):
    r = sb.run(["ptt-task", "doctor", "--json"], env=env, timeout=60)
    checks = {c["check"]: c for c in map(json.loads, r.stdout.splitlines())}
    expect("hotkey portal" in checks, r.stdout)
    return checks["hotkey portal"]


with Sandbox("doctor-portal") as sb:
    bus = PrivateSessionBus(sb)
    # doctor's audio check opens ALSA: with the machine's config it loads plugins whose
    # start-up leaks under LeakSanitizer (check-asan). A null device is all it needs here.
    asound = sb.path("asound.conf")
    with open(asound, "w") as f:
        f.write("pcm.!default { type null }\n")
    bus.env["ALSA_CONFIG_PATH"] = asound
    c = portal_check(sb, bus.env)
    expect(c["status"] == "warn" and "ServiceUnknown" in c["detail"], c)
    expect("GNOME 48+" in c["fix"] and "--hotkey signal, evdev or tty" in c["fix"], c)

    portal = StandInPortal(bus, "--version", "2")
    c = portal_check(sb, bus.env)
    expect(c["status"] == "ok" and "GlobalShortcuts version 2" in c["detail"] and c["fix"] is None, c)
    expect(portal.expect("Get")["interface"] == "org.freedesktop.portal.GlobalShortcuts", portal.calls)
    out = sb.run(["ptt-task", "doctor"], env=bus.env, timeout=60).stdout
    expect(any(l.split()[:4] == ["ok", "hotkey", "portal", "GlobalShortcuts"] for l in out.splitlines()), out)
print("ok: doctor gives the portal's GlobalShortcuts version, or a warning with why and what else to use")
