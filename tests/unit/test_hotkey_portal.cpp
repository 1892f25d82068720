// The GlobalShortcuts handshake without a bus: the paths the portal will answer on,
// the stages, refusals, and which signals are a press or a release.
#include <catch2/catch.hpp>

#include "hotkey/portal_shortcut.h"

using namespace ptt::hotkey;
using namespace ptt::hotkey::portal;
using Stage = ShortcutSession::Stage;

namespace {

ShortcutSession bound_session() {
  ShortcutSession s({"talk", "Talk", "F9"}, ":1.42", "ptt_7");
  s.on_session_created(0, "/org/freedesktop/portal/desktop/session/1_42/ptt_7_session");
  s.on_shortcuts_bound(0, {{"other", "F1"}, {"talk", "Ctrl+F9"}});
  return s;
}

}  // namespace

TEST_CASE("portal: request paths come from our unique name and token") {
  CHECK(portal_object_path("request", ":1.42", "t") == "/org/freedesktop/portal/desktop/request/1_42/t");
  CHECK(portal_object_path("session", ":12.3.4", "s") == "/org/freedesktop/portal/desktop/session/12_3_4/s");
  ShortcutSession s({}, ":1.42", "ptt_7");
  CHECK(s.create_request_path() == "/org/freedesktop/portal/desktop/request/1_42/ptt_7_create");
  CHECK(s.bind_request_path() == "/org/freedesktop/portal/desktop/request/1_42/ptt_7_bind");
  CHECK(s.session_handle_token() == "ptt_7_session");
  CHECK(s.create_handle_token() != s.bind_handle_token());
}

TEST_CASE("portal: create then bind, and the trigger the desktop chose") {
  ShortcutSession s({"talk", "Talk", "F9"}, ":1.42", "ptt_7");
  CHECK(s.stage() == Stage::kCreating);
  s.on_shortcuts_bound(0, {});  // out of order: ignored
  CHECK(s.stage() == Stage::kCreating);
  s.on_session_created(0, "/org/freedesktop/portal/desktop/session/1_42/ptt_7_session");
  CHECK(s.stage() == Stage::kBinding);
  CHECK(s.session_handle() == "/org/freedesktop/portal/desktop/session/1_42/ptt_7_session");
  s.on_shortcuts_bound(0, {{"other", "F1"}, {"talk", "Ctrl+F9"}});
  CHECK(s.stage() == Stage::kBound);
  CHECK(s.describe() == "portal shortcut talk (Ctrl+F9)");
}

TEST_CASE("portal: a bound shortcut without a trigger says where to set one") {
  ShortcutSession s({"talk", "Talk", ""}, ":1.1", "t");
  s.on_session_created(0, "/s");
  s.on_shortcuts_bound(0, {});
  CHECK(s.describe().find("settings") != std::string::npos);
}

TEST_CASE("portal: refusals say which call, why, and the other hotkeys") {
  ShortcutSession create({"talk", "Talk", "F9"}, ":1.1", "t");
  try {
    create.on_session_created(1, "");
    FAIL("no refusal");
  } catch (const PortalRefused& e) {
    std::string what = e.what();
    CHECK(what.find("CreateSession: response 1, cancelled by the user") != std::string::npos);
    CHECK(what.find("--hotkey signal") != std::string::npos);
  }
  CHECK(create.stage() == Stage::kFailed);
  CHECK_THROWS_AS(ShortcutSession({}, ":1.1", "t").on_session_created(0, ""), PortalRefused);

  ShortcutSession bind({"talk", "Talk", "F9"}, ":1.1", "t");
  bind.on_session_created(0, "/s");
  CHECK_THROWS_WITH(bind.on_shortcuts_bound(2, {}),
                    Catch::Contains("the shortcut 'talk' (BindShortcuts: response 2, ended in another way)"));
  CHECK(bind.stage() == Stage::kFailed);
}

TEST_CASE("portal: Activated is a press and Deactivated a release, for our session and id only") {
  ShortcutSession s = bound_session();
  const std::string ours = s.session_handle();
  CHECK(s.on_signal("Activated", ours, "talk") == HotkeyEvent::kPress);
  CHECK(s.on_signal("Deactivated", ours, "talk") == HotkeyEvent::kRelease);
  CHECK_FALSE(s.on_signal("Activated", ours, "other"));
  CHECK_FALSE(s.on_signal("Activated", ours + "_x", "talk"));
  CHECK_FALSE(s.on_signal("ShortcutsChanged", ours, "talk"));
  ShortcutSession unbound({"talk", "Talk", "F9"}, ":1.1", "t");
  CHECK_FALSE(unbound.on_signal("Activated", "", "talk"));
}

TEST_CASE("portal: a closed session is an error, and unavailable names the fallbacks") {
  ShortcutSession s = bound_session();
  CHECK_THROWS_AS(s.on_session_closed(), PortalRefused);
  CHECK(s.stage() == Stage::kFailed);
  CHECK_FALSE(s.on_signal("Activated", s.session_handle(), "talk"));
  std::string msg = unavailable_message("org.freedesktop.DBus.Error.ServiceUnknown");
  for (const char* part : {"ServiceUnknown", "--hotkey signal", "--hotkey evdev", "--hotkey tty", "GNOME"})
    CHECK(msg.find(part) != std::string::npos);
}
