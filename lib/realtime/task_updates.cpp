#include "realtime/task_updates.h"

#include "protocol/events.h"

namespace ptt::realtime {

std::optional<TaskUpdate> TaskUpdates::apply(const nlohmann::json& message) {
  auto event = protocol::parse_event(message);
  protocol::TaskRecord* t = event ? view_.apply(*event) : nullptr;
  if (!t) return std::nullopt;
  t->prompt.clear();  // never said aloud or shown; not worth keeping
  TaskUpdate update{protocol::event_name(*event), *t};
  if (protocol::is_finished(t->state)) view_.forget(t->id);  // only a rare `worktree` event follows an end
  return update;
}

}  // namespace ptt::realtime
