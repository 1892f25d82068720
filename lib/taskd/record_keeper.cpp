#include "taskd/record_keeper.h"

#include <algorithm>
#include <exception>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "taskd/daemon_log.h"

namespace ptt::taskd {

RecordKeeper::RecordKeeper(RecordStore& store, TaskTable& table, std::function<void(bool)> retry_timer)
    : store_(store), table_(table), retry_timer_(std::move(retry_timer)) {}

void RecordKeeper::persist_later(TaskId id) {
  // A task changes several times in one batch (spawned, started, its pid): each
  // record is written once, at the flush. A flush since the change (an event went
  // out) already wrote it.
  if (changed_.count(id)) dirty_.insert(id);
}

void RecordKeeper::forget(TaskId id) {
  unsynced_spans_.erase(id);
  dirty_.erase(id);
  changed_.erase(id);
  failed_.erase(id);
  store_.forget(id);
}

void RecordKeeper::save_next_id() { store_.save_next_id(table_.next_id()); }

void RecordKeeper::flush() {
  for (TaskId id : dirty_) persist(id);
  dirty_.clear();
  compact_if_due();
}

void RecordKeeper::sync() {
  std::vector<TaskId> written = std::exchange(unsynced_, {});
  try {
    store_.sync();
  } catch (const std::exception& e) {
    unsynced_spans_.clear();  // written again by the retry, maybe elsewhere
    for (TaskId id : written) failed(id, e);
    return;
  }
  synced();
}

void RecordKeeper::synced() {
  // Read back from the file only once it is durable: a failed fsync may drop what it held.
  for (const auto& [id, written] : std::exchange(unsynced_spans_, {})) {
    if (table_.revision(id) == written.revision) table_.stored_at(id, written.at);
  }
}

void RecordKeeper::compact_if_due() {
  // Not while a record is unwritten: the compacted file would be its only copy on disk.
  if (!store_.compaction_due(table_.size()) || !failed_.empty()) return;
  std::string content;
  std::vector<std::pair<TaskId, RecordSpan>> finished;
  table_.for_each_line([&](TaskId id, const std::string& line, bool is_finished) {
    if (is_finished)
      finished.emplace_back(id, RecordSpan{content.size(), static_cast<std::uint32_t>(line.size())});
    content += line;
    content += '\n';
  });
  try {
    store_.save_next_id(table_.next_id());  // the forget lines, which kept ids used, go
    store_.compact(content, table_.size());
    // The old file's spans are void, and every record is in the new one, synced.
    unsynced_spans_.clear();
    for (const auto& [id, at] : finished) table_.stored_at(id, at);
  } catch (const std::exception& e) {
    daemon_log(fmt::format("error: cannot compact {}: {}; it grows until the next start",
                           store_.records_file().string(), e.what()));
  }
}

void RecordKeeper::claim_next_id() {
  for (TaskId id = table_.next_id(); !store_.claim_id(id); id = table_.next_id()) {
    daemon_log(fmt::format("warning: {} exists already: id {} was used before; skipped",
                           store_.log_dir(id).string(), id));
    table_.reserve_ids_below(id + 1);
  }
}

void RecordKeeper::record_new_task(TaskId id, TableActions& actions) {
  append_new_task(id, actions);
  commit_new_tasks({id});
}

void RecordKeeper::append_new_task(TaskId id, TableActions& actions) {
  try {
    save(id);  // it carries the highest id, so the counter file can wait
  } catch (const std::exception& e) {
    daemon_log(fmt::format("error: cannot record a new task: {}; spawn refused", e.what()));
    table_.discard(id);
    actions.clear();
    throw;
  }
  changed_.erase(id);
  // Written already: drop the queued writes of that same first record.
  std::erase_if(actions, [id](const TableAction& a) {
    return a.task == id &&
           (a.kind == TableAction::Kind::kSaveNextId || a.kind == TableAction::Kind::kPersist);
  });
}

void RecordKeeper::commit_new_tasks(const std::vector<TaskId>& ids) {
  try {
    store_.sync();      // the spawns' replies tell their ids: they must survive a crash
    unsynced_.clear();  // synced with them
  } catch (const std::exception& e) {
    unsynced_spans_.clear();
    daemon_log(fmt::format("error: cannot record a new task: {}; spawn refused", e.what()));
    // Written but maybe not durable: a restart must not find them and run them.
    for (TaskId id : ids) {
      try {
        store_.retract(id);
      } catch (const std::exception&) {
      }
    }
    // A failed fsync may have dropped what was written before too: written again.
    for (TaskId written : std::exchange(unsynced_, {})) failed(written, e);
    for (auto id = ids.rbegin(); id != ids.rend(); ++id) table_.discard(*id);
    throw;
  }
  synced();
  retry_failed();  // the disk works again: catch up with what failed before
}

bool RecordKeeper::save(TaskId id) {
  // A finished task is kept as its line already (taskd/finished_task.h).
  if (const std::string* line = table_.finished_line(id, protocol::RecordView::kFull)) {
    if (auto at = store_.save_line(*line))
      unsynced_spans_.insert_or_assign(id, Written{*at, table_.revision(id)});
  } else if (const protocol::TaskRecord* t = table_.live(id)) {
    store_.save(*t);
  } else {
    return false;
  }
  return true;
}

void RecordKeeper::persist(TaskId id) {
  try {
    if (!save(id)) return;
    unsynced_.push_back(id);
    changed_.erase(id);
    failed_.erase(id);
  } catch (const std::exception& e) {
    failed(id, e);
    return;
  }
  if (!failed_.empty()) retry_failed();
}

void RecordKeeper::failed(TaskId id, const std::exception& e) {
  // Kept in memory and retried: an acknowledged change must reach the disk.
  if (failed_.insert(id).second) daemon_log(fmt::format("error: task {}: {}; retrying", id, e.what()));
  if (!shut_down_ && !timer_on_) {
    timer_on_ = true;
    retry_timer_(true);
  }
}

void RecordKeeper::retry_failed() {
  for (auto it = failed_.begin(); it != failed_.end();) {
    try {
      if (save(*it)) {
        unsynced_.push_back(*it);
        daemon_log(fmt::format("task {}: record written after an earlier failure", *it));
      }
      it = failed_.erase(it);
    } catch (const std::exception&) {
      break;  // still failing; the timer tries again
    }
  }
  if (failed_.empty() && timer_on_) {
    timer_on_ = false;
    retry_timer_(false);
  }
}

void RecordKeeper::shut_down() {
  shut_down_ = true;
  retry_failed();  // a last try; what still fails is logged already
  sync();
}

}  // namespace ptt::taskd
