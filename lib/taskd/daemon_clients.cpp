// The daemon's client-side work: answering waits, and pumping the task watches
// and log followers in bounded slices from one idle handle (active only while
// there is work, so an idle daemon has nothing scheduled).
#include <malloc.h>

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "protocol/protocol.h"
#include "protocol/record_view.h"
#include "protocol/replies.h"
#include "taskd/daemon_state.h"

namespace ptt::taskd {
using nlohmann::json;

namespace {
constexpr std::size_t kWatchBudget = 1u << 20;  // per task per loop turn
constexpr std::size_t kFollowerBudget = 256u << 10;
}  // namespace

void Daemon::on_finished(TaskId id) {
  answer_waits();
  mark_followers(id);
}

void Daemon::answer_waits() {
  for (auto it = waits_.begin(); it != waits_.end();) {
    bool done = std::all_of(it->tasks.begin(), it->tasks.end(), [this](TaskId t) {
      auto state = table_.state(t);
      return !state || protocol::is_finished(*state);
    });
    auto conn = connections_.find(it->connection);
    if (!done || conn == connections_.end()) {
      ++it;
      continue;
    }
    conn->second->send_line(tasks_reply(it->request_id, it->tasks));
    it = waits_.erase(it);
  }
}

std::string Daemon::tasks_reply(const json& request_id, const std::vector<TaskId>& ids,
                                protocol::RecordView view,
                                std::optional<std::uint64_t> finished_omitted) const {
  bool table = view == protocol::RecordView::kTable;
  std::size_t made_before = FinishedTask::lines_made();
  std::string reply = protocol::tasks_reply_line(
      request_id, ids.size(), [&](std::size_t i) -> const std::string& { return record_line(ids[i], table); },
      hold_, finished_omitted);
  // The first list after start-up reads every finished record back to make its line:
  // the pages those reads used go back to the system, not stay in the daemon's RSS.
  // (The reply's own pages go back once it is written: ClientConnection.)
  if (FinishedTask::lines_made() - made_before > 1000) ::malloc_trim(0);
  return reply;
}

const std::string& Daemon::record_line(TaskId id, bool table) const {
  auto view = table ? protocol::RecordView::kTable : protocol::RecordView::kFull;
  // A finished task's lines are the table's (made once, kept): this cache holds only
  // the tasks that still change, so it stays as small as they are few.
  if (const std::string* line = table_.finished_line(id, view)) {
    record_lines_.erase(id);
    return *line;
  }
  RecordLines& lines = record_lines_[id];
  if (std::uint64_t revision = table_.revision(id); lines.revision != revision) {
    lines = {.revision = revision, .full = {}, .table = {}};
  }
  std::string& line = table ? lines.table : lines.full;
  if (line.empty()) {
    const auto* t = table_.live(id);
    line = !t ? "null" : protocol::record_line(*t, view);
  }
  return line;
}

void Daemon::mark_followers(TaskId task) {
  bool any = false;
  for (auto& f : followers_) {
    if (f->task() == task) any = f->dirty = true;
  }
  if (any) want_pump();
}

void Daemon::want_pump() {
  if (pump_active_ || shutting_down_) return;
  pump_active_ = true;
  uv_idle_start(&pump_idle_, [](uv_idle_t* h) { static_cast<Daemon*>(h->data)->pump(); });
}

void Daemon::pump() {
  if (!deferred_starts_.empty()) apply(std::exchange(deferred_starts_, {}));
  store_.make_spare_log_dir();  // for the next spawn, now that this one's reply is out
  bool more = false;
  std::vector<TaskId> busy;
  for (auto& [id, w] : watches_) {
    if (w->backlog()) busy.push_back(id);
  }
  // An agent's lines read in one go (init, tool calls, result) update its
  // record several times; it is written once, after the slice.
  defer_flush_ = true;
  for (TaskId id : busy) {
    auto it = watches_.find(id);
    if (it != watches_.end() && it->second->pump(kWatchBudget)) more = true;
  }
  defer_flush_ = false;
  keeper_.flush();
  // A task that ended above may have started the next one, whose watch asked for a
  // pump while this one ran (a no-op then): its agent may already be done, and no
  // file event would come for it.
  for (auto& [id, w] : watches_) more = more || w->backlog();
  for (std::size_t i = 0; i < followers_.size();) {
    LogFollower& f = *followers_[i];
    auto conn = connections_.find(f.connection());
    if (conn == connections_.end() || conn->second->closing()) {
      followers_.erase(followers_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    if (!f.dirty) {
      ++i;
      continue;
    }
    auto state = table_.state(f.task());
    auto status = f.pump(*conn->second, kFollowerBudget, !state || protocol::is_finished(*state));
    if (status == LogFollower::Status::kDone) {
      followers_.erase(followers_.begin() + static_cast<std::ptrdiff_t>(i));
      continue;
    }
    f.dirty = status == LogFollower::Status::kMore;
    more = more || f.dirty;
    ++i;
  }
  if (!more && !shutting_down_) {
    uv_idle_stop(&pump_idle_);
    pump_active_ = false;
  }
}

}  // namespace ptt::taskd
