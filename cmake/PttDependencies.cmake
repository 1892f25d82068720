# Every dependency comes from Debian; a missing one stops configuration with the
# package that provides it, so `make -f Makefile.dist deps` (or apt-get) is the fix.
find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  message(FATAL_ERROR "pkg-config not found: install the Debian package 'pkg-config' (or run: make -f Makefile.dist deps)")
endif()

function(ptt_require_pkg target module debian_pkg)
  pkg_check_modules(${target} QUIET IMPORTED_TARGET ${module})
  if(NOT ${target}_FOUND)
    message(FATAL_ERROR "${module} not found: install the Debian package '${debian_pkg}' (or run: make -f Makefile.dist deps)")
  endif()
endfunction()

macro(ptt_require_cmake name debian_pkg)
  find_package(${name} ${ARGN} QUIET)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR "${name} not found: install the Debian package '${debian_pkg}' (or run: make -f Makefile.dist deps)")
  endif()
endmacro()

ptt_require_cmake(CLI11 libcli11-dev)
ptt_require_cmake(nlohmann_json nlohmann-json3-dev 3.10)
ptt_require_cmake(fmt libfmt-dev)
ptt_require_pkg(LIBUV libuv libuv1-dev)
ptt_require_pkg(CURL libcurl libcurl4-openssl-dev)
ptt_require_pkg(LWS libwebsockets libwebsockets-dev)
ptt_require_pkg(SNDFILE sndfile libsndfile1-dev)
ptt_require_pkg(PORTAUDIO portaudio-2.0 portaudio19-dev)
ptt_require_pkg(SAMPLERATE samplerate libsamplerate0-dev)
ptt_require_pkg(TOMLPP tomlplusplus libtomlplusplus-dev)
# ptt-listen --hotkey portal talks to xdg-desktop-portal with sd-bus.
ptt_require_pkg(LIBSYSTEMD libsystemd libsystemd-dev)
find_package(Threads REQUIRED)
# `ptt-task top` draws with ncursesw (wide characters, for UTF-8), in its own helper.
ptt_require_pkg(NCURSESW ncursesw libncurses-dev)
if(PTT_BUILD_TESTS)
  ptt_require_cmake(Catch2 catch2)
endif()
# Man pages are generated from each tool's --help at build time.
find_program(PTT_HELP2MAN help2man)
if(NOT PTT_HELP2MAN)
  message(FATAL_ERROR "help2man not found: install the Debian package 'help2man' (or run: make -f Makefile.dist deps)")
endif()
