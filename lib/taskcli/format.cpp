#include "taskcli/format.h"

#include <ctime>
#include <iterator>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "core/cli.h"
#include "protocol/json_fields.h"
#include "protocol/protocol.h"
#include "taskcli/text.h"

namespace ptt::taskcli {
using protocol::TaskRecord;
using protocol::TaskState;

namespace {

const char* state_color(TaskState s) {
  switch (s) {
    case TaskState::kStarting:
    case TaskState::kRunning:
      return "\033[36m";
    case TaskState::kSucceeded:
      return "\033[32m";
    case TaskState::kFailed:
      return "\033[31m";
    case TaskState::kCancelled:
      return "\033[2m";
    case TaskState::kQueued:
      break;
  }
  return "";
}

std::string paint(std::string_view text, const char* code, const Style& style) {
  if (!style.color || !*code) return std::string(text);
  return fmt::format("{}{}\033[0m", code, text);
}

std::string join_ids(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (auto id : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(id);
  }
  return out;
}

std::string clock_time(double unix_seconds) {
  // Years 1970 to 9999 only: localtime throws beyond its range, and a cast of 1e300 to
  // time_t is undefined. A reply (from anything on the socket) may say anything.
  if (!(unix_seconds >= 0 && unix_seconds < 253402300800.0)) return "?";
  return fmt::format("{:%Y-%m-%d %H:%M:%S}", fmt::localtime(static_cast<std::time_t>(unix_seconds)));
}

}  // namespace

std::string_view state_text(const TaskRecord& t) {
  if (t.state == TaskState::kRunning && t.cancel_requested) return "cancelling";
  if (t.state == TaskState::kRunning && t.waiting) return "waiting";  // for an answer (Approvals)
  // What became of a finished task's worktree says more than how it ended.
  if (protocol::is_finished(t.state) && t.worktree && t.worktree->resolution) return *t.worktree->resolution;
  return protocol::to_string(t.state);
}

long long whole_seconds(double seconds) {
  if (!(seconds > 0)) return 0;  // negative, or NaN
  return seconds < 1e15 ? static_cast<long long>(seconds) : 1'000'000'000'000'000LL;
}

std::string format_age(double seconds) {
  auto s = whole_seconds(seconds);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m", s / 60);
  if (s < 86400) return fmt::format("{}h", s / 3600);
  return fmt::format("{}d", s / 86400);
}

std::string format_duration(double seconds) {
  // Tenths only where the time has them (the list table's times are whole seconds).
  if (seconds > 0 && seconds < 10 && seconds != static_cast<double>(static_cast<long long>(seconds)))
    return fmt::format("{:.1f}s", seconds);
  auto s = whole_seconds(seconds);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  if (s < 86400) return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
  return fmt::format("{}d{:02}h", s / 86400, (s % 86400) / 3600);
}

std::string name_cell(const TaskRecord& t, std::size_t width) {
  std::string cell;
  if (t.parent) cell = fmt::format("↳{} ", *t.parent);
  if (t.name) {
    cell += one_line(*t.name);
  } else if (std::string excerpt = one_line(t.prompt); !excerpt.empty()) {
    // Quoted so that it never reads as a name; the closing quote survives the cut.
    std::size_t room = width > display_width(cell) + 2 ? width - display_width(cell) - 2 : 1;
    (cell += '"') += truncate_to_width(excerpt, room);
    cell += '"';
  } else {
    cell += "-";
  }
  return truncate_to_width(cell, width);
}

std::string agent_missing_fix(const TaskRecord& t) {
  if (!protocol::reason_is(t.reason, protocol::FailureReason::kAgentMissing)) return "";
  return "install Claude Code (`npm install -g @anthropic-ai/claude-code`) or set PTT_CLAUDE to its path in "
         "the daemon's environment, then restart the daemon (`ptt-task shutdown`; the next command starts "
         "it)";
}

std::string time_cell(const TaskRecord& t, double now) {
  switch (t.state) {
    case TaskState::kQueued:
      return format_age(now - t.created_at);
    case TaskState::kStarting:
    case TaskState::kRunning:
      return format_age(now - t.started_at.value_or(t.created_at));
    case TaskState::kSucceeded:
    case TaskState::kFailed:
    case TaskState::kCancelled:
      break;
  }
  if (!t.started_at || !t.finished_at) return "-";
  return format_duration(*t.finished_at - *t.started_at);
}

std::string format_cost(const TaskRecord& t) {
  if (!t.result) return "-";
  return fmt::format("${:.4f}", t.result->cost_usd);
}

std::string refused_calls(const TaskRecord& t) {
  if (!t.result) return "";
  std::string out;
  for (const auto& d : t.result->permission_denials) {
    if (!out.empty()) out += ", ";
    out += d.description.empty() ? d.tool : d.description;
  }
  return one_line(out);
}

std::string claude_error_text(const TaskRecord& t) {
  if (!t.result) return "";
  std::string out;
  for (const auto& e : t.result->errors) out += (out.empty() ? "" : "; ") + e;
  return one_line(out);
}

std::string activity_summary(const TaskRecord& t) {
  switch (t.state) {
    case TaskState::kQueued:
      // The daemon's note of what holds it back (an earlier task of its Claude session).
      if (t.activity) return one_line(*t.activity);
      return t.after.empty() ? std::string("queued") : fmt::format("waiting for {}", join_ids(t.after));
    case TaskState::kStarting:
      return "starting";
    case TaskState::kRunning:
      if (t.waiting && *t.waiting == protocol::kWaitingPermission)
        return "asks permission: " + (t.activity ? one_line(*t.activity) : std::string("a tool call"));
      return t.activity ? one_line(*t.activity) : "starting";
    case TaskState::kSucceeded:
      return t.result ? one_line(t.result->text) : "";
    case TaskState::kFailed:
    case TaskState::kCancelled:
      if (protocol::reason_is(t.reason, protocol::FailureReason::kExitCode) && t.exit_code)
        return fmt::format("exit code {}", *t.exit_code);
      if (t.reason && *t.reason == protocol::to_string(t.state)) return "";  // not "cancelled (cancelled)"
      if (protocol::reason_is(t.reason, protocol::FailureReason::kPermissionDenied)) {
        if (std::string refused = refused_calls(t); !refused.empty()) return "refused " + refused;
        // Refused, then no result line: the daemon named the calls in the activity.
        if (t.activity && t.activity->rfind("refused: ", 0) == 0) return one_line(*t.activity);
      }
      if (std::string said = claude_error_text(t); !said.empty())
        return t.reason ? one_line(*t.reason) + ": " + said : said;
      return t.reason ? one_line(*t.reason) : "";
  }
  return "";
}

std::string render_table(const std::vector<TaskRecord>& tasks, double now, const Style& style) {
  TableRenderer table(now, style);
  for (const auto& t : tasks) table.add(t);
  return table.render();
}

void TableRenderer::add(const TaskRecord& t, std::string_view host) {
  Row r{text_.size(), {}, t.state};
  auto put = [&](Cell c, std::string_view value) {
    text_ += value;
    r.length[c] = static_cast<std::uint32_t>(value.size());
  };
  put(kHost, host);
  w_host_ = std::max(w_host_, display_width(host));
  put(kId, std::to_string(t.id));
  put(kName, name_cell(t, kNameWidth));
  put(kState, state_text(t));
  put(kAge, time_cell(t, now_));
  put(kActivity, activity_summary(t));
  put(kCost, format_cost(t));
  w_id_ = std::max<std::size_t>(w_id_, r.length[kId]);
  w_name_ = std::max(w_name_, display_width(cell(r, kName)));
  w_state_ = std::max<std::size_t>(w_state_, r.length[kState]);
  w_age_ = std::max<std::size_t>(w_age_, r.length[kAge]);
  rows_.push_back(r);
}

void TableRenderer::truncate(std::size_t rows) {
  if (rows >= rows_.size()) return;
  if (rows == 0) return clear();
  std::vector<Row> kept(rows_.begin(), rows_.begin() + static_cast<long>(rows));
  std::string text = text_.substr(0, rows_[rows].begin);
  clear();
  text_ = std::move(text);
  for (const Row& r : kept) {  // the widths of what is left
    w_host_ = std::max(w_host_, display_width(cell(r, kHost)));
    w_id_ = std::max<std::size_t>(w_id_, r.length[kId]);
    w_name_ = std::max(w_name_, display_width(cell(r, kName)));
    w_state_ = std::max<std::size_t>(w_state_, r.length[kState]);
    w_age_ = std::max<std::size_t>(w_age_, r.length[kAge]);
  }
  rows_ = std::move(kept);
}

std::string_view TableRenderer::cell(const Row& r, Cell c) const {
  std::size_t at = r.begin;
  for (int i = 0; i < c; ++i) at += r.length[i];
  return std::string_view(text_).substr(at, r.length[c]);
}

std::string TableRenderer::render() const {
  const Style& style = style_;
  const auto& rows = rows_;
  std::size_t w_id = w_id_, w_name = w_name_, w_state = w_state_, w_age = w_age_;
  // The activity column takes what is left of the terminal; the cost goes last so
  // it stays aligned: pad activity to the widest one that fits.
  std::size_t fixed = w_id + w_name + w_state + w_age + 4 * 2 + 2 + 8 + (host_column_ ? w_host_ + 2 : 0);
  std::size_t w_act = 8;
  for (const auto& r : rows) w_act = std::max(w_act, display_width(cell(r, kActivity)));
  bool cut = false;  // a row may still be wider than the terminal: cut it at the edge
  if (style.max_width > 0) {
    // A narrow terminal: NAME gives way (down to 8 columns) before ACTIVITY goes under 10.
    constexpr std::size_t kNarrowestName = 8;
    if (fixed + 10 > style.max_width && w_name > kNarrowestName) {
      std::size_t give = std::min(fixed + 10 - style.max_width, w_name - kNarrowestName);
      w_name -= give;
      fixed -= give;
    }
    std::size_t room = style.max_width > fixed + 10 ? style.max_width - fixed : 10;
    w_act = std::min(w_act, room);
    cut = fixed + w_act > style.max_width;
  } else {
    // In a pipe too: one long result must not pad every row to thousands of columns.
    w_act = std::min(w_act, kPipeActivityWidth);
  }
  std::string out;
  // Sized once: growing by doubling would copy (and page-fault) a long table twice over.
  out.reserve((rows.size() + 1) * (fixed + w_act + 16));
  // Appended straight to `out`: no string per row. Plain appends: fmt's runtime
  // widths cost more than the rest of a 1000-row table.
  auto line = [&](std::string_view host, std::string_view id, std::string_view name, std::string_view state,
                  const char* color, std::string_view age, std::string_view act, std::string_view cost) {
    std::size_t start = out.size();
    if (host_column_) {
      out += pad_right(host, w_host_);
      out += "  ";
    }
    out.append(w_id > id.size() ? w_id - id.size() : 0, ' ');
    out += id;
    out += "  ";
    out += w_name < w_name_ ? pad_right(truncate_to_width(name, w_name), w_name) : pad_right(name, w_name);
    out += "  ";
    std::size_t state_at = out.size() - start;
    out += cut ? pad_right(state, w_state) : paint(pad_right(state, w_state), color, style);
    std::size_t state_end = out.size() - start;
    out += "  ";
    out.append(w_age > age.size() ? w_age - age.size() : 0, ' ');
    out += age;
    out += "  ";
    out += pad_right(truncate_to_width(act, w_act), w_act);
    out += "  ";
    out += cost;
    while (out.size() > start && out.back() == ' ') out.pop_back();
    if (cut) {  // never a row that wraps: cut where the terminal ends, then paint the state
      std::string row = out.substr(start);
      out.resize(start);
      if (display_width(row) > style.max_width) row = truncate_to_width(row, style.max_width);
      state_end = std::min(state_end, row.size());
      state_at = std::min(state_at, state_end);
      out.append(row, 0, state_at);
      if (state_at < state_end)
        out += paint(std::string_view(row).substr(state_at, state_end - state_at), color, style);
      out.append(row, state_end);
    }
    out += '\n';
  };
  line("HOST", "ID", "NAME", "STATE", "", "TIME", "ACTIVITY", "COST");
  for (const auto& r : rows) {
    line(cell(r, kHost), cell(r, kId), cell(r, kName), cell(r, kState), state_color(r.s), cell(r, kAge),
         cell(r, kActivity), cell(r, kCost));
  }
  return out;
}

std::string render_outcome_line(const TaskRecord& t, const Style& style) {
  std::string s = std::to_string(t.id);
  if (t.name) fmt::format_to(std::back_inserter(s), " {}", one_line(*t.name));
  fmt::format_to(std::back_inserter(s), " {}", paint(state_text(t), state_color(t.state), style));
  if (t.state != TaskState::kSucceeded && protocol::is_finished(t.state)) {
    std::string why = activity_summary(t);
    if (!why.empty()) fmt::format_to(std::back_inserter(s), " ({})", why);
  }
  if (t.result) fmt::format_to(std::back_inserter(s), " {}", format_cost(t));
  s += '\n';
  return s;
}

std::string render_status(const TaskRecord& t, double now, const Style& style, std::string_view on) {
  std::string out =
      fmt::format("task {}{}{}: {}{}\n", t.id, t.name ? fmt::format(" ({})", one_line(*t.name)) : "", on,
                  paint(state_text(t), state_color(t.state), style),
                  !protocol::is_finished(t.state) || !t.worktree || !t.worktree->resolution
                      ? ""
                      : fmt::format(" ({})", protocol::to_string(t.state)));
  auto field = [&](std::string_view key, const std::string& value) {
    // The widest key ("exit code:") and a space: values start in one column.
    if (!value.empty()) out += fmt::format("  {:<11}{}\n", fmt::format("{}:", key), value);
  };
  field("prompt", truncate_to_width(one_line(t.prompt), 200));
  field("cwd", t.cwd);
  if (t.worktree) {
    const auto& w = *t.worktree;
    field("worktree", w.path);
    field("branch", w.branch);
    std::string base =
        w.base_branch && w.base_branch->rfind("refs/heads/", 0) == 0 ? w.base_branch->substr(11) : w.base;
    field("base", w.base_commit ? fmt::format("{} ({})", w.base_commit->substr(0, 12), base) : base);
    if (w.setup) field("setup", truncate_to_width(one_line(*w.setup), 200));
  }
  if (t.options.sandbox.value_or(false)) {
    std::string writable = t.worktree ? "its worktree" : "its cwd";
    field("sandbox", fmt::format("on (Bash writes only in {}; network only to allowed domains)", writable));
  }
  field("created", fmt::format("{} ({} ago)", clock_time(t.created_at), format_age(now - t.created_at)));
  if (t.started_at) field("started", clock_time(*t.started_at));
  if (t.finished_at && t.started_at) {
    field("finished", fmt::format("{} (took {})", clock_time(*t.finished_at),
                                  format_duration(*t.finished_at - *t.started_at)));
  } else if (t.finished_at) {  // cancelled (or refused) while queued: it took nothing
    field("finished", fmt::format("{} (never started; queued {})", clock_time(*t.finished_at),
                                  format_duration(*t.finished_at - t.created_at)));
  }
  if (t.reason) field("reason", *t.reason);
  if (t.exit_code) field("exit code", std::to_string(*t.exit_code));
  // A finished task's last tool use says where it stopped; "thinking" would say nothing.
  if (t.activity && !(protocol::is_finished(t.state) && *t.activity == "thinking"))
    field("activity", with_hint_command(one_line(*t.activity)));  // "(ptt-task send 3 TEXT)"
  if (t.waiting && t.state == TaskState::kRunning)
    field("waiting",
          with_hint_command(fmt::format(
              "for {}: answer with `ptt-task allow {}` or `ptt-task deny {}` (see `ptt-task pending`)",
              one_line(*t.waiting), t.id, t.id)));
  if (t.model) field("model", *t.model);
  if (t.session_id) field("session", *t.session_id);
  if (!t.after.empty()) field("after", join_ids(t.after));
  if (t.parent) field("parent", std::to_string(*t.parent));
  if (t.pid) field("pid", std::to_string(*t.pid));
  if (t.result) {
    std::string chain;
    // A follow-up's own cost differs from the session's: show the chain's total too.
    if (t.parent && t.result->session_cost_usd && *t.result->session_cost_usd != t.result->cost_usd)
      chain = fmt::format(" (session total ${:.4f})", *t.result->session_cost_usd);
    field("cost", fmt::format("{} over {} turn{}, {} ms{}", format_cost(t), t.result->num_turns,
                              t.result->num_turns == 1 ? "" : "s", t.result->duration_ms, chain));
    for (const auto& d : t.result->permission_denials)
      field("refused", truncate_to_width(one_line(d.description.empty() ? d.tool : d.description), 200));
    for (const auto& e : t.result->errors) field("error", truncate_to_width(one_line(e), 300));
    if (!t.result->terminal_reason.empty() && t.result->terminal_reason != "completed")
      field("ended by", t.result->terminal_reason);
    field("result", truncate_to_width(one_line(t.result->text), 200));
  }
  if (t.stderr_tail && !t.stderr_tail->empty())
    field("stderr", truncate_to_width(one_line(*t.stderr_tail), 300));
  if (std::string fix = agent_missing_fix(t); !fix.empty()) field("fix", with_hint_command(fix));
  return out;
}

std::string render_event(std::string_view kind, const TaskRecord& t, double now_wall, const Style& style) {
  std::string stamp = fmt::format("{:%H:%M:%S}", fmt::localtime(static_cast<std::time_t>(now_wall)));
  std::string who = t.name ? fmt::format("{} {}", t.id, one_line(*t.name)) : std::to_string(t.id);
  std::string detail;
  if (kind == protocol::event::kCreated) {
    detail = truncate_to_width(one_line(t.prompt), 80);
  } else if (kind == protocol::event::kActivity && t.state == TaskState::kRunning && t.cancel_requested) {
    detail = "cancelling";
  } else if (kind == protocol::event::kStarted || kind == protocol::event::kActivity) {
    detail = with_hint_command(t.state == TaskState::kRunning ? activity_summary(t)
                               : t.activity                   ? one_line(*t.activity)
                                                              : "");
  } else if (kind == protocol::event::kStalled) {  // the activity says for how long
    detail = fmt::format("{}{}", t.activity ? one_line(*t.activity) : "stalled",
                         t.cancel_requested ? "; cancelling (--stall-action kill)" : "");
  } else if (kind == protocol::event::kFinished) {
    return fmt::format("{}  {:<9} {}", stamp, kind, render_outcome_line(t, style));
  } else if (kind == protocol::event::kWorktree && t.worktree) {
    // Resolved (merged, discarded) or counted again: the new word, the branch and its changes.
    std::string_view what = t.worktree->resolution ? std::string_view(*t.worktree->resolution) : "changes";
    detail = one_line(t.worktree->branch);
    if (t.worktree->changes) detail += "  " + protocol::change_summary(*t.worktree->changes);
    return fmt::format("{}  {:<9} {}  {}\n", stamp, what, who, detail);
  } else {
    return "";
  }
  std::string line = fmt::format("{}  {:<9} {}  {}", stamp, kind, who, detail);
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + '\n';
}

std::string render_permission_event(const protocol::PermissionEvent& event, double now_wall) {
  std::string stamp = fmt::format("{:%H:%M:%S}", fmt::localtime(static_cast<std::time_t>(now_wall)));
  if (const auto* asked = std::get_if<protocol::PermissionRequested>(&event)) {
    const auto& q = asked->question;
    return with_hint_command(fmt::format("{}  {:<9} {}  {}: {}  (ptt-task allow {} / deny {})\n", stamp,
                                         "asks", q.task, q.tool, truncate_to_width(one_line(q.summary), 80),
                                         q.task, q.task));
  }
  const auto& a = std::get<protocol::PermissionAnswered>(event);
  std::string line =
      fmt::format("{}  {:<9} {}  {} by {}", stamp, a.allow ? "allowed" : "denied", a.task, a.request, a.by);
  if (a.reason) line += ": " + truncate_to_width(one_line(*a.reason), 120);
  return line + '\n';
}

}  // namespace ptt::taskcli

namespace ptt::taskcli {

namespace {

// "14:05" today, "2026-12-06 14:05" on another day (local time).
std::string reset_time(double at, double now) {
  if (!(at >= 0 && at < 253402300800.0)) return "?";  // as clock_time
  auto when = fmt::localtime(static_cast<std::time_t>(at));
  auto today = fmt::localtime(static_cast<std::time_t>(now));
  bool same_day = when.tm_year == today.tm_year && when.tm_yday == today.tm_yday;
  return same_day ? fmt::format("{:%H:%M}", when) : fmt::format("{:%Y-%m-%d %H:%M}", when);
}

}  // namespace

std::string render_queue_hold(const protocol::QueueHold& hold, double now) {
  return one_line(protocol::describe_hold(hold, reset_time(hold.until, now))) + '\n';
}

std::string render_queue_event(const protocol::QueueEvent& event, double now_wall) {
  std::string stamp = fmt::format("{:%H:%M:%S}", fmt::localtime(static_cast<std::time_t>(now_wall)));
  if (const auto* held = std::get_if<protocol::QueueHeld>(&event))
    return fmt::format("{}  {:<9} {}", stamp, "held", render_queue_hold(held->hold, now_wall));
  const auto& resumed = std::get<protocol::QueueResumed>(event);
  return fmt::format("{}  {:<9} queue resumed ({})\n", stamp, "resumed",
                     resumed.by == "resume" ? "queue resume" : "the rate limit has reset");
}

}  // namespace ptt::taskcli
