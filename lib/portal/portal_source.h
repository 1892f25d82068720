#pragma once
// --hotkey portal: the one D-Bus adapter (sd-bus). It binds a global shortcut with
// xdg-desktop-portal's org.freedesktop.portal.GlobalShortcuts on the session bus and
// turns Activated/Deactivated into press/release. The decisions are in
// hotkey/portal_shortcut.h; here only messages are built, sent and read.
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "hotkey/hotkey_source.h"
#include "hotkey/portal_shortcut.h"

struct sd_bus;

namespace ptt::hotkey::portal {

// A signal (SIGINT/SIGTERM) came while we waited for the desktop to answer.
struct WaitInterrupted {};

// How long the desktop may take to answer (it may show a dialog to the user).
inline constexpr std::chrono::seconds kAnswerTimeout{120};

class PortalSource : public HotkeySource {
 public:
  // Connects and binds before returning. Throws PortalUnavailable, PortalRefused, or
  // WaitInterrupted when `interrupt_fd` becomes readable (or a call is interrupted) first.
  PortalSource(const ShortcutSpec& spec, int interrupt_fd,
               std::chrono::milliseconds timeout = kAnswerTimeout);
  ~PortalSource() override;
  PortalSource(const PortalSource&) = delete;
  PortalSource& operator=(const PortalSource&) = delete;

  std::vector<int> fds() const override;
  // Throws PortalRefused when the portal closed our session or the bus went away.
  void on_readable(int fd, std::vector<HotkeyEvent>& out) override;
  std::string describe() const override { return session_->describe(); }

  // Called by the sd-bus match callbacks.
  void on_response(const std::string& path, std::uint32_t code, const std::string& session_handle,
                   const std::vector<BoundShortcut>& bound);
  void on_shortcut_signal(const std::string& member, const std::string& session, const std::string& id);
  void on_closed(const std::string& path);

 private:
  // Registers the shortcut: CreateSession, then BindShortcuts, each waited for.
  void handshake(const ShortcutSpec& spec, int interrupt_fd, std::chrono::milliseconds timeout);
  void create_session();
  void bind_shortcut();
  // Dispatches the bus until the session leaves `stage` (the portal answered `call`).
  void wait_while(ShortcutSession::Stage stage, int interrupt_fd, std::chrono::milliseconds timeout,
                  const char* call);
  void rethrow_failure();

  sd_bus* bus_ = nullptr;
  std::unique_ptr<ShortcutSession> session_;
  std::vector<HotkeyEvent> pending_;
  bool closed_ = false;
  std::exception_ptr failure_;
};

// What `ptt-listen --check-portal` and the doctor report.
struct PortalProbe {
  bool available = false;
  std::uint32_t version = 0;  // the interface's version property
  std::string error;          // why not, when !available
};
PortalProbe probe_global_shortcuts();

}  // namespace ptt::hotkey::portal
