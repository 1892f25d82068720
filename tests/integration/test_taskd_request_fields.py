"""Mistyped request fields get a bad_request naming the field and the type it must be,
never the JSON library's own error text; a request id the daemon cannot echo exactly
(beyond 64 bits, a fraction or exponent, not a string or integer) is refused, with id
null, and the request is not run; 64-bit ids come back digit for digit."""
import json

from ptt_harness import Sandbox, expect
from taskd_fixture import Taskd, spawn, wait_tasks


def raw(c, line):
    c.send_raw(line.encode() + b"\n")
    return c.read()


with Sandbox("taskd-request-fields") as sb:
    d = Taskd(sb)
    c = d.client()
    tid = spawn(c, "result success ok", sb.root)
    wait_tasks(c, [tid])
    for line, message in (
        ('{"id":1,"op":"cancel","all":"yes"}', "`all` must be true or false"),
        ('{"id":2,"op":"wait","all":1}', "`all` must be true or false"),
        ('{"id":3,"op":"spawn","prompt":"p","cwd":"/","options":{"max_turns":"3"}}',
         "`options.max_turns` must be an integer"),
        ('{"id":4,"op":"spawn","prompt":"p","cwd":"/","after":[1.5]}', "`after` must be an array of task ids or names"),
        ('{"id":5,"op":"hello","version":4294967297}', "`version` must be an integer"),
    ):
        r = raw(c, line)
        expect(r == {"id": json.loads(line)["id"], "ok": False, "error": {"code": "bad_request", "message": message}},
               f"{line}: {r}")
    print("ok: mistyped fields are refused naming the field and its type")

    big = "18446744073709551615"
    r = raw(c, '{"id":' + big + ',"op":"get","task":' + str(tid) + '}')
    expect(r["ok"] and r["task"]["id"] == tid and r["id"] == int(big) and isinstance(r["id"], int),
           f"a 64-bit id must come back as sent: {r['id']!r}")
    for bad in ("18446744073709551616", "1e2", "1.5", "[1]", "true"):
        r = raw(c, '{"id":' + bad + ',"op":"cancel","all":true}')
        expect(r["id"] is None and not r["ok"] and r["error"]["code"] == "bad_request"
               and r["error"]["message"].startswith("`id` must be a string or an integer of at most 64 bits"),
               f"id {bad}: {r}")
    expect(c.request("get", task=tid)["task"]["state"] == "succeeded", "the daemon goes on")
    print("ok: ids beyond 64 bits, fractions and non-scalars are refused, 64-bit ids echoed exactly")
