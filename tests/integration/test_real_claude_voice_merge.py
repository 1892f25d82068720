"""merge_task by voice, through the mock Realtime server, a real ptt-taskd and the real Claude
Code CLI (pinned) in a worktree task whose agent writes a file:

- the finish announcement says what the task changed; the model's merge_task in the response
  to that announcement alone is refused (the consent rule: only in a response to the user's
  own turn), and the main checkout stays exactly as it was (`git status` and HEAD);
- review_task lists the file and its first changed line;
- after the user's typed turn, merge_task runs `ptt-task merge`: the file reaches the main
  checkout and `list` says merged.
CI (CI=true) must not skip: a missing PTT_CLAUDE_CLI is a failure there (ptt_harness.skip).
"""
import json
import os

from git_repo import checkout_state, git, make_repo
from mock_messages_api import MARKER, MockMessagesApi
from ptt_harness import Sandbox, expect
from real_claude_fixture import mock_work_dir, pinned_cli, start_taskd, status_of
from realtime_fixture import MockServer, Realtime

cli = pinned_cli()


mock = MockMessagesApi(command=f"echo voice-merged > notes.txt; echo {MARKER}").start()
try:
    with Sandbox("real-claude-voice-merge") as sb:
        mock_work_dir(sb, mock)
        repo = make_repo(sb)
        before = checkout_state(repo)
        start_taskd(sb, cli)

        merge = ["merge_task", {"task": "1"}]
        # Call 1: on the model's own after the announcement; calls 2 and 3: one per user turn.
        rt_mock = MockServer(sb, "--call-on-announcement", json.dumps(merge),
                             "--tool-calls", json.dumps([merge, ["review_task", {"task": 1}], merge]))
        rt = Realtime(sb, rt_mock.url, f"--project=project={repo}", "--socket", sb.socket)
        rt.wait_type("session", state="ready")
        rt.wait_type("daemon", state="connected")

        r = sb.run(["ptt-task", "--no-autostart", "spawn", "--cwd", repo, "--worktree", "--wait",
                    "--model", "claude-ptt-test-model", "--permission-mode", "acceptEdits",
                    "--allowed-tools", "Bash", "write the notes"], timeout=180)
        expect(r.returncode == 0, f"the task exited {r.returncode}: {r.stdout} {r.stderr}")
        announced = rt.wait_line(lambda l: l.get("type") == "announcement", what="the finish announcement")
        expect("changed 1 file, +1 \u22120" in announced["text"], f"the announcement: {announced}")

        refused = rt.wait_line(lambda l: l.get("type") == "tool_result" and l["call_id"] == "call_1",
                               what="merge_task on the model's own")["output"]
        expect(refused.get("ok") is False and "only when the user asks" in refused.get("error", ""),
               f"merge_task in the response to the announcement: {refused}")
        expect(checkout_state(repo) == before and not os.path.exists(os.path.join(repo, "notes.txt")),
               f"a refused merge changed the main checkout: {checkout_state(repo)}")
        expect("resolution" not in status_of(sb, "1")["worktree"], "a refused merge was recorded")

        rt.send({"type": "text", "text": "what did task 1 change?"})
        review = rt.wait_line(lambda l: l.get("type") == "tool_result" and l.get("name") == "review_task",
                              timeout=60, what="review_task's result")["output"]
        expect(review.get("ok") is True and review["files"][0]["file"] == "notes.txt"
               and "+voice-merged" in review["files"][0]["first_lines"], f"review_task: {review}")
        rt.send({"type": "text", "text": "merge it"})
        merged = rt.wait_line(lambda l: l.get("type") == "tool_result" and l["call_id"] == "call_3",
                              timeout=60, what="merge_task after the user's turn")["output"]
        expect(merged.get("ok") is True and "merged task 1" in merged.get("done", ""), f"merge_task: {merged}")
        with open(os.path.join(repo, "notes.txt")) as f:
            expect(f.read() == "voice-merged\n", "the merge brought the file to the main checkout")
        expect(git(repo, "status", "--porcelain") == "", "the merge left the main checkout clean")
        row = [line for line in sb.run(["ptt-task", "list"]).stdout.splitlines() if line.split()[:1] == ["1"]]
        expect(row and " merged " in row[0], f"list says merged: {row}")
        rt.close_stdin()
        expect(rt.wait_exit() == 0, f"exit status; stderr: {rt.stderr()}")
        rt_mock.expect_clean()
        expect(not mock.errors, f"claude sent what the mock did not expect: {mock.errors}")
finally:
    mock.stop()
print("ok: merge_task refused on the model's own, run after the user's turn")
