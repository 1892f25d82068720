#pragma once
// --hotkey portal without D-Bus: xdg-desktop-portal's GlobalShortcuts handshake
// (CreateSession, then BindShortcuts, each answered by a Response signal on a Request
// object whose path we can predict from our token) as a state machine, and what
// Activated/Deactivated mean for us. The D-Bus adapter (lib/portal/) only moves
// messages; every decision is made here, so it is tested without a bus.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "hotkey/evdev_records.h"

namespace ptt::hotkey::portal {

// What we ask the desktop to bind (ptt-listen --portal-shortcut/-description/-trigger).
struct ShortcutSpec {
  std::string id = "hold-to-talk";
  std::string description = "Hold to talk (ptt-listen)";
  std::string preferred_trigger = "F9";  // the XDG shortcuts format, e.g. CTRL+space; empty: none
};

// No portal, or one without GlobalShortcuts, on the session bus (exit 3).
struct PortalUnavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The portal answered, but no (exit 1): refused, cancelled, or the session closed.
struct PortalRefused : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The message of PortalUnavailable: why, and the hotkey sources that need no portal.
std::string unavailable_message(std::string_view why);

// Where the portal puts the Request (kind "request") or Session ("session") object for
// a token we chose: /org/freedesktop/portal/desktop/KIND/SENDER/TOKEN, SENDER being our
// unique bus name without its ':' and with '_' for '.'.
std::string portal_object_path(std::string_view kind, std::string_view unique_name, std::string_view token);

// A Response code in words: 0 success, 1 cancelled by the user, 2 ended another way.
std::string describe_response(std::uint32_t code);

struct BoundShortcut {
  std::string id;
  std::string trigger_description;  // e.g. "F9"; empty when the desktop gave none
};

class ShortcutSession {
 public:
  enum class Stage { kCreating, kBinding, kBound, kFailed };

  // `token` tells our calls apart from others' (letters, digits, '_').
  ShortcutSession(ShortcutSpec spec, std::string unique_name, std::string token);

  const ShortcutSpec& spec() const { return spec_; }
  Stage stage() const { return stage_; }

  // CreateSession's options and where its Response comes.
  std::string create_handle_token() const { return token_ + "_create"; }
  std::string session_handle_token() const { return token_ + "_session"; }
  std::string create_request_path() const;
  // BindShortcuts' handle_token and where its Response comes.
  std::string bind_handle_token() const { return token_ + "_bind"; }
  std::string bind_request_path() const;

  // The Response to CreateSession; throws PortalRefused unless it succeeded.
  void on_session_created(std::uint32_t code, const std::string& session_handle);
  // The Response to BindShortcuts; throws PortalRefused unless it succeeded.
  void on_shortcuts_bound(std::uint32_t code, const std::vector<BoundShortcut>& bound);
  // The portal closed our session (the user revoked it, or the portal restarted).
  void on_session_closed();

  const std::string& session_handle() const { return session_handle_; }
  // Activated is a press and Deactivated a release, only for our session and shortcut.
  std::optional<HotkeyEvent> on_signal(std::string_view member, std::string_view session,
                                       std::string_view shortcut_id) const;
  // For the readiness line: "portal shortcut hold-to-talk (F9)".
  std::string describe() const;

 private:
  ShortcutSpec spec_;
  std::string unique_name_;
  std::string token_;
  Stage stage_ = Stage::kCreating;
  std::string session_handle_;
  std::string trigger_;
};

}  // namespace ptt::hotkey::portal
