#pragma once
// A finished task as the task table keeps it: its record as one JSON line, and the
// few fields the table itself reads (state, name, the time clean compares). A record
// in memory costs about 1 KB before its strings (sizeof(TaskRecord) alone is ~960
// bytes, and its usage is a JSON tree); a daemon keeping months of history holds
// 100,000 of them. The whole record is parsed back only when a request needs it (get,
// result, follow_up, retry), which is rare next to list. The list table's line is made
// on the first list and kept: a finished record no longer changes.
#include <cstdint>
#include <optional>
#include <string>

#include "protocol/record_view.h"
#include "protocol/task_record.h"

namespace ptt::taskd {

class FinishedTask {
 public:
  FinishedTask() = default;
  // `line` is a JSON line that reads back as `record` (read_task_record, or from_json):
  // the journal line it was read from, or the record's canonical line (`canonical`).
  FinishedTask(const protocol::TaskRecord& record, std::string line, bool canonical);
  // The same from the record's state, name and finished_at (else created_at).
  FinishedTask(protocol::TaskState state, std::optional<std::string> name, double finished_or_created_at,
               std::string line, bool canonical);
  // Keeps the record's canonical line (protocol::record_line).
  static FinishedTask of(const protocol::TaskRecord& record);

  protocol::TaskState state() const { return state_; }
  const std::optional<std::string>& name() const { return name_; }
  // What `clean --older-than` compares: when it finished (else when it was made).
  double finished_or_created_at() const { return clean_time_; }
  // The whole record, parsed from the line.
  protocol::TaskRecord record() const;
  // protocol::record_line(record(), view), made on first use and kept. (A journal line
  // may differ in bytes from the record's canonical line: an older field order, a
  // field left out that the record writes as null.)
  const std::string& line(protocol::RecordView view) const;
  // How many lines line() has made so far, in this process (the daemon gives the memory
  // their making used back to the system after a list that made many).
  static std::size_t lines_made();

 private:
  mutable std::string line_;
  mutable std::string table_line_;  // empty until the first list
  std::optional<std::string> name_;
  double clean_time_ = 0;
  protocol::TaskState state_ = protocol::TaskState::kSucceeded;
  mutable bool canonical_ = false;
};

}  // namespace ptt::taskd
