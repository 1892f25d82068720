"""The config file, against the real binaries: precedence flag > env > file > default
(ptt-task's socket, ptt-taskd's max-running), sub-tables for subcommands, errors that
name the file and line in every tool, and examples/config.toml accepted by every tool."""
import os
import re

from ptt_harness import SOURCE_DIR, Sandbox, binary, expect, wait_until
from taskd_fixture import Taskd, spawn

TOOLS = ["ptt-listen", "ptt-realtime", "ptt-taskd", "ptt-task"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def tried_socket(sb, env, *flags):
    """The socket ptt-task tried, from its unreachable error."""
    r = sb.run(["ptt-task", *flags, "--no-autostart", "ping"], env=env, check=3)
    m = re.search(r"no daemon answers at (\S+) ", r.stderr)
    expect(m, f"no socket in the error: {r.stderr!r}")
    return m.group(1)


with Sandbox("config") as sb:
    default_file = os.path.join(sb.env["XDG_CONFIG_HOME"], "ptt", "config.toml")
    env = {k: v for k, v in sb.env.items() if k != "PTT_SOCKET"}
    default_socket = os.path.join(env["XDG_RUNTIME_DIR"], "ptt", "taskd.sock")

    # Each level of the precedence, for ptt-task's --socket.
    expect(tried_socket(sb, env) == default_socket, "default socket not used without file, env or flag")
    write(default_file, '[ptt-task]\nsocket = "/tmp/from-file.sock"\n')
    expect(tried_socket(sb, env) == "/tmp/from-file.sock", "the default config file was not read")
    env_set = dict(env, PTT_SOCKET="/tmp/from-env.sock")
    expect(tried_socket(sb, env_set) == "/tmp/from-env.sock", "the file beat the environment")
    expect(tried_socket(sb, env_set, "--socket", "/tmp/from-flag.sock") == "/tmp/from-flag.sock",
           "the environment beat the flag")
    expect(tried_socket(sb, dict(env, PTT_SOCKET="")) == "/tmp/from-file.sock", "an empty variable is not unset")
    other = sb.path("other.toml")
    write(other, '[ptt-task]\nsocket = "/tmp/from-other.sock"\n')
    expect(tried_socket(sb, env, "--config", other) == "/tmp/from-other.sock", "--config FILE was not read")
    expect(tried_socket(sb, dict(env, PTT_CONFIG=other)) == "/tmp/from-other.sock", "PTT_CONFIG was not read")
    r = sb.run(["ptt-task", "list"], env=dict(env, PTT_CONFIG=sb.path("missing.toml")), check=2)
    expect("missing.toml" in r.stderr, f"a missing PTT_CONFIG file is not named: {r.stderr!r}")
    os.remove(default_file)

    # ptt-taskd's max-running from the file, and the flag over it; [ptt-task.spawn] for spawn.
    gate = sb.path("gate")
    write(default_file, "[ptt-taskd]\nmax-running = 1\n\n[ptt-task.spawn]\nmodel = \"model-from-file\"\n")
    for flags, running in (((), 1), (("--max-running", "2"), 2)):
        d = Taskd(sb, *flags)
        c = d.client()
        ids = [spawn(c, f"wait-file {gate}; result success ok", sb.root) for _ in range(2)]

        def states():
            tasks = c.request("list")["tasks"]
            return [t["state"] for t in tasks if t["id"] in ids]

        wait_until(lambda: states().count("running") == running, what=f"{running} running")
        expect(states().count("queued") == 2 - running, f"with {flags or 'the file'}: {states()}")
        write(gate, "")
        c.request("wait", tasks=ids)
        os.remove(gate)
        sb.run(["ptt-task", "spawn", "--name", f"m{running}", "result success ok"], check=0)
        task = c.request("get", task=f"m{running}")["task"]
        expect(task["options"].get("model") == "model-from-file", f"[ptt-task.spawn] model not used: {task}")
        c.close()
        d.proc.terminate()
        d.wait_exit()
    os.remove(default_file)

    # Mistakes name the file and the line, in every tool, with exit 2.
    bad = sb.path("bad.toml")
    for tool in TOOLS:
        write(bad, f"# mine\n[{tool}]\nno-such-flag = 1\n")
        r = sb.run([tool, "--config", bad, "--help"], check=2)
        expect(f"{bad}:3: unknown key 'no-such-flag' in [{tool}]" in r.stderr, f"{tool}: {r.stderr!r}")
        write(bad, f"[{tool}]\nx = = 1\n")
        r = sb.run([tool, "--config", bad, "--help"], check=2)
        expect(r.stderr.startswith(f"{tool}: error: {bad}:2: "), f"{tool} syntax error: {r.stderr!r}")
    write(bad, "[ptt-taskd]\n\nmax-running = 0\n")
    r = sb.run(["ptt-taskd", "--config", bad], check=2)
    expect("--max-running" in r.stderr and f"fix {bad} line 3" in r.stderr, f"bad value: {r.stderr!r}")
    write(bad, "[ptt-listen]\nchunk-ms = 1\n")
    r = sb.run(["ptt-listen", "--config", bad], check=2)
    expect(f"fix {bad} line 2" in r.stderr, f"ptt-listen bad value: {r.stderr!r}")
    write(bad, "[ptt-realtime]\ndrain-timeout = 100\n")
    r = sb.run(["ptt-realtime", "--config", bad], env=dict(sb.env, OPENAI_API_KEY="k"), check=2)
    expect(f"fix {bad} line 2" in r.stderr, f"ptt-realtime bad value: {r.stderr!r}")

    # The example, every key uncommented, is accepted by every tool.
    src = os.path.join(SOURCE_DIR, "examples", "config.toml")
    os.makedirs(sb.path("src", "api"))
    text = open(src).read().replace("/home/me/src", sb.path("src"))
    text = re.sub(r"^# ([a-z-]+ = )", r"\1", text, flags=re.M)
    example = sb.path("example.toml")
    write(example, text)
    expect(text.count("\n[") >= 4 and "max-running = 2" in text, "example not uncommented")
    for tool in TOOLS:
        sb.run([tool, "--config", example, "--help"], check=0)
    expect(os.path.exists(binary("ptt-task")), "ptt-task built")
print("ok: config file precedence, sub-tables, errors with file:line, example accepted")
