#!/usr/bin/python3
"""A stand-in xdg-desktop-portal for ptt-listen's tests: it owns
org.freedesktop.portal.Desktop on a private session bus and implements
org.freedesktop.portal.GlobalShortcuts (version property, CreateSession and
BindShortcuts answered by Request::Response, Activated/Deactivated).

It reports every call it gets as one JSON line on stdout ({"event": ...}), starting
with {"event": "ready"}, and takes commands on stdin, one a line:
  activate ID [SESSION] / deactivate ID [SESSION]   emit the signal (SESSION: the last one)
  close                                             emit Session::Closed for the last session
  sync                                              Peer.Ping the client, then report "synced":
                                                    it has dispatched everything sent before
Options: --create-response N, --bind-response N (a refusing portal; -1 never answers, as
a dialog nobody looks at), --no-global-shortcuts
(owns the name, lacks the interface), --version N."""
import argparse
import json
import os
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

DESKTOP = "/org/freedesktop/portal/desktop"
SHORTCUTS = "org.freedesktop.portal.GlobalShortcuts"


def report(event, **fields):
    print(json.dumps({"event": event, **fields}), flush=True)


def plain(value):
    """dbus-python values as plain JSON-able Python."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (dbus.Boolean, bool)):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    return str(value)


def object_path(kind, sender, token):
    return f"{DESKTOP}/{kind}/{sender[1:].replace('.', '_')}/{token}"


class Request(dbus.service.Object):
    @dbus.service.signal("org.freedesktop.portal.Request", signature="ua{sv}")
    def Response(self, code, results):
        pass


class Session(dbus.service.Object):
    @dbus.service.method("org.freedesktop.portal.Session")
    def Close(self):
        report("Close")

    @dbus.service.signal("org.freedesktop.portal.Session", signature="a{sv}")
    def Closed(self, details):
        pass


class WithoutShortcuts(dbus.service.Object):
    """What a portal without a GlobalShortcuts backend answers: no such interface."""

    @dbus.service.method("org.freedesktop.DBus.Properties", in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        report("Get", interface=str(interface), name=str(name))
        raise dbus.exceptions.DBusException(f"No such interface “{interface}”",
                                            name="org.freedesktop.DBus.Error.InvalidArgs")


class Portal(dbus.service.Object):
    def __init__(self, bus, args):
        super().__init__(bus, DESKTOP)
        self.bus, self.args = bus, args
        self.client = None
        self.session = None
        self.sessions = {}

    @dbus.service.method("org.freedesktop.DBus.Properties", in_signature="ss", out_signature="v")
    def Get(self, interface, name):
        report("Get", interface=str(interface), name=str(name))
        if interface == SHORTCUTS and name == "version":
            return dbus.UInt32(self.args.version)
        raise dbus.exceptions.DBusException(f"No such property {name}", name="org.freedesktop.DBus.Error.InvalidArgs")

    def respond(self, path, code, results):
        # After the method has returned, as the real portal does: a client that subscribes
        # to its Request only once it has the reply loses the answer.
        request = Request(self.bus, path)
        request.Response(dbus.UInt32(code), dbus.Dictionary(results if code == 0 else {}, signature="sv"))
        request.remove_from_connection()
        return False

    @dbus.service.method(SHORTCUTS, in_signature="a{sv}", out_signature="o", sender_keyword="sender")
    def CreateSession(self, options, sender):
        options = plain(options)
        report("CreateSession", sender=str(sender), options=options)
        self.client = str(sender)
        handle = object_path("request", sender, options.get("handle_token", "create"))
        self.session = object_path("session", sender, options.get("session_handle_token", "session"))
        self.sessions[self.session] = Session(self.bus, self.session)
        GLib.idle_add(self.respond, handle, self.args.create_response, {"session_handle": dbus.String(self.session)})
        return dbus.ObjectPath(handle)

    @dbus.service.method(SHORTCUTS, in_signature="oa(sa{sv})sa{sv}", out_signature="o", sender_keyword="sender")
    def BindShortcuts(self, session, shortcuts, parent_window, options, sender):
        options = plain(options)
        report("BindShortcuts", sender=str(sender), session=str(session), shortcuts=plain(shortcuts),
               parent_window=str(parent_window), options=options)
        handle = object_path("request", sender, options.get("handle_token", "bind"))
        bound = dbus.Array([dbus.Struct((sid, dbus.Dictionary(
            {"description": info["description"],
             "trigger_description": info.get("preferred_trigger", "unset")}, signature="sv")))
            for sid, info in shortcuts], signature="(sa{sv})")
        if self.args.bind_response >= 0:  # -1: the dialog is never answered
            GLib.idle_add(self.respond, handle, self.args.bind_response, {"shortcuts": bound})
        return dbus.ObjectPath(handle)

    @dbus.service.signal(SHORTCUTS, signature="osta{sv}")
    def Activated(self, session, shortcut_id, timestamp, options):
        pass

    @dbus.service.signal(SHORTCUTS, signature="osta{sv}")
    def Deactivated(self, session, shortcut_id, timestamp, options):
        pass

    def command(self, words):
        if words[0] in ("activate", "deactivate"):
            session = dbus.ObjectPath(words[2] if len(words) > 2 else self.session)
            signal = self.Activated if words[0] == "activate" else self.Deactivated
            signal(session, words[1], dbus.UInt64(0), dbus.Dictionary({}, signature="sv"))
        elif words[0] == "close":
            self.sessions[self.session].Closed(dbus.Dictionary({}, signature="sv"))
        elif words[0] == "sync":
            self.bus.call_blocking(self.client, "/", "org.freedesktop.DBus.Peer", "Ping", "", [])
            report("synced")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--create-response", type=int, default=0)
    parser.add_argument("--bind-response", type=int, default=0)
    parser.add_argument("--version", type=int, default=2)
    parser.add_argument("--no-global-shortcuts", action="store_true")
    args = parser.parse_args()
    DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(args.address)
    name = dbus.service.BusName("org.freedesktop.portal.Desktop", bus)
    portal = WithoutShortcuts(bus, DESKTOP) if args.no_global_shortcuts else Portal(bus, args)
    loop = GLib.MainLoop()

    pending = b""

    def on_stdin(fd, condition):
        # Raw reads: a buffered readline() could keep later commands where the watch
        # never sees them.
        nonlocal pending
        data = os.read(fd, 4096)
        if not data:
            loop.quit()
            return False
        pending += data
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            try:
                if line.split() and isinstance(portal, Portal):
                    portal.command(line.decode().split())
            except dbus.exceptions.DBusException as e:
                report("error", command=line.decode(), error=str(e))
        return True

    GLib.io_add_watch(sys.stdin.fileno(), GLib.IO_IN | GLib.IO_HUP, on_stdin)
    report("ready", name=str(name.get_name()))
    loop.run()


if __name__ == "__main__":
    main()
