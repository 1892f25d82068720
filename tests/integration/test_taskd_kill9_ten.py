"""kill -9 of the daemon with 10 tasks running, then a restart: all 10 outcomes are
recorded, whether the task wrote its result while the daemon was down (its agent then
waits for a daemon to end its session) or after it came back, and each outcome is the
task's own (result text, failure reason)."""
import os

from ptt_harness import Sandbox, expect, wait_until
from taskd_fixture import Taskd, get, pid_alive, spawn, supervisor_status, wait_tasks

N = 10

with Sandbox("taskd-kill9-ten") as sb:
    d = Taskd(sb, "--max-running", str(N))
    c = d.client()
    gates = [sb.path(f"gate{i}") for i in range(N)]
    ids = []
    for i in range(N):
        end = f"result success done {i}" if i % 3 else "result error_max_turns"
        ids.append(spawn(c, f"tool Bash step {i}; wait-file {gates[i]}; {end}", sb.root))
    wait_until(lambda: all(get(c, t)["activity"] == f"Bash: step {i}" for i, t in enumerate(ids)), 30,
               "all 10 agents to be running")
    expect(all(get(c, t)["state"] == "running" for t in ids), "not all 10 tasks were running")
    agents = [wait_until(lambda t=t: get(c, t)["pid"], what=f"task {t}'s agent pid") for t in ids]

    d.kill9()
    expect(all(pid_alive(p) for p in agents), "tasks died with the daemon")
    # Half the tasks write their result while no daemon is watching.
    for i in range(0, N, 2):
        open(gates[i], "w").close()
    for i in range(0, N, 2):
        stream = os.path.join(sb.state_dir, "logs", str(ids[i]), "stream.ndjson")
        wait_until(lambda stream=stream: '"type":"result"' in open(stream).read(), 30,
                   f"task {ids[i]}'s result while the daemon is down")
        expect("exit" not in supervisor_status(sb.state_dir, ids[i]),
               f"task {ids[i]}'s agent exited with no daemon to end its session")

    d2 = Taskd(sb, "--max-running", str(N))
    c2 = d2.client()
    for i in range(1, N, 2):
        open(gates[i], "w").close()
    done = wait_tasks(c2, ids, timeout=60)
    recorded = 0
    for i, t in enumerate(ids):
        rec = done[t]
        if i % 3:
            ok = rec["state"] == "succeeded" and rec["result"]["text"] == f"done {i}"
        else:
            ok = rec["state"] == "failed" and rec["reason"] == "error_max_turns"
        expect(ok, f"task {t} outcome wrong or lost: {rec}")
        recorded += 1
    # And they are on disk, not only in memory: a third daemon reads the same.
    c2.request("shutdown")
    expect(d2.wait_exit() == 0, "shutdown")
    d3 = Taskd(sb)
    c3 = d3.client()
    states = {t["id"]: t["state"] for t in c3.request("list")["tasks"]}
    expect(all(states[t] in ("succeeded", "failed") for t in ids), f"records on disk: {states}")
    print(f"{recorded}/{N} outcomes recorded after kill -9")
print("ok: kill -9 with 10 tasks running loses none of their outcomes")
