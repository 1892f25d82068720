#pragma once
// The live progress line of `wait` and `logs -f` on a terminal: what it says (pure,
// unit-tested) and the state it is drawn from, updated by the daemon's events.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "taskcli/format.h"

namespace ptt::taskcli {

// The tasks a live line follows, by id.
struct ProgressState {
  struct Task {
    std::string label;  // "3" or "3 fix-tests"
    std::string state;  // queued, running, ...
    std::optional<double> started_at;
    std::string activity;
    bool cancelling = false;    // a cancel was asked for; the agent has not exited yet
    std::uint64_t updated = 0;  // order of the latest change, to show the freshest activity
  };
  std::map<std::int64_t, Task> tasks;
  double since = 0;  // wall time shown as elapsed when no task has started
  std::uint64_t changes = 0;

  // A task record (from `get`, `logs` or an event); records of other tasks are ignored
  // unless `add` is set.
  void apply_record(const nlohmann::json& record, bool add = false);
  // A subscribe event (created/started/activity/finished: the fields that changed);
  // false if not ours or not a task event.
  bool apply_event(const nlohmann::json& event);
};

// "⠹ 1m05s  task 3: Bash: npm test", cut to `style.max_width` columns (less one, so
// the terminal never wraps); no newline. `frame` picks the spinner's phase.
std::string render_progress_line(const ProgressState& state, unsigned frame, double now, const Style& style);
// "5s", "1m05s", "2h03m".
std::string format_elapsed(double seconds);
// Bytes that replace the current terminal line with `line` (\r, text, clear to end).
std::string redraw_line(const std::string& line);
// Bytes that erase the live line, leaving the cursor at the start of the line.
inline constexpr const char* kClearLine = "\r\033[K";

}  // namespace ptt::taskcli
