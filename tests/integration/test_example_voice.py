"""examples/voice/voice-pipeline.sh: ptt-listen | ptt-realtime as the script runs it,
with ptt-listen reading a spoken WAV (PTT_LISTEN_ARGS) and ptt-realtime talking to the
mock Realtime server: the server hears exactly the speech, calls spawn_task, and the
real ptt-taskd runs the task in the named project."""
import json
import os

from example_fixture import FakeBin, example, run_script
from ptt_harness import Sandbox, expect
from realtime_fixture import KEY, MockServer, speak
from taskd_fixture import Taskd, wait_tasks

with Sandbox("ex-voice") as sb:
    project = os.path.realpath(sb.path("proj"))
    os.makedirs(project)
    taskd = Taskd(sb, "--allow-root", project)
    mock = MockServer(sb, "--save-input", sb.path("input.raw"), "--spawn-prompt", "result success tests pass",
                      "--spawn-project", "demo")
    speech = speak(sb, "spawn a task in the demo project to run the tests")
    env = FakeBin(sb).env(sb, OPENAI_API_KEY=KEY, PTT_NO_AUTOSTART="1",
                          PTT_LISTEN_ARGS=f"--file {sb.path('speech.wav')} --fast")
    r = run_script([example("voice", "voice-pipeline.sh"), "--url", mock.url, "--project", f"demo={project}",
                    "--audio-out", sb.path("reply.wav")], env, timeout=60)
    expect(r.returncode == 0, f"voice-pipeline.sh exited {r.returncode}: {r.stderr}")
    lines = [json.loads(l) for l in r.stdout.splitlines()]
    results = [l for l in lines if l.get("type") == "tool_result" and l.get("name") == "spawn_task"]
    expect(len(results) == 1 and results[0]["output"]["ok"], f"spawn_task result: {results}\n{r.stdout[-2000:]}")
    task = results[0]["output"]["task"]
    with open(sb.path("input.raw"), "rb") as f:
        expect(f.read() == speech, "the server did not hear exactly the speech file")
    mock.expect_clean()
    rec = wait_tasks(taskd.client(), [task])[task]
    expect(rec["cwd"] == project and rec["state"] == "succeeded", f"task: {rec}")
    expect(KEY not in r.stderr and KEY not in r.stdout, "the API key was printed")

    env.pop("OPENAI_API_KEY")
    r = run_script([example("voice", "voice-pipeline.sh")], env)
    expect(r.returncode != 0 and "OPENAI_API_KEY" in r.stderr, f"without a key: {r.returncode} {r.stderr}")
print("ok: voice-pipeline.sh: speech -> Realtime -> spawn_task -> task ran")
