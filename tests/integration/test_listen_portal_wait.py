"""--hotkey portal while the desktop has not answered yet (its dialog is open): SIGTERM
ends ptt-listen at once with status 0 and SIGINT with 130, without a readiness line or
any output, and the bus connection closes (the portal would drop the session)."""
import signal

from portal_bus import PrivateSessionBus, StandInPortal
from ptt_harness import Sandbox, expect

for sig, status in ((signal.SIGTERM, 0), (signal.SIGINT, 130)):
    with Sandbox("listen-portal-wait") as sb:
        bus = PrivateSessionBus(sb)
        portal = StandInPortal(bus, "--bind-response", "-1")
        p = sb.start(["ptt-listen", "--hotkey", "portal"], env=bus.env)
        portal.expect("CreateSession")
        portal.expect("BindShortcuts")  # asked, and never answered
        p.send_signal(sig)
        expect(p.wait(10) == status, f"{sig.name} while waiting: exit status {p.returncode}, wanted {status}: "
                                     f"{p.stderr.read()}")
        out, err = p.stdout.read(), p.stderr.read().decode()
        expect(out == b"" and "ready:" not in err, f"output while not bound: {out!r} {err!r}")
print("ok: SIGTERM (0) and SIGINT (130) end the wait for the portal's answer")
