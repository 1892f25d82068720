#include "taskd/finished_task.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "protocol/task_record_reader.h"

namespace ptt::taskd {
using protocol::RecordView;
using protocol::TaskRecord;

namespace {
std::size_t made = 0;   // the daemon is single-threaded
std::string read_back;  // the last full line line() read from disk (see line())
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

FinishedTask::FinishedTask(protocol::TaskState state, std::optional<std::string> name,
                           double finished_or_created_at, RecordSpan at)
    : name_(std::move(name)), clean_time_(finished_or_created_at), span_(at), state_(state), on_disk_(true) {}

FinishedTask FinishedTask::of(const TaskRecord& record) {
  return FinishedTask(record, protocol::record_line(record, RecordView::kFull), true);
}

void FinishedTask::stored_at(RecordSpan at) {
  span_ = at;
  on_disk_ = true;
  canonical_ = true;  // what was written is the line in memory, canonical or made so
  line_ = {};
}

std::string FinishedTask::read_line(const RecordLineSource* disk) const {
  if (!disk) throw std::logic_error("a finished task's record is on disk, and there is no reader");
  std::string line = disk->read_line(span_);
  // Something else than this daemon's line there (the file changed under it) reads as no record.
  if (line.size() < 2 || line.front() != '{' || line.back() != '}')
    throw std::runtime_error("the records file changed: a task record is not where it was written");
  return line;
}

namespace {
TaskRecord parse(const std::string& line) {
  TaskRecord r;
  // The line was read once already (at start-up, or made from the record), so it reads again.
  if (protocol::read_task_record(line, r)) return r;
  try {
    return nlohmann::json::parse(line).get<TaskRecord>();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("a task record in the records file is unreadable: ") + e.what());
  }
}
}  // namespace

TaskRecord FinishedTask::record(const RecordLineSource* disk) const {
  return parse(line_.empty() && on_disk_ ? read_line(disk) : line_);
}

const std::string& FinishedTask::line(RecordView view, const RecordLineSource* disk) const {
  if (view == RecordView::kTable) {
    if (table_line_.empty()) {
      table_line_ = protocol::record_line(record(disk), RecordView::kTable);
      ++made;
    }
    return table_line_;
  }
  if (!canonical_) {
    // Most journal lines are canonical already (this daemon wrote them): kept where they
    // are. One that is not is kept in memory, canonical.
    bool from_disk = on_disk_ && line_.empty();
    std::string line = from_disk ? read_line(disk) : std::move(line_);
    std::string canonical = protocol::record_line(parse(line), RecordView::kFull);
    if (canonical != line || !from_disk) line_ = std::move(canonical);
    canonical_ = true;
    ++made;
  }
  if (!line_.empty() || !on_disk_) return line_;
  read_back = read_line(disk);
  return read_back;
}

}  // namespace ptt::taskd
