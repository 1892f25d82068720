"""Shared setup of the test_task_cli_*.py tests (one theme each, so the first failure
does not hide the rest): ptt-task against a real ptt-taskd running the scripted agent
(tests/support/script_agent.py), at most two tasks at once."""
import json
import os

from ptt_harness import SOURCE_DIR, expect
from taskd_fixture import Taskd

AGENT = os.path.join(SOURCE_DIR, "tests", "support", "script_agent.py")


class TaskCli:
    def __init__(self, sb):
        self.sb = sb
        sb.env["PTT_CLAUDE"] = AGENT
        self.daemon = Taskd(sb, "--max-running", "2", claude="").proc  # the agent from PTT_CLAUDE
        self.work = sb.path("work")
        os.makedirs(self.work)

    def task(self, *args, check=None, input=None, timeout=60):
        return self.sb.run(["ptt-task", "--no-autostart", *args], check=check, input=input, timeout=timeout)

    def spawn(self, *args):
        r = self.task("spawn", "--cwd", self.work, *args, check=0)
        expect(r.stdout.strip().isdigit(), f"spawn printed {r.stdout!r}")
        return r.stdout.strip()

    def status(self, tid):
        return json.loads(self.task("status", tid, "--json", check=0).stdout)

    def finished_task(self):
        """A task named "first" that succeeded with the text "all good"; its id."""
        tid = self.spawn("--name", "first", "ok all good")
        self.task("wait", tid, check=0)
        return tid
