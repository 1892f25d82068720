"""bash completions: subcommands and flags of all four tools through the real
completion functions, and live task ids/names from a real ptt-taskd."""
import os

from completion_harness import bash_complete
from ptt_harness import BIN_DIR, Sandbox, binary, expect, skip_part, wait_until

with Sandbox("compl-bash") as sb:
    sb.env["PTT_CLAUDE"] = binary("fake-agent")
    sb.env["PATH"] = BIN_DIR + os.pathsep + sb.env["PATH"]

    def comp(tool, *words):
        return bash_complete(tool, [tool, *words], sb.env)

    # Subcommands and flags.
    expect(comp("ptt-task", "") == ["spawn", "list", "status", "result", "logs", "cancel", "wait", "watch",
                                    "top", "follow-up", "retry", "clean", "ping", "shutdown", "doctor", "queue",
                                    "diff", "merge", "discard", "send", "interrupt", "pending", "allow", "deny"], f"subcommands: {comp('ptt-task', '')}")
    expect(comp("ptt-task", "queue", "") == ["resume"], f"queue: {comp('ptt-task', 'queue', '')}")
    expect(comp("ptt-task", "spawn", "--wo") == ["--worktree"], f"spawn --wo: {comp('ptt-task', 'spawn', '--wo')}")
    expect(comp("ptt-task", "diff", "--") == ["--help", "--version", "--host", "--socket", "--no-autostart", "--json",
                                              "--timeout", "--stat", "--name-only"],
           f"diff --: {comp('ptt-task', 'diff', '--')}")
    expect(comp("ptt-taskd", "--isolate", "") == ["worktree", "none"], f"--isolate: {comp('ptt-taskd', '--isolate', '')}")
    expect(comp("ptt-task", "s") == ["spawn", "status", "shutdown", "send"], f"s: {comp('ptt-task', 's')}")
    expect(comp("ptt-task", "doc") == ["doctor"], "doctor")
    expect(comp("ptt-task", "p") == ["ping", "pending"], f"p: {comp('ptt-task', 'p')}")
    expect(set(comp("ptt-task", "allow", "--")) >= {"--always", "--request"}, f"allow flags: {comp('ptt-task', 'allow', '--')}")
    expect("--always" not in comp("ptt-task", "deny", "--"), "deny has no --always")
    expect(comp("ptt-taskd", "--appr") == ["--approval-timeout"], f"taskd: {comp('ptt-taskd', '--appr')}")
    expect(comp("ptt-task", "to") == ["top"], "top")
    expect("--claude" in comp("ptt-task", "doctor", "--"), f"doctor flags: {comp('ptt-task', 'doctor', '--')}")
    expect(comp("ptt-task", "--no-autostart", "fol") == ["follow-up"], "subcommand after a global flag")
    expect(comp("ptt-task", "--socket", "/x", "wa") == ["wait", "watch"], "subcommand after --socket VALUE")
    expect(set(comp("ptt-task", "logs", "--")) == {"--follow", "--raw", "--help", "--version", "--host", "--socket",
                                                  "--no-autostart", "--json", "--timeout"},
           f"logs flags: {comp('ptt-task', 'logs', '--')}")
    # --host: "local" and the config file's [hosts.NAME] names (PTT_CONFIG, or --config on the line).
    hosts_config = sb.path("hosts.toml")
    with open(hosts_config, "w") as f:
        f.write('[hosts.devbox]\nurl = "ssh://devbox"\n\n[hosts.dev-two]\nurl = "ssh://me@two:2222"\n')
    with_hosts = dict(sb.env, PTT_CONFIG=hosts_config)
    got = bash_complete("ptt-task", ["ptt-task", "--host", ""], with_hosts)
    expect(got == ["local", "devbox", "dev-two"], f"--host names: {got}")
    got = bash_complete("ptt-task", ["ptt-task", "--config", hosts_config, "list", "--host", "dev-"], sb.env)
    expect(got == ["dev-two"], f"--host names from --config: {got}")
    expect(comp("ptt-task", "--host", "") == ["local"], "no config file: local only")
    expect(comp("ptt-task", "--host", "devbox", "wa") == ["wait", "watch"], "subcommand after --host VALUE")
    expect(comp("ptt-task", "list", "--all-h") == ["--all-hosts"], "list --all-hosts")
    expect(comp("ptt-task", "--ti") == ["--timeout"], f"--timeout: {comp('ptt-task', '--ti')}")
    expect(comp("ptt-task", "--timeout", "") == [], "--timeout takes seconds: nothing to offer")
    expect(comp("ptt-task", "--timeout", "3", "wa") == ["wait", "watch"], "subcommand after --timeout VALUE")
    expect("--after" in comp("ptt-task", "spawn", "--a") and "--allowed-tools" in comp("ptt-task", "spawn", "--a"),
           "spawn flags")
    expect(comp("ptt-task", "list", "--state", "r") == ["running"], "list --state values")
    expect(comp("ptt-task", "spawn", "--permission-mode", "acc") == ["acceptEdits"], "permission modes")
    expect(comp("ptt-task", "spawn", "--permission-mode", "d") == ["default", "dontAsk"], "permission modes: d")
    expect(set(comp("ptt-task", "retry", "--")) >= {"--name", "--wait"}, f"retry flags: {comp('ptt-task', 'retry', '--')}")
    expect(set(comp("ptt-task", "clean", "--")) >= {"--state", "--older-than"}, "clean flags")
    expect(comp("ptt-task", "clean", "--state", "") == ["succeeded", "failed", "cancelled"], "clean --state values")
    expect(comp("ptt-taskd", "--max") == ["--max-running"], f"taskd: {comp('ptt-taskd', '--max')}")
    expect(comp("ptt-listen", "--hotkey", "") == ["evdev", "signal", "tty", "portal", "none"], "listen --hotkey values")
    expect(comp("ptt-listen", "--list") == ["--list-devices"], "listen flags")
    expect(comp("ptt-realtime", "--vad", "") == ["server", "semantic"], "realtime --vad values")
    expect(comp("ptt-realtime", "--instr") == ["--instructions-file"], "realtime flags")
    expect(comp("ptt-realtime", "--pre") == ["--pretty"] and "--json" in comp("ptt-realtime", "--"),
           "realtime view flags")
    # Every flag offered must be one the tool's --help knows.
    for tool in ("ptt-task", "ptt-taskd", "ptt-listen", "ptt-realtime"):
        help_text = sb.run([tool, "--help"], check=0).stdout
        if tool == "ptt-realtime" and "--model" not in help_text:
            skip_part("ptt-realtime here is the stub without flags; its flags are not cross-checked", "realtime-flags")
            continue
        for flag in comp(tool, "--"):
            expect(flag in help_text, f"{tool}: completion offers {flag}, which --help does not list")

    # No daemon: no ids, no error, and completion did not start one.
    expect(comp("ptt-task", "status", "") == [], "ids with no daemon")
    expect(not os.path.exists(sb.socket), "completion started a daemon")

    daemon = sb.start(["ptt-taskd"])
    sb.wait_for_socket(proc=daemon)
    work = sb.path("work")
    os.makedirs(work)

    def spawn(*args):
        r = sb.run(["ptt-task", "--no-autostart", "spawn", "--cwd", work, *args], check=0)
        return r.stdout.strip()

    alpha = spawn("--name", "alpha", "result success a")
    beta = spawn("--name", "beta-two", "result success b")
    plain = spawn("result success c")
    sb.run(["ptt-task", "--no-autostart", "wait", alpha, beta, plain], check=0)

    want = {alpha, "alpha", beta, "beta-two", plain}
    for sub in ("status", "result", "logs", "cancel", "wait", "follow-up", "retry"):
        got = set(comp("ptt-task", sub, ""))
        expect(got == want, f"{sub}: ids {got}, wanted {want}")
    expect(comp("ptt-task", "status", "al") == ["alpha"], "a name by prefix")
    expect(set(comp("ptt-task", "wait", alpha, "")) == want, "wait takes more than one task")
    expect(comp("ptt-task", "status", alpha, "") == [], "status takes one task")
    expect(comp("ptt-task", "follow-up", alpha, "") == [], "follow-up's second word is the prompt")
    expect(set(comp("ptt-task", "spawn", "--after", "")) == want, "spawn --after ids")
    expect(comp("ptt-task", "list", "") == [], "list takes no task")

    # --socket on the command line is the daemon asked.
    env_elsewhere = dict(sb.env, PTT_SOCKET=sb.path("nothing-here.sock"))
    got = bash_complete("ptt-task", ["ptt-task", "--socket", sb.socket, "status", ""], env_elsewhere)
    expect(set(got) == want, f"--socket honoured: {got}")
    expect(bash_complete("ptt-task", ["ptt-task", "status", ""], env_elsewhere) == [], "other socket: nothing")
print("ok")
