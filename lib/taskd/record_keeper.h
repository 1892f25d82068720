#pragma once
// Keeps the task table's records on disk (RecordStore) as the table changes:
// a record changed several times in one batch is written once, when the batch
// is flushed; a write that fails (disk full, read-only, EIO) is kept in memory
// and retried, since an acknowledged change must reach the disk; and the
// records file is compacted once it is mostly stale lines. No libuv inside:
// the retry timer is the owner's, switched through a callback.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <vector>

#include "taskd/record_store.h"
#include "taskd/task_table.h"

namespace ptt::taskd {

class RecordKeeper {
 public:
  // retry_timer(true): call retry_failed() every few seconds until retry_timer(false).
  RecordKeeper(RecordStore& store, TaskTable& table, std::function<void(bool on)> retry_timer);

  // The task changed (an action named it): its next persist writes it.
  void changed(TaskId id) { changed_.insert(id); }
  // A kPersist action: written at the next flush(), unless a flush wrote it since the change.
  void persist_later(TaskId id);
  // A kForget action: the record's forget line, and its logs removed. Throws std::system_error.
  void forget(TaskId id);
  // A kSaveNextId action. Throws std::system_error.
  void save_next_id();
  // Writes the records changed since the last flush, then compacts when that is due.
  // Not synced: see sync().
  void flush();
  // Makes what was written durable (RecordStore::sync, an fsync): before a reply tells
  // of a change a request made (cancel, clean). Changes that come from an agent (its
  // start, its end) are not synced on their own, as a restart reads them again from the
  // task's logs; they reach the disk with the next sync. When the sync fails, the
  // records are written again by the retry (a failed fsync may have dropped them).
  void sync();
  // Claims the table's next id on disk (RecordStore::claim_id) before a spawn takes
  // it, skipping ids an earlier task used. Throws std::system_error.
  void claim_next_id();
  // Writes a just-spawned task's record, and syncs it and its claimed log dir, before
  // its spawn is answered. When that fails the spawn is taken back (the task
  // discarded, `actions` cleared) and the error rethrown: no id is handed out
  // without its record on disk. (append_new_task, then commit_new_tasks of it alone.)
  void record_new_task(TaskId id, TableActions& actions);
  // Group commit: the records of the spawns answered in one loop turn are appended one by
  // one, and made durable together by one sync before any of them is answered.
  // append_new_task: the record appended, not synced; when the append fails the task is
  // discarded, `actions` cleared and the error rethrown.
  void append_new_task(TaskId id, TableActions& actions);
  // The sync of the appended records (and of all written before them). When it fails,
  // every one of `ids` is taken back (a forget line, so a restart does not run it; the
  // task discarded) and the error rethrown; what else was written is written again.
  void commit_new_tasks(const std::vector<TaskId>& ids);
  // Writes the records whose writes failed, as long as writes succeed.
  void retry_failed();
  // No more timers: a last retry, and what still fails stays failed (it is logged).
  void shut_down();
  bool has_failed() const { return !failed_.empty(); }

 private:
  void persist(TaskId id);
  // Appends the task's record; false when there is no such task. Throws std::system_error.
  bool save(TaskId id);
  void failed(TaskId id, const std::exception& e);
  void compact_if_due();
  // The store synced: the finished records written since are read from disk from now on.
  void synced();

  RecordStore& store_;
  TaskTable& table_;
  std::function<void(bool)> retry_timer_;
  std::set<TaskId> dirty_;        // to write at the next flush
  std::set<TaskId> changed_;      // changed since their record was last written
  std::vector<TaskId> unsynced_;  // written since the last sync
  std::set<TaskId> failed_;       // their last write failed: retried until it lands
  // Finished records written but not yet synced: where, and at which table revision
  // (a record changed since is not the line written).
  struct Written {
    RecordSpan at;
    std::uint64_t revision;
  };
  std::map<TaskId, Written> unsynced_spans_;
  bool timer_on_ = false;
  bool shut_down_ = false;
};

}  // namespace ptt::taskd
