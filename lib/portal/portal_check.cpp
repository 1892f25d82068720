// --check-portal [--json]: does the session bus have a desktop portal with
// GlobalShortcuts (for --hotkey portal)? `ptt-task doctor` asks this way, so that
// ptt-task (static) never links sd-bus.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/cli.h"
#include "core/exit_status.h"
#include "listen/listen_options.h"
#include "portal/portal_source.h"

namespace ptt::listen {

int check_portal(bool json) {
  auto probe = hotkey::portal::probe_global_shortcuts();
  if (json) {
    nlohmann::json j = {{"available", probe.available}};
    if (probe.available)
      j["version"] = probe.version;
    else
      j["error"] = probe.error;
    fmt::print("{}\n", j.dump());
  } else if (probe.available) {
    fmt::print("GlobalShortcuts version {} on the session bus: --hotkey portal can be used\n", probe.version);
  } else {
    print_error(kTool, hotkey::portal::unavailable_message(probe.error));
  }
  return probe.available ? kExitOk : kExitUnreachable;
}

}  // namespace ptt::listen
