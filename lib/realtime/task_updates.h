#pragma once
// What the voice session hears of the daemon's tasks: each task event line, typed
// (protocol::parse_event) and applied to the client's view of the unfinished tasks,
// becomes the task's whole record as it is after the event. The daemon client feeds
// it from the socket; the fuzzer and the session's tests feed it the same lines.
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/task_record.h"
#include "protocol/task_view.h"

namespace ptt::realtime {

struct TaskUpdate {
  std::string_view kind;  // protocol::event::kCreated, kStarted, kActivity, kStalled or kFinished
  protocol::TaskRecord task;
};

class TaskUpdates {
 public:
  // The unfinished tasks whole (subscribe's reply): events then carry only what changed.
  void reset(std::vector<protocol::TaskRecord> tasks) { view_.reset(std::move(tasks)); }
  // nullopt for a line that is no task event this version reads (a log event, an
  // unknown kind, missing or mistyped fields): the session never sees half an event.
  std::optional<TaskUpdate> apply(const nlohmann::json& message);
  std::size_t tracked() const { return view_.size(); }

 private:
  protocol::TaskView view_;
};

}  // namespace ptt::realtime
