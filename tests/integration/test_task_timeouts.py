"""A stopped daemon (SIGSTOP) still accepts connections: every ptt-task request gives up
after its reply timeout (default 5 s; --timeout, PTT_TIMEOUT, the config key `timeout`)
with exit 3 and a message that names the stopped pid and what to do, auto-start included;
once the daemon goes on, everything works again."""
import os
import signal
import time

from ptt_harness import TIMEOUT_FACTOR, Sandbox, expect
from task_cli_fixture import TaskCli


def timed(run, *args, **kwargs):
    start = time.monotonic()
    r = run(*args, **kwargs)
    return r, time.monotonic() - start


def expect_no_answer(r, took, pid, within, what):
    expect(r.returncode == 3, f"{what}: exit {r.returncode}, wanted 3\nstderr: {r.stderr}")
    expect(r.stdout == "", f"{what}: printed {r.stdout!r}")
    expect(r.stderr.startswith(f"ptt-task: error: ptt-taskd (pid {pid}) did not answer within {within} s: "
                               f"it is stopped; resume it with `kill -CONT {pid}`"), f"{what}: {r.stderr!r}")
    expect(r.stderr.count("\n") == 1, f"{what}: one line: {r.stderr!r}")
    # Bounded: the limit, plus start-up and a generous margin for a loaded machine.
    expect(within * 0.9 <= took < within + 3 * TIMEOUT_FACTOR, f"{what}: took {took:.2f} s for a {within} s limit")


with Sandbox("task-timeouts") as sb:
    cli = TaskCli(sb)
    task = cli.task
    done = cli.finished_task()
    pid = cli.daemon.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        # The default limit, on what shell completion runs.
        r, took = timed(task, "list", "--json")
        expect_no_answer(r, took, pid, 5, "list --json")

        # --timeout, for each kind of request.
        for args in (["status", done], ["cancel", done], ["ping"], ["list"], ["spawn", "--cwd", cli.work, "ok"]):
            r, took = timed(task, "--timeout", "1", *args)
            expect_no_answer(r, took, pid, 1, " ".join(args))
            if args[0] in ("spawn", "cancel"):
                expect("may still be carried out when the daemon goes on" in r.stderr,
                       f"{args[0]}: no word that it was sent: {r.stderr!r}")

        # PTT_TIMEOUT, and the config file's key (the flag wins over both).
        env = dict(sb.env, PTT_TIMEOUT="0.5")
        r, took = timed(sb.run, ["ptt-task", "--no-autostart", "status", done], env=env)
        expect_no_answer(r, took, pid, 0.5, "PTT_TIMEOUT=0.5")
        config = sb.path("config.toml")
        with open(config, "w") as f:
            f.write("[ptt-task]\ntimeout = 1.5\n")
        env = dict(sb.env, PTT_CONFIG=config)
        r, took = timed(sb.run, ["ptt-task", "--no-autostart", "status", done], env=env)
        expect_no_answer(r, took, pid, 1.5, "timeout = 1.5 in the config file")
        r, took = timed(sb.run, ["ptt-task", "--no-autostart", "--timeout", "1", "status", done], env=env)
        expect_no_answer(r, took, pid, 1, "--timeout over the config file")

        # Auto-start allowed: the stopped daemon still listens, so none is started, and
        # the client does not hang.
        r, took = timed(sb.run, ["ptt-task", "--timeout", "1", "list"])
        expect_no_answer(r, took, pid, 1, "list with auto-start")
        expect(not os.path.exists(os.path.join(sb.state_dir, "taskd.log")) or "ready" not in open(
            os.path.join(sb.state_dir, "taskd.log")).read(), "a second daemon was started")

        # A limit must be a positive number of seconds.
        for bad in ("0", "-1", "soon"):
            r = task("--timeout", bad, "list", check=2)
            expect("--timeout" in r.stderr, f"--timeout {bad}: {r.stderr!r}")
    finally:
        os.kill(pid, signal.SIGCONT)

    # Going on, the daemon answers as before.
    r = task("status", done, check=0)
    expect(r.stdout.startswith(f"task {done}") or done in r.stdout, f"status after SIGCONT: {r.stdout!r}")
    task("list", "--json", check=0)
print("ok: ptt-task gives up on a stopped daemon with exit 3, and works again after SIGCONT")
