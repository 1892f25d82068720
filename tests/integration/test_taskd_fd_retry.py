"""Descriptor exhaustion, second line of defence: a read that fails is retried.

PTT_TASKD_FD_RESERVE=0 lets clients take every descriptor of a daemon limited to 64
(RLIMIT_NOFILE), which the connection limit and the daemon's probe for a spare
descriptor normally prevent (test_taskd_fd_limit.py). When the agent exits,
the daemon cannot open the task's status file (EMFILE). Before, it cleared the note that
the file had changed first and then waited for a file event that had already come: the
task stayed `running` for ever, even after descriptors were free again. Now the failed
read is logged and retried on a timer, and the task ends with its own outcome as soon
as the idle connections are gone."""
from fd_exhaustion import fd_limit, flood
from ptt_harness import Sandbox, expect, wait_until
from taskd_fixture import Taskd, get, spawn, wait_tasks

LIMIT = 64
IDLE = 100

with Sandbox("taskd-fd-retry") as sb:
    env = dict(sb.env, PTT_TASKD_FD_RESERVE="0")
    d = Taskd(sb, env=env, preexec_fn=fd_limit(LIMIT))
    c = d.client()
    gate, exit_gate = sb.path("gate"), sb.path("exit")
    task = spawn(c, f"exit-after {exit_gate}; tool Bash waiting; wait-file {gate}; "
                 "result success finished after the retry", sb.root)
    wait_until(lambda: get(c, task)["pid"], what="the agent to run")
    # The result first: the daemon then closes its end of the agent's input (a descriptor
    # freed), and the agent exits only once the flood has taken every descriptor.
    open(gate, "w").close()
    wait_until(lambda: get(c, task).get("result"), what="the task's result")

    idle = flood(d.proc.pid, sb.socket, IDLE)
    open(exit_gate, "w").close()
    wait_until(lambda: "cannot read supervisor.ndjson: Too many open files; retrying" in d.log(), 20,
               f"the failed read to be logged\n{d.log()}")
    expect(get(c, task)["state"] == "running", "the task cannot end before its exit is read")
    for s in idle:
        s.close()
    rec = wait_tasks(c, [task], timeout=20)[task]
    expect(rec["state"] == "succeeded" and rec["result"]["text"] == "finished after the retry",
           f"the task's outcome once descriptors were free again: {rec}\n{d.log()}")
    expect(f"task {task}: its files can be read again" in d.log(), f"the recovery is not logged\n{d.log()}")
print("ok: a read that failed for want of descriptors is retried until the task ends")
