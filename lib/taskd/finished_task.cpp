#include "taskd/finished_task.h"

#include <nlohmann/json.hpp>

#include "protocol/task_record_reader.h"

namespace ptt::taskd {
using protocol::RecordView;
using protocol::TaskRecord;

namespace {
std::size_t made = 0;  // the daemon is single-threaded
}  // namespace

std::size_t FinishedTask::lines_made() { return made; }

FinishedTask::FinishedTask(const TaskRecord& record, std::string line, bool canonical)
    : FinishedTask(record.state, record.name, record.finished_at.value_or(record.created_at), std::move(line),
                   canonical) {}

FinishedTask::FinishedTask(protocol::TaskState state, std::optional<std::string> name,
                           double finished_or_created_at, std::string line, bool canonical)
    : line_(std::move(line)),
      name_(std::move(name)),
      clean_time_(finished_or_created_at),
      state_(state),
      canonical_(canonical) {}

FinishedTask FinishedTask::of(const TaskRecord& record) {
  return FinishedTask(record, protocol::record_line(record, RecordView::kFull), true);
}

TaskRecord FinishedTask::record() const {
  TaskRecord r;
  // The line was read once already (at start-up, or made from the record), so it reads again.
  if (!protocol::read_task_record(line_, r)) r = nlohmann::json::parse(line_).get<TaskRecord>();
  return r;
}

const std::string& FinishedTask::line(RecordView view) const {
  if (view == RecordView::kTable) {
    if (table_line_.empty()) {
      table_line_ = protocol::record_line(record(), RecordView::kTable);
      ++made;
    }
    return table_line_;
  }
  if (!canonical_) {
    // Most journal lines are canonical already (this daemon wrote them): kept, not copied.
    std::string canonical = protocol::record_line(record(), RecordView::kFull);
    if (canonical != line_) line_ = std::move(canonical);
    canonical_ = true;
    ++made;
  }
  return line_;
}

}  // namespace ptt::taskd
