"""Runs a tool's bash completion function with scripted COMP_WORDS/COMP_CWORD and
returns COMPREPLY, the way bash itself calls it on <Tab>."""
import os
import shlex
import subprocess

from ptt_harness import SOURCE_DIR, fail


def completion_file(shell, tool):
    name = {"bash": tool, "zsh": f"_{tool}", "fish": f"{tool}.fish"}[shell]
    return os.path.join(SOURCE_DIR, "completions", shell, name)


def bash_complete(tool, words, env, function=None):
    """words: the command line split as bash would, the last one being completed."""
    function = function or "_" + tool.replace("-", "_")
    script = "\n".join([
        "set -u",
        f"source {shlex.quote(completion_file('bash', tool))}",
        "COMP_WORDS=(" + " ".join(shlex.quote(w) for w in words) + ")",
        f"COMP_CWORD={len(words) - 1}",
        f"COMP_LINE={shlex.quote(' '.join(words))}",
        "COMP_POINT=${#COMP_LINE}",
        # The function must exist: `complete -F` alone would not prove it does.
        f"declare -F {function} >/dev/null || {{ echo 'no function {function}' >&2; exit 3; }}",
        f"{function} {shlex.quote(tool)} {shlex.quote(words[-1])} {shlex.quote(words[-2] if len(words) > 1 else '')}",
        'printf "%s\\n" "${COMPREPLY[@]}"',
    ])
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True,
                       text=True, env=env, timeout=30)
    if r.returncode != 0 or r.stderr:
        fail(f"bash completion {words} exited {r.returncode}: {r.stderr}")
    return [line for line in r.stdout.splitlines() if line]
