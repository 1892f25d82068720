#pragma once
// --hotkey signal: SIGUSR1 is press, SIGUSR2 is release (Wayland compositors bind
// press and release as two commands, e.g. `pkill -USR1 -F pidfile`). The signals
// arrive through the shared SignalPipe; this maps them.
#include <optional>

#include "hotkey/evdev_records.h"

namespace ptt::hotkey {

std::optional<HotkeyEvent> hotkey_for_signal(int signal);

}  // namespace ptt::hotkey
