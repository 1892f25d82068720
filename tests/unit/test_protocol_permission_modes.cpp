#include <catch2/catch.hpp>

#include "protocol/permission_modes.h"

using namespace ptt::protocol;

TEST_CASE("permission modes: the pinned agent's, exactly, and listed for errors", "[protocol]") {
  for (const char* mode : {"acceptEdits", "auto", "bypassPermissions", "default", "dontAsk", "manual", "plan"})
    CHECK(is_permission_mode(mode));
  for (const char* bad : {"", "yolo", "acceptedits", "AcceptEdits", "plan ", "accept"}) {
    INFO(bad);
    CHECK_FALSE(is_permission_mode(bad));
  }
  CHECK(permission_modes_list() == "acceptEdits, auto, bypassPermissions, default, dontAsk, manual, plan");
}
