"""cpack -G DEB (what `make -f Makefile.dist deb` runs) builds a package whose control
file declares the Debian runtime dependencies (from dpkg-shlibdeps, plus the libuv
plugin libwebsockets dlopens) and whose data holds the binaries, man pages, completions
and systemd units under /usr, the units starting /usr/bin/ptt-taskd."""
import glob
import os
import re
import shutil
import subprocess

from ptt_harness import BIN_DIR, Sandbox, expect, fail

for tool in ("cpack", "dpkg-deb", "dpkg-shlibdeps"):
    if not shutil.which(tool):
        fail(f"{tool} not found: install the Debian packages 'cmake' and 'dpkg-dev' (make -f Makefile.dist deps)")
build_dir = os.path.dirname(BIN_DIR)

with Sandbox("deb") as sb:
    out = sb.path("out")
    r = subprocess.run(["cpack", "--config", os.path.join(build_dir, "CPackConfig.cmake"), "-B", out],
                       capture_output=True, text=True, env=sb.env, timeout=240)
    expect(r.returncode == 0, f"cpack failed: {r.stdout}{r.stderr}")
    debs = glob.glob(os.path.join(out, "*.deb"))
    expect(len(debs) == 1 and re.match(r"ptt_[0-9.]+_amd64\.deb$", os.path.basename(debs[0])), f"packages: {debs}")
    deb = debs[0]

    info = subprocess.run(["dpkg-deb", "-I", deb], capture_output=True, text=True, check=True).stdout
    fields = dict(re.findall(r"^ (\S+): (.*)$", info, re.M))
    expect(fields.get("Package") == "ptt" and fields.get("Architecture") == "amd64", f"control: {info}")
    depends = [d.strip().split()[0] for d in fields.get("Depends", "").split(",")]
    for want in ("libwebsockets-evlib-uv", "libc6", "libstdc++6", "libuv1", "libportaudio2", "libsndfile1",
                 "libsamplerate0", "libcurl4", "libncursesw6"):  # fmt is header-only (no libfmt9)
        expect(want in depends, f"Depends lacks {want}: {fields.get('Depends')}")
    expect(any(d.startswith("libwebsockets1") for d in depends), f"Depends lacks libwebsockets: {depends}")

    listing = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True, check=True).stdout
    paths = {line.split()[-1] for line in listing.splitlines()}
    for tool in ("ptt-listen", "ptt-realtime", "ptt-taskd", "ptt-task"):
        for want in (f"./usr/bin/{tool}", f"./usr/share/man/man1/{tool}.1.gz",
                     f"./usr/share/bash-completion/completions/{tool}"):
            expect(want in paths, f"the package lacks {want}")
    expect("./usr/libexec/ptt/ptt-supervise" in paths, "the package lacks ptt-supervise")
    expect("./usr/libexec/ptt/ptt-task-top" in paths, "the package lacks ptt-task-top (`ptt-task top`)")
    for unit in ("ptt-taskd.socket", "ptt-taskd.service", "ptt-voice.service"):
        expect(f"./usr/lib/systemd/user/{unit}" in paths, f"the package lacks {unit}")
    expect("./usr/share/doc/ptt/examples/tmux/ptt-status.sh" in paths, "the package lacks the examples")
    expect(not any("/tests/" in p or "fake-agent" in p for p in paths), "test programs got into the package")

    root = sb.path("root")
    subprocess.run(["dpkg-deb", "-x", deb, root], check=True)
    service = open(os.path.join(root, "usr/lib/systemd/user/ptt-taskd.service")).read()
    expect("ExecStart=/usr/bin/ptt-taskd\n" in service, "the packaged unit does not start /usr/bin/ptt-taskd")
    r = subprocess.run([os.path.join(root, "usr/bin/ptt-task"), "--version"], capture_output=True, text=True)
    expect(r.returncode == 0 and "ptt-task" in r.stdout, f"packaged ptt-task --version: {r.stdout}{r.stderr}")
print(f"ok: {os.path.basename(deb)}; Depends: {fields['Depends']}")
