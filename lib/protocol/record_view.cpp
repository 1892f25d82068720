#include "protocol/record_view.h"

#include <cstdint>

#include "protocol/task_record_fields.h"

namespace ptt::protocol {
using nlohmann::json;
namespace f = record_field;

std::string prompt_excerpt(std::string_view prompt) {
  std::string out;
  std::size_t points = 0;
  bool space = false;
  for (unsigned char c : prompt) {
    if (c < 0x20 || c == 0x7f || c == ' ') {
      space = !out.empty();
      continue;
    }
    bool starts_point = (c & 0xC0) != 0x80;
    if (starts_point && points + (space ? 1 : 0) >= kPromptExcerpt) break;
    if (space) {
      out += ' ';
      ++points;
      space = false;
    }
    if (starts_point) ++points;
    out += static_cast<char>(c);
  }
  return out;
}

json table_view(const TaskRecord& t) {
  json j = {{f::kId, t.id},
            {f::kState, to_string(t.state)},
            {f::kCreatedAt, static_cast<std::int64_t>(t.created_at)}};
  if (t.name) {
    j[f::kName] = *t.name;
  } else {
    j[f::kPrompt] = prompt_excerpt(t.prompt);
  }
  if (t.parent) j[f::kParent] = *t.parent;
  if (t.started_at) j[f::kStartedAt] = static_cast<std::int64_t>(*t.started_at);
  if (t.finished_at) j[f::kFinishedAt] = static_cast<std::int64_t>(*t.finished_at);
  if (t.reason) j[f::kReason] = *t.reason;
  if (t.activity) j[f::kActivity] = *t.activity;
  if (!t.after.empty()) j[f::kAfter] = t.after;
  if (t.exit_code && t.state != TaskState::kSucceeded) j[f::kExitCode] = *t.exit_code;
  if (t.result) {
    json& r = j[f::kResult] = {{f::kResultText, t.result->text}, {f::kResultCostUsd, t.result->cost_usd}};
    // What the ACTIVITY column says of a failure: the refused calls, Claude's errors.
    if (!t.result->permission_denials.empty()) {
      json& refused = r[f::kResultPermissionDenials] = json::array();
      for (const auto& d : t.result->permission_denials) refused.push_back(d.description);
    }
    if (!t.result->errors.empty()) r[f::kResultErrors] = t.result->errors;
  }
  if (t.cancel_requested && t.state == TaskState::kRunning) j[f::kCancelRequested] = true;
  if (t.waiting && t.state == TaskState::kRunning) j[f::kWaiting] = *t.waiting;
  if (t.worktree && (t.worktree->changes || t.worktree->resolution)) {
    // What the table says of a worktree: what the task changed, and whether it was merged.
    json& w = j[f::kWorktree] = json::object();
    if (t.worktree->changes) w[f::kWorktreeChanges] = changes_json(*t.worktree->changes);
    if (t.worktree->resolution) w[f::kWorktreeResolution] = *t.worktree->resolution;
  }
  return j;
}

json record_json(const TaskRecord& t, RecordView view) {
  return view == RecordView::kTable ? table_view(t) : json(t);
}

std::string record_line(const TaskRecord& t, RecordView view) {
  return record_json(t, view).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace ptt::protocol
