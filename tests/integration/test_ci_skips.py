"""ptt_harness.skip: `SKIP: reason` and exit 77, except under CI (CI=true), where a skip
whose key is not in tests/ci_allowed_skips.txt fails the test. Every entry there says
why CI may skip it."""
import os
import subprocess
import sys

from ptt_harness import CI_ALLOWED_SKIPS, SKIP, Sandbox, ci_allowed_skips, expect

SKIPPER = "import sys; from ptt_harness import skip; skip('no widget here', sys.argv[1])"

with Sandbox("ci-skips") as sb:
    def run(key, ci, allow_list=CI_ALLOWED_SKIPS):
        env = dict(os.environ, CI="true" if ci else "", PTT_CI_ALLOWED_SKIPS=allow_list)
        script = sb.path("test_widget.py")
        with open(script, "w") as f:
            f.write(SKIPPER)
        return subprocess.run([sys.executable, script, key], capture_output=True, text=True, env=env, timeout=30)

    r = run("", ci=False)
    expect(r.returncode == SKIP and "SKIP: no widget here" in r.stdout, f"a skip outside CI: {r}")
    r = run("", ci=True)
    expect(r.returncode not in (0, SKIP) and "CI must not skip test_widget" in r.stdout, f"a skip under CI: {r}")
    allowed = sb.path("allowed.txt")
    with open(allowed, "w") as f:
        f.write("# comment\ntest_widget:gadget  # the CI machine has no gadget\n")
    r = run("gadget", ci=True, allow_list=allowed)
    expect(r.returncode == SKIP and "SKIP: no widget here" in r.stdout, f"an allowed skip under CI: {r}")
    r = run("other", ci=True, allow_list=allowed)
    expect(r.returncode not in (0, SKIP), f"another key of an allowed test under CI: {r}")
    with open(allowed, "a") as f:
        f.write("test_widget:other\n")
    r = run("other", ci=True, allow_list=allowed)
    expect(r.returncode not in (0, SKIP) and "does not say why" in r.stdout, f"an entry without a reason: {r}")

    entries = ci_allowed_skips()  # fails on an entry without its reason
    print(f"ok: skips are 77 outside CI, failures in CI unless allowed ({len(entries)} allowed: {sorted(entries)})")
