#include "taskcli/progress.h"

#include <fmt/format.h>

#include "taskcli/format.h"
#include "taskcli/text.h"

#include "protocol/events.h"
#include "protocol/json_fields.h"
#include "protocol/task_state.h"

namespace ptt::taskcli {
using nlohmann::json;

namespace {

constexpr const char* kSpinner[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};

}  // namespace

void ProgressState::apply_record(const json& record, bool add) {
  if (!record.is_object() || !record.contains("id") || !record["id"].is_number_integer()) return;
  auto id = record["id"].get<std::int64_t>();
  auto it = tasks.find(id);
  if (it == tasks.end()) {
    if (!add) return;
    it = tasks.emplace(id, Task{}).first;
  }
  Task& t = it->second;
  if (t.label.empty()) t.label = std::to_string(id);
  if (auto n = record.find("name"); n != record.end() && n->is_string())
    t.label = std::to_string(id).append(" ").append(n->get_ref<const std::string&>());
  t.state = protocol::field_or(record, "state", t.state);
  if (auto s = record.find("started_at"); s != record.end() && s->is_number())
    t.started_at = s->get<double>();
  if (auto a = record.find("activity"); a != record.end() && a->is_string()) {
    std::string activity = one_line(a->get<std::string>());
    if (activity != t.activity) {
      t.activity = activity;
      t.updated = ++changes;
    }
  }
  if (auto c = record.find("cancel_requested");
      c != record.end() && c->is_boolean() && c->get<bool>() && !t.cancelling) {
    t.cancelling = true;
    t.updated = ++changes;
  }
}

bool ProgressState::apply_event(const json& event) {
  auto ev = protocol::parse_event(event);
  if (!ev || std::holds_alternative<protocol::LogLine>(*ev) || std::holds_alternative<protocol::LogEnd>(*ev))
    return false;
  if (!tasks.count(protocol::task_of(*ev))) return false;
  // A task event's "task" has the fields that changed (protocol/events.h); the rest stay.
  apply_record(event["task"]);
  return true;
}

std::string format_elapsed(double seconds) {
  auto s = whole_seconds(seconds);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

std::string render_progress_line(const ProgressState& state, unsigned frame, double now, const Style& style) {
  // Elapsed since the earliest start among the tasks still going (or since we began).
  std::optional<double> start;
  const ProgressState::Task* freshest = nullptr;
  int going = 0;
  for (const auto& [id, t] : state.tasks) {
    if (protocol::is_finished_state_name(t.state)) continue;
    ++going;
    if (t.started_at && (!start || *t.started_at < *start)) start = t.started_at;
    if (!freshest || t.updated > freshest->updated) freshest = &t;
  }
  std::string what;
  if (!freshest) {
    what = "done";
  } else {
    std::string activity = freshest->state == protocol::to_string(protocol::TaskState::kQueued)
                               ? (freshest->activity.empty() ? "queued" : freshest->activity)
                           : freshest->cancelling       ? "cancelling"
                           : freshest->activity.empty() ? "starting"
                                                        : freshest->activity;
    what = fmt::format("task {}: {}", freshest->label, activity);
    if (going > 1) what += fmt::format(" (+{} more)", going - 1);
  }
  std::string spinner = kSpinner[frame % std::size(kSpinner)];
  std::string elapsed = format_elapsed(now - start.value_or(state.since));
  std::string plain = fmt::format("{} {}  {}", spinner, elapsed, what);
  if (style.max_width > 1) plain = truncate_to_width(plain, style.max_width - 1);
  if (!style.color) return plain;
  // Colour only the spinner and the time, after cutting, so escapes never get cut.
  std::size_t head = spinner.size() + 1 + elapsed.size();
  if (plain.size() < head) return plain;
  return fmt::format("\033[36m{}\033[0m \033[2m{}\033[0m{}", spinner, elapsed, plain.substr(head));
}

std::string redraw_line(const std::string& line) {
  std::string out;  // appended piecewise: g++ 12 warns falsely (-Wrestrict) on "\r" + line
  out.reserve(line.size() + 4);
  out.append("\r").append(line).append("\033[K");
  return out;
}

}  // namespace ptt::taskcli
