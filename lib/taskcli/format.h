#pragma once
// Pure renderers for task records and events: no I/O, so they are unit-tested.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/permissions.h"
#include "protocol/queue_hold.h"
#include "protocol/task_record.h"

namespace ptt::taskcli {

struct Style {
  bool color = false;         // ANSI colours (a TTY and NO_COLOR unset)
  std::size_t max_width = 0;  // terminal columns to fit; 0 = no limit
};

// The state as a person reads it: the record's state, except `cancelling` for a
// running task whose cancel was asked for (docs/protocol.md, cancel_requested).
std::string_view state_text(const protocol::TaskRecord& t);
// Seconds from a reply as a whole number to show: 0 for negative or NaN, capped far
// beyond any real duration (a cast of 1e300 would be undefined).
long long whole_seconds(double seconds);
// "42s", "5m", "3h", "2d".
std::string format_age(double seconds);
// How long something took: "0.4s" (tenths below 10 s, unless whole), "42s", "3m05s", "2h05m", "3d04h".
std::string format_duration(double seconds);
// What the NAME column shows: "↳2 " for a follow-up of task 2, then the name, or
// for an unnamed task an excerpt of its prompt in quotes; one line, at most `width` columns.
std::string name_cell(const protocol::TaskRecord& t, std::size_t width);
// What the TIME column shows: the age of a queued task, how long a running one
// has run, how long a finished one took ("-" when it never started).
std::string time_cell(const protocol::TaskRecord& t, double now);
// "$0.0123", or "-" when unknown.
std::string format_cost(const protocol::TaskRecord& t);
// What the ACTIVITY column shows: live activity, queue wait, result or reason.
std::string activity_summary(const protocol::TaskRecord& t);
// The refused tool calls, "Bash: curl -s https://…, Write /etc/hosts" ("" when none).
std::string refused_calls(const protocol::TaskRecord& t);
// What to do about a task that failed agent_missing (the daemon could not start its
// agent): "" for any other task.
std::string agent_missing_fix(const protocol::TaskRecord& t);
// Claude's own error text (its result's errors[], joined), on one line.
std::string claude_error_text(const protocol::TaskRecord& t);
// The aligned table: ID NAME STATE TIME ACTIVITY COST, header first. Every cell is
// one line; NAME is cut to kNameWidth and ACTIVITY to what is left of the terminal,
// or to kPipeActivityWidth when the output is not a terminal (style.max_width 0).
inline constexpr std::size_t kNameWidth = 24;
inline constexpr std::size_t kPipeActivityWidth = 60;
std::string render_table(const std::vector<protocol::TaskRecord>& tasks, double now, const Style& style);
// The same table built a row at a time: a long `list` keeps only the formatted
// cells, never all its records (each most of a KB, page faults included).
// With `host_column` (list --all-hosts), a HOST column comes first.
class TableRenderer {
 public:
  TableRenderer(double now, Style style, bool host_column = false)
      : now_(now), style_(style), host_column_(host_column) {}
  void add(const protocol::TaskRecord& t, std::string_view host = {});
  void reserve(std::size_t rows) {
    rows_.reserve(rows);
    text_.reserve(rows * 48);
  }
  void clear() { *this = TableRenderer(now_, style_, host_column_); }
  std::size_t size() const { return rows_.size(); }
  // Drops the rows from `rows` on (those of a reply that turned out not to be ours).
  void truncate(std::size_t rows);
  std::string render() const;

 private:
  // A row's cells live in text_, one after another: a 1000-row table then
  // page-faults a fraction of what six strings per row did.
  enum Cell { kHost, kId, kName, kState, kAge, kActivity, kCost, kCells };
  struct Row {
    std::size_t begin;
    std::uint32_t length[kCells];
    protocol::TaskState s;
  };
  std::string_view cell(const Row& r, Cell c) const;
  double now_;
  Style style_;
  bool host_column_;
  std::string text_;
  std::vector<Row> rows_;
  std::size_t w_host_ = 4, w_id_ = 2, w_name_ = 4, w_state_ = 5, w_age_ = 4;
};
// One line per task for `wait`: "3 fix-tests succeeded $0.01" / "4 failed (error_max_turns)".
std::string render_outcome_line(const protocol::TaskRecord& t, const Style& style);
// Several "key: value" lines for `status`.
// `on`: " on devbox" after the task's number for a host's task on a terminal, else "".
std::string render_status(const protocol::TaskRecord& t, double now, const Style& style,
                          std::string_view on = {});
// One human line for a `watch` event of kind `kind`, given the task as it is after it
// (the client's view), or "" for events not worth a line.
std::string render_event(std::string_view kind, const protocol::TaskRecord& t, double now_wall,
                         const Style& style);
// "queue held until 14:05, rate limited (five_hour, task 7)\n" (the date too when the
// reset is not today): list's and status's line while the queue is held.
std::string render_queue_hold(const protocol::QueueHold& hold, double now);
// A `watch` line for a queue event: "14:02:11  held      queue held until 14:05, …".
std::string render_queue_event(const protocol::QueueEvent& event, double now_wall);
// watch's line for a question of a task's agent, or its answer.
std::string render_permission_event(const protocol::PermissionEvent& event, double now_wall);

}  // namespace ptt::taskcli
