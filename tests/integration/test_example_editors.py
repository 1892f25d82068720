"""examples/vim/ptt.vim and examples/emacs/ptt.el spawn a task about the current file or
the selected lines: vim -Es and emacs --batch run the command, and the daemon's task
record is checked (prompt, file name, selected text, cwd)."""
import os
import shutil
import subprocess

from example_fixture import FakeBin, example
from ptt_harness import Sandbox, expect, fail
from taskd_fixture import Taskd, get

for tool, package in (("vim", "vim"), ("emacs", "emacs-nox")):
    if not shutil.which(tool):
        fail(f"{tool} not found: install the Debian package '{package}' (make -f Makefile.dist deps)")

with Sandbox("ex-editors") as sb:
    taskd = Taskd(sb, "--max-running", "1")
    c = taskd.client()
    env = FakeBin(sb).env(sb, PTT_NO_AUTOSTART="1")
    src = os.path.realpath(sb.path("src"))
    os.makedirs(src)
    source = os.path.join(src, "loop.py")
    with open(source, "w") as f:
        f.write("import sys\nwhile True:\n    pass\nprint('never')\n")

    def check(task_id, prompt, selected):
        rec = get(c, int(task_id))
        expect(rec["cwd"] == src, f"cwd {rec['cwd']}")
        text = rec["prompt"]
        expect(text.startswith(prompt + "\n\nFile: " + source), f"prompt: {text!r}")
        if selected:
            expect(" (lines 2-3):\n\nwhile True:\n    pass\n" in text, f"selection missing: {text!r}")
            expect("import sys" not in text, f"more than the selection: {text!r}")
        else:
            expect("while True" not in text, f"text sent without a selection: {text!r}")

    # Vim: a range and no range; g:ptt_last_task holds the id.
    out = sb.path("vim.out")
    r = subprocess.run(["vim", "-Es", "-u", "NONE", "-i", "NONE", "-N", "-c", f"source {example('vim', 'ptt.vim')}",
                        "-c", f"edit {source}", "-c", "2,3PttTask why does this loop never end?",
                        "-c", "let a = g:ptt_last_task", "-c", "PttTask add type hints",
                        "-c", f"call writefile([a, g:ptt_last_task], '{out}')", "-c", "qa!"],
                       env=env, capture_output=True, text=True, timeout=60, cwd=sb.root)
    expect(r.returncode == 0 and os.path.exists(out), f"vim: {r.returncode} {r.stdout} {r.stderr}")
    selected_id, file_id = open(out).read().split()
    check(selected_id, "why does this loop never end?", True)
    check(file_id, "add type hints", False)

    # Emacs: the region covers lines 2-3; the function returns the id.
    beg = len("import sys\n") + 1
    end = beg + len("while True:\n    pass\n")
    elisp = (f'(progn (find-file "{source}") '
             f'(princ (format "%s %s\\n" (ptt-task-spawn "why does this loop never end?" {beg} {end}) '
             f'(ptt-task-spawn "add type hints"))))')
    r = subprocess.run(["emacs", "--batch", "-Q", "-l", example("emacs", "ptt.el"), "--eval", elisp],
                       env=env, capture_output=True, text=True, timeout=60, cwd=sb.root)
    expect(r.returncode == 0, f"emacs: {r.returncode} {r.stdout} {r.stderr}")
    selected_id, file_id = r.stdout.split()
    check(selected_id, "why does this loop never end?", True)
    check(file_id, "add type hints", False)

    # A failing ptt-task is an error in the editor, not a silent no-op.
    bad_env = dict(env, PTT_SOCKET=sb.path("nobody.sock"))
    r = subprocess.run(["emacs", "--batch", "-Q", "-l", example("emacs", "ptt.el"), "--eval",
                        f'(progn (find-file "{source}") (ptt-task-spawn "x"))'], env=bad_env, capture_output=True,
                       text=True, timeout=60)
    expect(r.returncode != 0 and "ptt: ptt-task: error:" in r.stderr, f"emacs error path: {r.stderr}")
print("ok: vim and emacs spawn tasks about the file and the selection")
