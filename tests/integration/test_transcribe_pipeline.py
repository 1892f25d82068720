"""Dictation end to end with the real tools: `ptt-listen --file speech.wav` piped into
`ptt-realtime --transcribe` against the mock transcription endpoint (which checks the
upload is exactly ptt-listen's utterance as a 24 kHz mono PCM16 WAV), and then
`ptt-listen | ptt-realtime --transcribe | ptt-task spawn -` with a real ptt-taskd and
the fake agent: the task's prompt is the transcript."""
import json
import os
import shutil
import subprocess

from listen_audio import pcm
from ptt_harness import Sandbox, binary, expect, skip
from taskd_fixture import Taskd, wait_tasks
from transcribe_fixture import KEY, MockTranscribe, dictation_env, sha

for tool in ("espeak-ng", "sox"):
    if not shutil.which(tool):
        skip(f"{tool} not installed (run make -f Makefile.dist deps)")

TRANSCRIPT = "Fix the failing tests in the API project."

with Sandbox("transcribe-pipe") as sb:
    speech = sb.path("speech.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", speech, "fix the failing tests in the api project"],
                   check=True)
    listened = [json.loads(l) for l in sb.run(["ptt-listen", "--file", speech, "--fast"], check=0).stdout.splitlines()]
    utterance = pcm(listened).tobytes()
    expect(len(utterance) > 48 * 1000, "espeak-ng made less than a second of speech")

    def pipeline(*stages, cwd=None):
        cmd = " | ".join(" ".join([binary(s[0]), *s[1:]]) for s in stages)
        return subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, timeout=60,
                              env=dict(dictation_env(sb), PTT_NO_AUTOSTART="1"), cwd=cwd)

    # ptt-listen | ptt-realtime --transcribe: one line, from exactly the utterance ptt-listen sent.
    mock = MockTranscribe(sb, "--text", TRANSCRIPT)
    r = pipeline(["ptt-listen", "--file", speech, "--fast"], ["ptt-realtime", "--transcribe", "--base-url", mock.base_url])
    expect(r.returncode == 0, f"pipeline exited {r.returncode}: {r.stderr}")
    expect(r.stdout == TRANSCRIPT + "\n", f"stdout {r.stdout!r}")
    [upload] = mock.answered()
    expect(upload["wav"]["sha256"] == sha(utterance), f"uploaded {upload['wav']}, ptt-listen sent {len(utterance) // 2} frames")
    mock.expect_clean()

    # ... | ptt-task spawn -: the transcript becomes the task's prompt, and the task runs.
    project = os.path.realpath(sb.path("proj"))
    os.makedirs(project)
    taskd = Taskd(sb, "--allow-root", project)
    mock = MockTranscribe(sb, "--text", TRANSCRIPT, name="spawn")
    r = pipeline(["ptt-listen", "--file", speech, "--fast"],
                 ["ptt-realtime", "--transcribe", "--base-url", mock.base_url],
                 ["ptt-task", "spawn", "-"], cwd=project)
    expect(r.returncode == 0, f"pipeline exited {r.returncode}: {r.stderr}")
    task_id = int(r.stdout.strip())
    done = wait_tasks(taskd.client(), [task_id])[task_id]
    expect(done["prompt"].strip() == TRANSCRIPT, f"task prompt {done['prompt']!r}")
    expect(done["cwd"] == project and done["state"] == "succeeded", f"task {done}")
    expect(KEY not in r.stdout + r.stderr + taskd.log(), "the API key was printed")
print(f"ok: {len(utterance) // 48} ms utterance -> '{TRANSCRIPT}' -> task {task_id} succeeded")
