"""ptt-voice.service's ExecStart as systemd parsed it, run as systemd would run it (`$$`
unescaped, Environment= then the variables voice.env would set): ptt-listen's output
reaches ptt-realtime, which talks to the mock Realtime server and spawns a task in the
real ptt-taskd. PTT_LISTEN_ARGS adds --file so a spoken WAV stands in for the
microphone; the unit's own --hotkey signal --pidfile stay on the line."""
import json
import os
import subprocess

from ptt_harness import Sandbox, expect
from realtime_fixture import KEY, MockServer, speak
from taskd_fixture import Taskd, wait_tasks
from systemd_units import environment, exec_start, install_prefix, load_units

with Sandbox("unit-voice") as sb:
    unit = load_units(sb, install_prefix(sb, sb.path("prefix")), ["ptt-voice.service"])["ptt-voice.service"]
    os.makedirs(sb.env["XDG_RUNTIME_DIR"], mode=0o700, exist_ok=True)
    project = os.path.realpath(sb.path("proj"))
    os.makedirs(project)
    taskd = Taskd(sb, "--allow-root", project)
    mock = MockServer(sb, "--save-input", sb.path("input.raw"), "--spawn-prompt", "result success from the unit",
                      "--spawn-project", "demo")
    speech = speak(sb, "spawn a task in the demo project")
    env = dict(sb.env, **environment(unit))
    expect(env["PTT_REALTIME_ARGS"] == "--speaker", f"default realtime args: {env['PTT_REALTIME_ARGS']!r}")
    # What ~/.config/ptt/voice.env would hold (EnvironmentFile= overrides Environment=).
    env.update(OPENAI_API_KEY=KEY, PTT_LISTEN_ARGS=f"--file {sb.path('speech.wav')} --fast",
               PTT_REALTIME_ARGS=f"--url {mock.url} --project demo={project} --audio-out {sb.path('reply.wav')}")
    r = subprocess.run(exec_start(unit), env=env, capture_output=True, text=True, timeout=60)
    expect(r.returncode == 0, f"ExecStart exited {r.returncode}: {r.stderr}")
    results = [l for l in map(json.loads, r.stdout.splitlines())
               if l.get("type") == "tool_result" and l.get("name") == "spawn_task"]
    expect(len(results) == 1 and results[0]["output"]["ok"], f"spawn_task: {results}\n{r.stdout[-1500:]}")
    with open(sb.path("input.raw"), "rb") as f:
        expect(f.read() == speech, "the server did not hear the speech")
    task = results[0]["output"]["task"]
    rec = wait_tasks(taskd.client(), [task])[task]
    expect(rec["state"] == "succeeded" and rec["cwd"] == project, f"task: {rec}")
    mock.expect_clean()
print("ok: ptt-voice.service's ExecStart runs the pipeline")
