"""Every tool answers --help and --version, and rejects an unknown option with exit 2;
ptt-task without a subcommand says so in the tools' own (lower-case) voice."""
from ptt_harness import Sandbox, expect

TOOLS = ["ptt-listen", "ptt-realtime", "ptt-taskd", "ptt-task"]

with Sandbox("cli") as sb:
    for tool in TOOLS:
        r = sb.run([tool, "--version"], check=0)
        expect(r.stdout.startswith(f"{tool} "), f"{tool} --version printed {r.stdout!r}")
        r = sb.run([tool, "--help"], check=0)
        expect("Usage" in r.stdout or "usage" in r.stdout, f"{tool} --help has no usage: {r.stdout!r}")
        expect("Exit codes" in r.stdout, f"{tool} --help does not document exit codes")
        r = sb.run([tool, "--no-such-option"], check=2)
        expect(r.stderr.startswith(f"{tool}: error: "), f"{tool} usage error is not prefixed: {r.stderr!r}")
    # CLI11's own wording, like every other error, starts lower case after "error: ".
    r = sb.run(["ptt-task"], check=2)
    expect(r.stderr == "ptt-task: error: a subcommand is required; see `ptt-task --help`\n",
           f"ptt-task without a subcommand: {r.stderr!r}")
print("ok: 4 tools answer --help, --version and reject bad options")
