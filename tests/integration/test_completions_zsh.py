"""zsh completions load through compinit without error and complete, driven by
real keystrokes: an interactive zsh on a pty gets `ptt-task sp<Tab>` and a key
bound to a widget that writes the edited line to a file."""
import os
import pty
import shutil
import subprocess

from completion_harness import completion_file
from ptt_harness import BIN_DIR, Sandbox, binary, expect, skip, wait_until

if not shutil.which("zsh"):
    skip("zsh is not installed (Debian package 'zsh')")

ZSHRC = r"""
fpath=({compdir} $fpath)
autoload -Uz compinit && compinit -u -d $ZDOTDIR/.zcompdump
dump-buffer() {{ print -r -- "<$BUFFER>" >> $ZDOTDIR/out; BUFFER=; }}
zle -N dump-buffer
bindkey '^T' dump-buffer
PS1='> '
print ready > $ZDOTDIR/ready
"""

with Sandbox("compl-zsh") as sb:
    sb.env["PTT_CLAUDE"] = binary("fake-agent")
    sb.env["PATH"] = BIN_DIR + os.pathsep + sb.env["PATH"]
    zdot = sb.path("zdot")
    os.makedirs(zdot)
    with open(os.path.join(zdot, ".zshrc"), "w") as f:
        f.write(ZSHRC.format(compdir=os.path.dirname(completion_file("zsh", "ptt-task"))))
    out_file = os.path.join(zdot, "out")
    sb.env.update({"ZDOTDIR": zdot, "TERM": "dumb"})
    hosts_config = sb.path("hosts.toml")  # --host completes its [hosts.NAME] names
    with open(hosts_config, "w") as f:
        f.write('[hosts.devbox]\nurl = "ssh://devbox"\n')
    sb.env["PTT_CONFIG"] = hosts_config

    daemon = sb.start(["ptt-taskd"])
    sb.wait_for_socket(proc=daemon)
    r = sb.run(["ptt-task", "--no-autostart", "spawn", "--cwd", sb.root, "--name", "zedtask", "result success z"],
               check=0)
    tid = r.stdout.strip()

    master, slave = pty.openpty()
    shell = subprocess.Popen(["zsh", "-i"], stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=sb.env,
                             start_new_session=True)
    sb.procs.append(shell)
    os.close(slave)
    wait_until(lambda: os.path.exists(os.path.join(zdot, "ready")), 20, "zsh to start")

    def drain():  # keep the pty from filling up
        import select
        while select.select([master], [], [], 0)[0]:
            try:
                if not os.read(master, 65536):
                    break
            except OSError:
                break

    lines_seen = []

    def complete(typed):
        """Types TYPED, Tab, then ^T; returns the line zle had after completing."""
        os.write(master, typed.encode() + b"\t")
        os.write(master, b"\x14")

        def got_line():
            drain()
            if not os.path.exists(out_file):
                return None
            lines = open(out_file).read().split("\n")[:-1]  # whole lines: zsh may be writing one
            return lines[len(lines_seen)] if len(lines) > len(lines_seen) else None

        line = wait_until(got_line, 20, f"zsh to complete {typed!r}")
        lines_seen.append(line)
        return line

    got = complete("ptt-task sp")
    expect(got == "<ptt-task spawn >", f"subcommand: {got}")
    got = complete("ptt-task logs --ra")
    expect(got == "<ptt-task logs --raw >", f"logs flag: {got}")
    got = complete("ptt-task list --state=runn")
    expect(got == "<ptt-task list --state=running >", f"--state value: {got}")
    got = complete("ptt-task status zed")
    expect(got == "<ptt-task status zedtask >", f"live task name: {got}")
    got = complete(f"ptt-task wait {tid}")
    expect(got == f"<ptt-task wait {tid} >", f"live task id: {got}")
    got = complete("ptt-task --time")
    expect(got.startswith("<ptt-task --timeout"), f"--timeout: {got}")
    got = complete("ptt-task --host=devb")
    expect(got == "<ptt-task --host=devbox >", f"--host name: {got}")
    got = complete("ptt-task list --all-h")
    expect(got == "<ptt-task list --all-hosts >", f"list --all-hosts: {got}")
    got = complete("ptt-task ret")
    expect(got == "<ptt-task retry >", f"retry: {got}")
    got = complete("ptt-task clean --older")
    expect(got.startswith("<ptt-task clean --older-than"), f"clean flag: {got}")
    got = complete("ptt-task clean --state=fa")
    expect(got == "<ptt-task clean --state=failed >", f"clean --state value: {got}")
    got = complete("ptt-task spawn --permission-mode=dont")
    expect(got == "<ptt-task spawn --permission-mode=dontAsk >", f"permission mode: {got}")
    got = complete("ptt-taskd --max-r")
    expect(got.startswith("<ptt-taskd --max-running"), f"taskd flag: {got}")
    got = complete("ptt-listen --hotkey=sig")
    expect(got == "<ptt-listen --hotkey=signal >", f"listen --hotkey: {got}")
    got = complete("ptt-realtime --instructions-f")
    expect(got.startswith("<ptt-realtime --instructions-file"), f"realtime flag: {got}")
    got = complete("ptt-realtime --pre")
    expect(got == "<ptt-realtime --pretty >", f"realtime --pretty: {got}")

    os.write(master, b"exit\n")
    shell.wait(timeout=10)
    err = shell.stderr.read().decode()
    expect("error" not in err.lower() and "not found" not in err, f"zsh stderr: {err}")
print("ok")
