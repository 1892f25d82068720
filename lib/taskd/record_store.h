#pragma once
// Task persistence under the state dir. Layout:
//   tasks.ndjson     the task records, appended one JSON object per line: a task's
//                    record when spawned and when finished (a later line wins), and
//                    {"forget":ID} when `clean` drops a task. Appended, not a file per
//                    record renamed into place: on ext4 without a journal each new
//                    inode costs a scan past the recently deleted ones, and every
//                    rename deleted one; that was most of the daemon's cost per task.
//                    Each append is one write(2) that starts with a newline, so a line
//                    torn by a crash or a full disk ends at the next append and is
//                    reported and skipped when read. The file is rewritten compactly
//                    (temp file + rename, so atomically) at start-up and once it is
//                    mostly stale lines.
//   next_id          the id counter (ids are never reused, even after clean)
//   logs/<id>/stream.ndjson, stderr.log, supervisor.ndjson (supervisor_status.h)
//   logs/.next       an empty dir made ahead of the next spawn (make_spare_log_dir)
// Durability: a spawn claims its id by creating logs/<id> (claim_id), and its record
// is synced before the spawn is answered; the next id is past
// every record, forget line, the counter and every log dir. So an id is never handed
// out twice, even when tasks.ndjson loses its tail (truncated, or a crash before the
// appended lines reached the disk): a new task never shares an old one's logs.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/task_record.h"
#include "taskd/record_span.h"
#include "taskd/state_disk.h"

namespace ptt::taskd {

class RecordStore final : public RecordLineSource {
 public:
  // Every file operation goes through `disk` (tests pass a fake that fails on demand).
  explicit RecordStore(std::filesystem::path state_dir, StateDisk& disk = posix_state_disk());

  struct Loaded {
    std::vector<protocol::TaskRecord> records;  // by id
    // The line of tasks.ndjson each record was read from (in `text`, which holds the
    // file), for the table to keep a finished record as it is (taskd/finished_task.h).
    std::vector<std::string_view> lines;
    // Where each record's line is in tasks.ndjson as load() left it (after a compaction:
    // in the new file); empty when that is not known (the file could not be read).
    std::vector<RecordSpan> spans;
    std::vector<std::string> problems;  // corrupt or torn records, skipped
    std::int64_t next_id = 1;           // never below any id seen on disk
    std::string text;
  };
  // Creates the directories when missing, and compacts tasks.ndjson when that is
  // worth it; a failed compaction is only a problem reported.
  Loaded load();

  // Creates the task's log dir, which keeps its id used on disk should tasks.ndjson be
  // cut later. False when it exists: an earlier task had that id. Not synced (an fsync
  // of logs/ costs a second journal commit per spawn): over a crash, the record's sync
  // keeps the id. Throws std::system_error.
  // Takes the spare log dir (make_spare_log_dir) when there is one: renamed, not made,
  // so a spawn's reply waits for no inode allocation.
  bool claim_id(std::int64_t id);
  // Makes logs/.next, the empty dir the next claim_id renames to logs/<id>, when there
  // is none. On ext4 a mkdir is the costliest step of a spawn (its inode allocation
  // scans past recently deleted inodes: 0.2 to 1.4 ms on our VMs), so it is done after
  // a spawn's reply, not before it. Its name is no number, so no id is taken by it. A
  // failure only means the next claim makes its dir itself.
  void make_spare_log_dir();
  // Appends the record (durable after the next sync()). Throws std::system_error.
  void save(const protocol::TaskRecord& record);
  // Appends a record's line as protocol::record_line wrote it, and says where it is in
  // the file (none when that is not known: an earlier append tore). Throws std::system_error.
  std::optional<RecordSpan> save_line(std::string_view record_line);
  // RecordLineSource: the bytes at `span` of tasks.ndjson.
  std::string read_line(RecordSpan span) const override;
  void save_next_id(std::int64_t next_id) const;
  // Appends the task's forget line and removes its logs. Throws std::system_error.
  void forget(std::int64_t id);
  // Appends the task's forget line only (a spawn taken back). Throws std::system_error.
  void retract(std::int64_t id);
  // Makes what was appended since the last sync durable: fsync of the records file,
  // and of the state dir when the file was created. Throws std::system_error (and
  // tries again at the next call).
  void sync();
  // Lines appended by this process so far (each save, forget and retract): a request
  // whose handling appended none has nothing of its own to sync before its reply.
  std::uint64_t appends() const { return appends_; }

  // True when tasks.ndjson holds mostly stale lines for `live` records.
  bool compaction_due(std::size_t live) const;
  // Rewrites tasks.ndjson as `content`: `records` lines, one per record, each ending in
  // a newline (the spans of what was there before are void then). Throws std::system_error.
  void compact(const std::string& content, std::size_t records);

  const std::filesystem::path& state_dir() const { return state_dir_; }
  std::filesystem::path records_file() const { return state_dir_ / "tasks.ndjson"; }
  std::filesystem::path log_dir(std::int64_t id) const;
  std::filesystem::path spare_log_dir() const { return state_dir_ / "logs" / ".next"; }
  std::filesystem::path stream_log(std::int64_t id) const { return log_dir(id) / "stream.ndjson"; }
  std::filesystem::path stderr_log(std::int64_t id) const { return log_dir(id) / "stderr.log"; }

 private:
  std::optional<RecordSpan> append(std::string_view json_line);
  // Raises out.next_id past every log dir (each was a task's), saying so when that
  // finds ids the records had lost.
  void claimed_ids(Loaded& out);

  std::filesystem::path state_dir_;
  StateDisk& disk_;
  std::size_t lines_ = 0;              // in tasks.ndjson, as far as this process knows
  std::optional<std::uint64_t> size_;  // of tasks.ndjson, while this process knows it
  std::uint64_t appends_ = 0;
  bool records_unsynced_ = false, state_dir_unsynced_ = false;
  std::size_t retry_compaction_after_ = 0;
  bool spare_ready_ = false;  // logs/.next exists, as far as this process knows
};

}  // namespace ptt::taskd
