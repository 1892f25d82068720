"""examples/cron/nightly-task.sh: a task that succeeds leaves one log line and sends
nothing; one that fails mails a report (through a recording fake sendmail, else mail)
holding the prompt, the result and the log tail, and the script exits 1."""
import os
import shutil

from example_fixture import FakeBin, example, run_script
from ptt_harness import Sandbox, expect, skip_part
from taskd_fixture import Taskd

SCRIPT = example("cron", "nightly-task.sh")

with Sandbox("ex-cron") as sb:
    Taskd(sb)
    project = sb.path("proj")
    os.makedirs(project)
    fakes = FakeBin(sb)
    fakes.add("sendmail")
    log = sb.path("nightly.log")
    env = fakes.env(sb, PTT_NIGHTLY_LOG=log, PTT_MAILTO="dev@example.org", PTT_NO_AUTOSTART="1")

    ok = run_script([SCRIPT, project, "tool Bash make test; result success all green"], env)
    expect(ok.returncode == 0, f"success path exited {ok.returncode}: {ok.stdout}{ok.stderr}")
    lines = open(log).read().splitlines()
    expect(len(lines) == 1 and " succeeded (task 1) in " + project in lines[0], f"log: {lines}")
    expect(fakes.calls() == [], f"mail sent on success: {fakes.calls()}")

    bad = run_script([SCRIPT, project, "tool Bash make test; result error_during_execution 3 tests fail"], env)
    expect(bad.returncode == 1, f"failure path exited {bad.returncode}: {bad.stdout}{bad.stderr}")
    lines = open(log).read().splitlines()
    expect(len(lines) == 2 and "FAILED (exit 1)" in lines[1], f"log: {lines}")
    mails = fakes.calls("sendmail")
    expect(len(mails) == 1 and mails[0]["argv"] == ["-t"], f"sendmail calls: {mails}")
    msg = mails[0]["stdin"]
    headers, _, body = msg.partition("\n\n")
    expect("To: dev@example.org" in headers.splitlines(), f"headers: {headers!r}")
    expect(any(h.startswith("Subject: ptt: nightly task nightly-") and h.endswith(" failed")
               for h in headers.splitlines()), f"headers: {headers!r}")
    for want in ("result error_during_execution 3 tests fail", "error_during_execution", "3 tests fail",
                 "make test", project):
        expect(want in body, f"the report lacks {want!r}:\n{body}")

    # No sendmail: mail(1) gets the same report, subject and recipient as arguments.
    if shutil.which("sendmail", path="/usr/bin:/bin"):
        skip_part("a system sendmail is installed; the mail(1) path is not exercised", "mail")
    else:
        os.remove(os.path.join(fakes.dir, "sendmail"))
        fakes.add("mail")
        bad = run_script([SCRIPT, project, "result error_max_turns ran out of turns"], env)
        expect(bad.returncode == 1, f"mail path exited {bad.returncode}: {bad.stderr}")
        mails = fakes.calls("mail")
        expect(len(mails) == 1 and mails[0]["argv"][0] == "-s" and mails[0]["argv"][2] == "dev@example.org"
               and mails[0]["argv"][1].endswith(" failed"), f"mail calls: {mails}")
        expect("ran out of turns" in mails[0]["stdin"], f"mail body: {mails[0]['stdin']}")

    usage = run_script([SCRIPT, project], env)
    expect(usage.returncode == 2 and "usage:" in usage.stderr, f"usage: {usage.returncode} {usage.stderr}")
print("ok: nightly task logs success, mails failures")
