#pragma once
// The values the agent accepts for --permission-mode, kept in this one place for
// ptt-task (checked before the request), ptt-taskd (checked before a task is made,
// so every client gets the same check) and the completions' tests.
// Source: `claude --help` of the pinned Claude Code 2.1.330 lists the choices
// acceptEdits, auto, bypassPermissions, manual, dontAsk and plan; it also accepts
// `default` (ptt's documented value for Claude's normal mode) without listing it.
// Update this list when the pinned version (Makefile.dist) changes.
#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>

namespace ptt::protocol {

inline constexpr std::string_view kPermissionModes[] = {
    "acceptEdits", "auto", "bypassPermissions", "default", "dontAsk", "manual", "plan"};

inline bool is_permission_mode(std::string_view mode) {
  return std::find(std::begin(kPermissionModes), std::end(kPermissionModes), mode) !=
         std::end(kPermissionModes);
}

// "acceptEdits, auto, …, plan" for error messages and help.
inline std::string permission_modes_list() {
  std::string out;
  for (std::string_view m : kPermissionModes) {
    if (!out.empty()) out += ", ";
    out += m;
  }
  return out;
}

}  // namespace ptt::protocol
