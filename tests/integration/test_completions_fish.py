"""fish completions load without error and complete subcommands and flags
(`complete -C`), including live task ids from a real ptt-taskd."""
import os
import shutil
import subprocess

from completion_harness import completion_file
from ptt_harness import BIN_DIR, Sandbox, binary, expect, fail, skip

if not shutil.which("fish"):
    skip("fish is not installed (Debian package 'fish')")

with Sandbox("compl-fish") as sb:
    sb.env["PTT_CLAUDE"] = binary("fake-agent")
    sb.env["PATH"] = BIN_DIR + os.pathsep + sb.env["PATH"]

    def fish_complete(tool, line):
        script = f"source {completion_file('fish', tool)}; or exit 3; complete -C {line!r}"
        r = subprocess.run(["fish", "--no-config", "-c", script], capture_output=True, text=True,
                           env=sb.env, timeout=30)
        if r.returncode != 0 or r.stderr:
            fail(f"fish {line!r}: exit {r.returncode}: {r.stderr}")
        return [l.split("\t")[0] for l in r.stdout.splitlines()]

    expect(fish_complete("ptt-task", "ptt-task sp") == ["spawn"], f"sp: {fish_complete('ptt-task', 'ptt-task sp')}")
    got = fish_complete("ptt-task", "ptt-task ")
    expect({"spawn", "list", "follow-up", "retry", "clean", "shutdown", "top"} <= set(got), f"subcommands: {got}")
    expect(set(fish_complete("ptt-task", "ptt-task retry --")) >= {"--name", "--wait"}, "retry flags")
    expect(set(fish_complete("ptt-task", "ptt-task clean --")) >= {"--state", "--older-than"}, "clean flags")
    expect(fish_complete("ptt-task", "ptt-task clean --state f") == ["failed"], "clean --state values")
    expect(fish_complete("ptt-task", "ptt-task spawn --permission-mode do") == ["dontAsk"], "permission modes")
    expect("--raw" in fish_complete("ptt-task", "ptt-task logs --"), "logs flags")
    expect(fish_complete("ptt-task", "ptt-task --time") == ["--timeout"], "the global --timeout")
    hosts_config = sb.path("hosts.toml")
    with open(hosts_config, "w") as f:
        f.write('[hosts.devbox]\nurl = "ssh://devbox"\n')
    got = fish_complete("ptt-task", f"ptt-task --config {hosts_config} --host ")
    expect(set(got) == {"local", "devbox"}, f"--host names: {got}")
    expect(fish_complete("ptt-task", "ptt-task list --all-h") == ["--all-hosts"], "list --all-hosts")
    expect("--raw" not in fish_complete("ptt-task", "ptt-task status --"), "status has no --raw")
    expect(fish_complete("ptt-task", "ptt-task list --state r") == ["running"], "--state values")
    expect(fish_complete("ptt-taskd", "ptt-taskd --max") == ["--max-running"], "taskd flags")
    expect(fish_complete("ptt-listen", "ptt-listen --hotkey s") == ["signal"], "listen --hotkey")
    expect(set(fish_complete("ptt-realtime", "ptt-realtime --vad s")) == {"server", "semantic"}, "realtime --vad")
    expect(fish_complete("ptt-realtime", "ptt-realtime --pre") == ["--pretty"], "realtime --pretty")

    expect(fish_complete("ptt-task", "ptt-task status ") == [], "no daemon: no ids")
    expect(not os.path.exists(sb.socket), "completion started a daemon")
    daemon = sb.start(["ptt-taskd"])
    sb.wait_for_socket(proc=daemon)
    r = sb.run(["ptt-task", "--no-autostart", "spawn", "--cwd", sb.root, "--name", "fishy", "result success f"],
               check=0)
    tid = r.stdout.strip()
    got = set(fish_complete("ptt-task", "ptt-task status "))
    expect(got == {tid, "fishy"}, f"live ids: {got}")
    expect(set(fish_complete("ptt-task", "ptt-task retry ")) == {tid, "fishy"}, "retry takes a task")
    expect(fish_complete("ptt-task", "ptt-task logs fi") == ["fishy"], "a name by prefix")
print("ok")
