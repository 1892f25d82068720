#pragma once
// A finished task as the task table keeps it: the few fields the table itself reads
// (state, name, the time clean compares), its list-table line once made, and where its
// whole record is: at a span of tasks.ndjson (RecordSpan), or, until its line is
// written and synced there, as a JSON line in memory. A record in memory costs about
// 1 KB (sizeof(TaskRecord) alone is ~960 bytes) and its line about 600 bytes; a daemon
// keeping months of history holds 100,000 of them. The whole record is read back and
// parsed only when a request needs it (get, status, list --json, result, follow_up,
// retry), which is rare next to list. The table line is made on the first list and
// kept: a finished record no longer changes.
#include <cstdint>
#include <optional>
#include <string>

#include "protocol/record_view.h"
#include "protocol/task_record.h"
#include "taskd/record_span.h"

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
  // A record whose line is at `at` in the records file, as read at start-up.
  FinishedTask(protocol::TaskState state, std::optional<std::string> name, double finished_or_created_at,
               RecordSpan at);
  // Keeps the record's canonical line (protocol::record_line).
  static FinishedTask of(const protocol::TaskRecord& record);

  protocol::TaskState state() const { return state_; }
  const std::optional<std::string>& name() const { return name_; }
  // What `clean --older-than` compares: when it finished (else when it was made).
  double finished_or_created_at() const { return clean_time_; }
  // The whole record, parsed from the line (read from `disk` when it is there).
  // Throws std::system_error when it cannot be read, std::runtime_error when what was
  // read is no record.
  protocol::TaskRecord record(const RecordLineSource* disk = nullptr) const;
  // protocol::record_line(record(), view), made on first use. The table line is kept;
  // the full line is kept only while it is not on disk, else read again each time (the
  // reference is then valid until the next call, of any FinishedTask). (A journal line
  // may differ in bytes from the record's canonical line: an older field order, a field
  // left out that the record writes as null; the first call checks.)
  const std::string& line(protocol::RecordView view, const RecordLineSource* disk = nullptr) const;
  // Its canonical full line was written at `at` and synced: the copy in memory goes.
  void stored_at(RecordSpan at);
  // How many lines line() has made so far, in this process (the daemon gives the memory
  // their making used back to the system after a list that made many).
  static std::size_t lines_made();

 private:
  std::string read_line(const RecordLineSource* disk) const;

  mutable std::string line_;        // empty while the line is on disk only
  mutable std::string table_line_;  // empty until the first list
  std::optional<std::string> name_;
  double clean_time_ = 0;
  RecordSpan span_;
  protocol::TaskState state_ = protocol::TaskState::kSucceeded;
  mutable bool canonical_ = false;
  bool on_disk_ = false;
};

}  // namespace ptt::taskd
