#include "taskd/recovery.h"

#include <malloc.h>

namespace ptt::taskd {
using protocol::TaskState;

Recovery recover(std::vector<protocol::TaskRecord> records, TaskId next_id,
                 const std::map<TaskId, supervise::SupervisorStatus>& statuses, int max_running, double now,
                 const std::vector<std::string_view>& lines, bool held,
                 const std::vector<RecordSpan>& spans) {
  Recovery out{TaskTable(max_running), {}, {}};
  // A finished record read from a journal line is kept as where that line is (or, when
  // that is not known, as the line). The lines are
  // copied only once every record read is freed: copied among them, each would keep
  // the memory pages around it (the records' strings) in the daemon's RSS for good.
  struct Kept {
    TaskId id;
    std::optional<std::string> name;
    double clean_time;
    TaskState state;
    std::string_view line;
    std::optional<RecordSpan> span;
  };
  std::vector<Kept> kept;
  for (std::size_t i = 0; i < records.size(); ++i) {
    protocol::TaskRecord& record = records[i];
    // Whether a task started is in its supervisor status file, which the daemon
    // creates before it asks the supervisor for the agent: a record may say "queued"
    // for a task started later, or "starting" for one whose start never happened (a
    // spawn's record is written before its start, which follows the reply).
    if (!protocol::is_finished(record.state)) {
      if (auto status = statuses.find(record.id); status != statuses.end()) {
        // Running once its agent is (its pid line is written); starting until then.
        record.state = status->second.agent > 0 ? TaskState::kRunning : TaskState::kStarting;
        record.started_at = status->second.started_at.value_or(record.created_at);
        if (status->second.agent > 0) record.pid = status->second.agent;  // the record's pid is the agent's
        out.adopt.push_back({record.id, status->second.supervisor, status->second.supervisor_start});
      } else {
        record.state = TaskState::kQueued;
        record.started_at.reset();
        record.pid.reset();
      }
    }
    if (protocol::is_finished(record.state) && (i < spans.size() || i < lines.size())) {
      kept.push_back({record.id, std::move(record.name), record.finished_at.value_or(record.created_at),
                      record.state, i < lines.size() ? lines[i] : std::string_view(),
                      i < spans.size() ? std::optional(spans[i]) : std::nullopt});
    } else {
      out.table.load(std::move(record));
    }
  }
  records = {};
  ::malloc_trim(0);  // what was freed goes back, and the rest is one free block to copy into
  for (Kept& k : kept) {
    if (k.span) {
      out.table.load_finished(
          k.id, FinishedTask(k.state, std::optional<std::string>(k.name), k.clean_time, *k.span));
    } else {
      out.table.load_finished(k.id, FinishedTask(k.state, std::optional<std::string>(k.name), k.clean_time,
                                                 std::string(k.line), false));
    }
  }
  out.table.reserve_ids_below(next_id);
  if (held) out.table.set_held(true, now, out.actions);
  out.table.schedule(now, out.actions);
  return out;
}

}  // namespace ptt::taskd
