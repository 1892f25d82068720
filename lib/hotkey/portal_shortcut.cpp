#include "hotkey/portal_shortcut.h"

#include <fmt/format.h>

namespace ptt::hotkey::portal {
namespace {

constexpr const char* kOtherSources =
    "use --hotkey signal (SIGUSR1/SIGUSR2 from compositor bindings), --hotkey evdev (the `input` group) "
    "or --hotkey tty (Enter in the terminal)";

std::string refusal(std::string_view what, std::string_view call, std::uint32_t code) {
  return fmt::format("the desktop portal refused {} ({}: {}); allow ptt-listen when the desktop asks, or {}",
                     what, call, describe_response(code), kOtherSources);
}

}  // namespace

std::string unavailable_message(std::string_view why) {
  return fmt::format(
      "no desktop portal with global shortcuts on the session bus ({}); it needs xdg-desktop-portal with a "
      "backend that has GlobalShortcuts (GNOME 48+, KDE Plasma, Hyprland); otherwise {}",
      why, kOtherSources);
}

std::string portal_object_path(std::string_view kind, std::string_view unique_name, std::string_view token) {
  std::string sender;
  for (char c : unique_name) {
    if (c == ':') continue;
    sender += c == '.' ? '_' : c;
  }
  return fmt::format("/org/freedesktop/portal/desktop/{}/{}/{}", kind, sender, token);
}

std::string describe_response(std::uint32_t code) {
  switch (code) {
    case 0:
      return "success";
    case 1:
      return "response 1, cancelled by the user";
    case 2:
      return "response 2, ended in another way";
    default:
      return fmt::format("response {}", code);
  }
}

ShortcutSession::ShortcutSession(ShortcutSpec spec, std::string unique_name, std::string token)
    : spec_(std::move(spec)), unique_name_(std::move(unique_name)), token_(std::move(token)) {}

std::string ShortcutSession::create_request_path() const {
  return portal_object_path("request", unique_name_, create_handle_token());
}

std::string ShortcutSession::bind_request_path() const {
  return portal_object_path("request", unique_name_, bind_handle_token());
}

void ShortcutSession::on_session_created(std::uint32_t code, const std::string& session_handle) {
  if (stage_ != Stage::kCreating) return;
  if (code != 0 || session_handle.empty()) {
    stage_ = Stage::kFailed;
    if (code == 0)
      throw PortalRefused(
          "the desktop portal created a global shortcuts session but named no "
          "session_handle; " +
          std::string(kOtherSources));
    throw PortalRefused(refusal("a global shortcuts session", "CreateSession", code));
  }
  session_handle_ = session_handle;
  stage_ = Stage::kBinding;
}

void ShortcutSession::on_shortcuts_bound(std::uint32_t code, const std::vector<BoundShortcut>& bound) {
  if (stage_ != Stage::kBinding) return;
  if (code != 0) {
    stage_ = Stage::kFailed;
    throw PortalRefused(refusal(fmt::format("the shortcut '{}'", spec_.id), "BindShortcuts", code));
  }
  for (const auto& b : bound)
    if (b.id == spec_.id) trigger_ = b.trigger_description;
  stage_ = Stage::kBound;
}

void ShortcutSession::on_session_closed() {
  bool was_bound = stage_ == Stage::kBound;
  stage_ = Stage::kFailed;
  throw PortalRefused(
      fmt::format("the desktop portal closed the global shortcuts session{}; start ptt-listen "
                  "again, or {}",
                  was_bound ? " (the shortcut was removed?)" : "", kOtherSources));
}

std::optional<HotkeyEvent> ShortcutSession::on_signal(std::string_view member, std::string_view session,
                                                      std::string_view shortcut_id) const {
  if (stage_ != Stage::kBound || session != session_handle_ || shortcut_id != spec_.id) return std::nullopt;
  if (member == "Activated") return HotkeyEvent::kPress;
  if (member == "Deactivated") return HotkeyEvent::kRelease;
  return std::nullopt;
}

std::string ShortcutSession::describe() const {
  return fmt::format("portal shortcut {} ({})", spec_.id,
                     trigger_.empty() ? "trigger: see the desktop's shortcut settings" : trigger_);
}

}  // namespace ptt::hotkey::portal
