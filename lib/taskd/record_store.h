#pragma once
// Task persistence under the state dir. Records and the counter are written
// atomically (a temp file renamed over the old one), so a daemon killed at any
// point leaves either the old or the new version. Layout:
//   tasks/<id>.json        the task record: written when spawned and when finished
//                          (a start is in supervisor.ndjson; the stream is re-read)
//   next_id                the id counter (ids are never reused, even after clean)
//   logs/<id>/stream.ndjson, stderr.log, supervisor.ndjson (supervisor_status.h)
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/task_record.h"

namespace ptt::taskd {

// Writes `content` to `path` via a temp file in the same directory and rename(2).
// Throws std::system_error on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);
// The whole file, or "" when it cannot be read.
std::string read_file(const std::filesystem::path& path);

class RecordStore {
 public:
  explicit RecordStore(std::filesystem::path state_dir);

  struct Loaded {
    std::vector<protocol::TaskRecord> records;  // by id
    std::vector<std::string> problems;          // corrupt or torn records, skipped
    std::int64_t next_id = 1;                   // never below any id seen on disk
  };
  // Creates the directories when missing.
  Loaded load();

  void save(const protocol::TaskRecord& record) const;
  void save_next_id(std::int64_t next_id) const;
  void forget(std::int64_t id) const;

  const std::filesystem::path& state_dir() const { return state_dir_; }
  std::filesystem::path log_dir(std::int64_t id) const;
  std::filesystem::path stream_log(std::int64_t id) const { return log_dir(id) / "stream.ndjson"; }
  std::filesystem::path stderr_log(std::int64_t id) const { return log_dir(id) / "stderr.log"; }

 private:
  std::filesystem::path record_path(std::int64_t id) const;
  std::filesystem::path state_dir_;
};

}  // namespace ptt::taskd
