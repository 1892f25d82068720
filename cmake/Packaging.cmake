# A Debian package of the installed tree: `make -f Makefile.dist deb` (cpack -G DEB).
# Library dependencies come from dpkg-shlibdeps (SHLIBDEPS); what is loaded at run time
# without being linked is declared by hand: libwebsockets' libuv event-loop plugin is
# dlopen'ed, and without it ptt-realtime cannot create its context.
set(CPACK_PACKAGE_NAME ptt)
set(CPACK_PACKAGE_VENDOR "ptt")
set(CPACK_PACKAGE_CONTACT "ptt maintainers <ptt@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "push-to-talk background coding tasks (ptt-listen, ptt-realtime, ptt-taskd, ptt-task)")
set(CPACK_PACKAGE_DESCRIPTION "Hold a key, ask for a coding task, and a headless Claude Code run starts in the \
background; an OpenAI Realtime voice session tells you when it is done. The same tasks are run \
from the shell, cron and editors with ptt-task.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libwebsockets-evlib-uv")
# jq: the examples' scripts; the ALSA plugins: PortAudio through PulseAudio/PipeWire.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libasound2-plugins, jq")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "systemd, libnotify-bin, tmux, bubblewrap, socat")
include(CPack)
