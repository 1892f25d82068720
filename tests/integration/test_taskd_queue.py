"""--max-running limits concurrency; the rest wait in FIFO order; `after` chains run
in dependency order."""
import os

from ptt_harness import Sandbox, expect, wait_until
from taskd_fixture import Taskd, get, log_lines, spawn, wait_tasks

with Sandbox("taskd-queue") as sb:
    d = Taskd(sb, "--max-running", "2")
    c = d.client()
    events = d.client()
    events.request("subscribe")
    gates = [sb.path(f"gate{i}") for i in range(6)]
    ids = [spawn(c, f"wait-file {g}; result success {i}", sb.root) for i, g in enumerate(gates)]

    def states():
        return [t["state"] for t in c.request("list")["tasks"]]

    # Starting, then running once their agents have started.
    expect(states()[2:] == ["queued", "queued", "queued", "queued"], f"states {states()}")
    wait_until(lambda: states() == ["running", "running", "queued", "queued", "queued", "queued"],
               what=f"the first two agents to start: {states()}")
    expect(c.request("list", state="queued")["tasks"][0]["id"] == ids[2], "queued list")
    expect(log_lines(c, ids[5]) == [], "a queued task has no log lines yet, and logs still ends")
    # Release the second first: the next queued task (FIFO) takes its slot.
    open(gates[1], "w").close()
    wait_until(lambda: states()[:4] == ["running", "succeeded", "running", "queued"], what=f"FIFO start: {states()}")
    open(gates[4], "w").close()  # task 4 could finish at once, but must still wait for its turn
    open(gates[0], "w").close()
    wait_until(lambda: get(c, ids[3])["state"] == "running", what="task 3 to start")
    expect(states() == ["succeeded", "succeeded", "running", "running", "queued", "queued"], f"states {states()}")
    for g in gates:
        open(g, "a").close()
    done = wait_tasks(c, ids)
    expect(all(t["state"] == "succeeded" for t in done.values()), str(done))
    starts = [done[i]["started_at"] for i in ids]
    expect(starts == sorted(starts), f"tasks did not start in FIFO order: {starts}")

    # Never more than 2 running: replay the started/finished events.
    running = peak = 0
    finished = 0
    while finished < len(ids):
        e = events.read()
        if e["event"] == "started":
            running += 1
            peak = max(peak, running)
        elif e["event"] == "finished":
            running -= 1
            finished += 1
    expect(peak == 2, f"peak concurrency {peak}, wanted 2")

    # A dependency chain runs in order even with free slots; a diamond waits for both.
    # a holds at a gate until its dependents are seen queued: a fixed sleep in a (it was
    # 50 ms) ended it before the three spawns and the checks were done on a loaded machine.
    gate_a = sb.path("gate-a")
    a = spawn(c, f"wait-file {gate_a}; result success a", sb.root)
    b = spawn(c, "result success b", sb.root, after=[a])
    x = spawn(c, "result success x", sb.root, after=[a])
    z = spawn(c, "result success z", sb.root, after=[b, x], name="last")
    wait_until(lambda: get(c, a)["state"] == "running", what="task a to start")
    states_now = {t: get(c, t)["state"] for t in (b, x, z)}
    expect(set(states_now.values()) == {"queued"}, f"dependents started before a ended: {states_now}")
    open(gate_a, "w").close()
    done = wait_tasks(c, ["last", a])
    expect(done[z]["state"] == "succeeded", str(done[z]))
    recs = {t: get(c, t) for t in (a, b, x, z)}
    expect(recs[b]["started_at"] >= recs[a]["finished_at"] and recs[x]["started_at"] >= recs[a]["finished_at"], "b/x")
    expect(recs[z]["started_at"] >= max(recs[b]["finished_at"], recs[x]["finished_at"]), "z before b and x")
print("ok: the queue honours --max-running, FIFO order and dependencies")
