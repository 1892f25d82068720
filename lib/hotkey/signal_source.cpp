#include "hotkey/signal_source.h"

#include <csignal>

namespace ptt::hotkey {

std::optional<HotkeyEvent> hotkey_for_signal(int signal) {
  if (signal == SIGUSR1) return HotkeyEvent::kPress;
  if (signal == SIGUSR2) return HotkeyEvent::kRelease;
  return std::nullopt;
}

}  // namespace ptt::hotkey
