#pragma once
// A client's view of the daemon's tasks, kept up to date from events: seeded with
// whole records (`subscribe`'s reply, a `list`), then each task event writes the
// fields it carries (protocol/events.h) into its task's record.
#include <cstdint>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

#include "protocol/events.h"
#include "protocol/task_record.h"

namespace ptt::protocol {

// The fields a task event carries, written into `t` (`created` replaces it whole).
// Log events change no record.
void apply_event(TaskRecord& t, const Event& e);

class TaskView {
 public:
  void reset(std::vector<TaskRecord> tasks);
  // The task's record after the event. A task first seen in any event but `created`
  // (which came before the client subscribed, or the client forgot the finished task)
  // gets a record of that event's fields. nullptr for log events.
  TaskRecord* apply(const Event& e);
  const TaskRecord* find(std::int64_t id) const;
  void forget(std::int64_t id) { tasks_.erase(id); }
  const std::map<std::int64_t, TaskRecord>& tasks() const { return tasks_; }
  std::size_t size() const { return tasks_.size(); }

 private:
  std::map<std::int64_t, TaskRecord> tasks_;
};

}  // namespace ptt::protocol
