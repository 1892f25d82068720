#pragma once
// What a restarted daemon makes of what is on disk: a pure function from the
// records read (RecordStore::load) and the unfinished tasks' supervisor status
// files to the task table, the supervisors to watch again, and the first
// actions (starting queued tasks that may run now). The disk is read by the
// caller; nothing here touches it, so every case is unit-tested.
#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include "supervise/supervisor_status.h"
#include "taskd/record_store.h"
#include "taskd/task_table.h"

namespace ptt::taskd {

struct Recovery {
  struct Adoption {
    TaskId task;
    pid_t supervisor;  // 0 when its server line is missing: only the exit line can end it
    std::optional<std::uint64_t> supervisor_start;  // its start time, when recorded
    bool operator==(const Adoption&) const = default;
  };
  TaskTable table;
  std::vector<Adoption> adopt;  // starting or running tasks whose supervisors run on (by id)
  TableActions actions;         // what the table decided at once (start queued tasks)
};

// `statuses`: read_supervisor_status() of each unfinished record's log dir, where it
// returned one (a task without is one whose start never happened). `lines`, when given:
// the journal line of each record (RecordStore::Loaded::lines), kept for finished ones.
// `held`: the queue is held (a saved rate-limit hold), so no queued task starts.
// `spans`, when given: where each record's line is in the records file
// (RecordStore::Loaded::spans); a finished record then keeps only that, not its line
// (the table must be given a reader: TaskTable::read_lines_from).
Recovery recover(std::vector<protocol::TaskRecord> records, TaskId next_id,
                 const std::map<TaskId, supervise::SupervisorStatus>& statuses, int max_running, double now,
                 const std::vector<std::string_view>& lines = {}, bool held = false,
                 const std::vector<RecordSpan>& spans = {});

}  // namespace ptt::taskd
