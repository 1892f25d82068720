"""Shared setup of the test_taskd_ops_*.py tests (one theme each, so the first failure
does not hide the rest): a daemon with default agent options, the fake agent writing
its argv, cwd and environment to argv.ndjson, and a work dir."""
import json
import os

from ptt_harness import expect
from taskd_fixture import Taskd


class OpsDaemon:
    def __init__(self, sb):
        self.sb = sb
        self.work = sb.path("work")
        os.makedirs(os.path.join(self.work, "src"))
        self.argv_file = sb.path("argv.ndjson")
        env = dict(sb.env, PTT_FAKE_AGENT_ARGV_FILE=self.argv_file)
        self.d = Taskd(sb, "--default-allowed-tools", "Bash,Edit", "--default-max-turns", "30", env=env)
        self.c = self.d.client()

    def agent_runs(self):
        """What each agent run recorded (argv, cwd, umask, pids), in start order: whole
        lines only (an agent starting now may be half-way through its line)."""
        with open(self.argv_file) as f:
            return [json.loads(line) for line in f if line.endswith("\n")]

    def shutdown(self):
        """shutdown replies, then the daemon exits 0 and removes its socket."""
        expect(self.c.request("shutdown")["ok"], "shutdown")
        expect(self.d.wait_exit() == 0, "daemon exit status")
        expect(not os.path.exists(self.sb.socket), "socket left behind")
