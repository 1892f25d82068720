"""`wait` (and `spawn --wait`'s wait), `logs -f` and `watch` have no reply timeout: while the daemon is stopped
(SIGSTOP) they say on stderr that it does not answer (after a ping went unanswered),
keep waiting, say when it answers again after SIGCONT, and then finish normally."""
import json
import os
import signal
import subprocess

from ptt_harness import Sandbox, expect, readline, wait_until
from task_cli_fixture import TaskCli

with Sandbox("task-timeouts-waits") as sb:
    cli = TaskCli(sb)
    gate = sb.path("gate")
    tid = cli.spawn(f"block {gate}")
    env = dict(sb.env, PTT_TIMEOUT="1")  # a ping after 1 s of quiet, unresponsive 1 s later
    clients = {
        "wait": sb.start(["ptt-task", "--no-autostart", "wait", tid], env=env, text=True),
        "logs -f": sb.start(["ptt-task", "--no-autostart", "logs", "-f", "--raw", tid], env=env, text=True),
        "watch": sb.start(["ptt-task", "--no-autostart", "watch", "--json"], env=env, text=True),
        "spawn --wait": sb.start(["ptt-task", "--no-autostart", "spawn", "--wait", "--cwd", cli.work,
                                  f"block {gate}"], env=env, text=True),
    }
    # The spawn is answered before the stop (its task is listed): only its wait meets the stopped daemon.
    wait_until(lambda: len(cli.task("list", "--json", check=0).stdout.splitlines()) == 2, 10, "the second task")
    pid = cli.daemon.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        for what, p in clients.items():
            line = readline(p.stderr, 15, f"{what}'s notice")
            expect(line == f"ptt-task: warning: ptt-taskd (pid {pid}) did not answer within 1 s: it is stopped; "
                           f"resume it with `kill -CONT {pid}`, or check it with `ptt-task doctor`; still waiting\n",
                   f"{what}: {line!r}")
            expect(p.poll() is None, f"{what} gave up (exit {p.returncode}) instead of waiting")
    finally:
        os.kill(pid, signal.SIGCONT)
    for what, p in clients.items():
        line = readline(p.stderr, 15, f"{what}'s recovery")
        expect(line == "ptt-task: ptt-taskd answers again\n", f"{what}: {line!r}")

    open(gate, "w").close()  # the task may end now
    out, err = clients["wait"].communicate(timeout=30)
    expect(clients["wait"].returncode == 0 and f"{tid} succeeded" in out, f"wait: {out!r} {err!r}")
    out, err = clients["spawn --wait"].communicate(timeout=30)
    expect(clients["spawn --wait"].returncode == 0, f"spawn --wait: {out!r} {err!r}")
    out, err = clients["logs -f"].communicate(timeout=30)
    expect(clients["logs -f"].returncode == 0, f"logs -f exited {clients['logs -f'].returncode}: {err!r}")
    expect(any(json.loads(l).get("type") == "result" for l in out.splitlines()), f"logs -f: {out!r}")
    watch = clients["watch"]
    while True:  # the watcher sees the task finish
        line = readline(watch.stdout, 30, "a watch event")
        expect(line, "watch ended early")
        if json.loads(line).get("event") == "finished":
            break
    expect(watch.poll() is None, "watch ended")
    watch.send_signal(signal.SIGINT)
    expect(watch.wait(10) == 130, f"watch after Ctrl-C: {watch.returncode}")
print("ok: wait, logs -f and watch say the daemon does not answer, wait on, and finish after SIGCONT")
