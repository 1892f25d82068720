// The daemon carries out what the task table decided (its actions): starts and
// cancels agents, writes records (through RecordKeeper) and pushes events, in
// order. A spawn's agent start waits until its reply has gone out.
#include <exception>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/ndjson.h"
#include "protocol/events.h"
#include "protocol/protocol.h"
#include "protocol/replies.h"
#include "taskd/daemon_state.h"

namespace ptt::taskd {
using nlohmann::json;

void Daemon::apply(TableActions actions) {
  // Handlers may produce more actions (starting an agent can fail at once);
  // they are appended and run in order, never recursively.
  static TableActions* pending = nullptr;
  // Nothing may act on the table while spawns wait for their fsync (daemon_state.h).
  if (!pending_spawns_.empty() && !committing_) commit_spawns();
  for (const TableAction& a : actions) keeper_.changed(a.task);
  if (pending) {
    pending->insert(pending->end(), actions.begin(), actions.end());
    return;
  }
  TableActions queue = std::move(actions);
  pending = &queue;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    TableAction a = queue[i];
    if (a.kind == TableAction::Kind::kStartAgent && defer_starts_) {
      // A spawn's reply goes out first: starting the agent (mkdir, files, the
      // request to the supervisor) is not what its client waits for. The rest of the batch (the
      // "started" event) follows the start, from the pump.
      deferred_starts_.insert(deferred_starts_.end(), queue.begin() + static_cast<std::ptrdiff_t>(i),
                              queue.end());
      want_pump();
      break;
    }
    try {
      switch (a.kind) {
        case TableAction::Kind::kStartAgent:
          keeper_.flush();  // a task's record is on disk before its agent is asked for
          start_agent(a.task);
          break;
        case TableAction::Kind::kCancelAgent:
          cancel_agent(a.task);
          break;
        case TableAction::Kind::kPersist:
          keeper_.persist_later(a.task);
          break;
        case TableAction::Kind::kForget:
          record_lines_.erase(a.task);
          keeper_.forget(a.task);
          break;
        case TableAction::Kind::kSaveNextId:
          keeper_.save_next_id();
          break;
        case TableAction::Kind::kEmit: {
          keeper_.flush();  // nobody hears of a change before it is on disk
          if (auto t = table_.find(a.task)) {
            // What changed, not the whole record (protocol/events.h); serialised once for all.
            std::string line = to_ndjson(protocol::event_json(protocol::task_event(a.event, *t)));
            for (auto& [cid, c] : connections_) {
              if (c->subscribed) c->send_line(line);
            }
          }
          if (a.event == protocol::event::kFinished) on_finished(a.task);
          break;
        }
      }
    } catch (const std::exception& e) {
      daemon_log(fmt::format("error: task {}: {}", a.task, e.what()));
    }
  }
  pending = nullptr;
  if (!defer_flush_) keeper_.flush();
}

namespace {

protocol::RequestRejected storage_refusal(const RecordStore& store, const std::exception& e) {
  return {protocol::error::kStorageError,
          fmt::format(
              "cannot record the task in {}: {}; free space there or fix its permissions, then spawn again",
              store.state_dir().string(), e.what())};
}

}  // namespace

void Daemon::claim_next_id() {
  try {
    keeper_.claim_next_id();
  } catch (const std::exception& e) {
    daemon_log(fmt::format("error: cannot claim a new task's log dir: {}; spawn refused", e.what()));
    throw storage_refusal(store_, e);
  }
}

void Daemon::append_new_task(TaskId id, TableActions& actions) {
  try {
    keeper_.append_new_task(id, actions);
  } catch (const std::exception& e) {
    throw storage_refusal(store_, e);
  }
}

void Daemon::commit_spawns() {
  if (pending_spawns_.empty() && held_replies_.empty()) return;
  committing_ = true;
  uv_check_stop(&commit_check_);
  std::vector<PendingSpawn> spawns = std::exchange(pending_spawns_, {});
  std::vector<HeldReply> replies = std::exchange(held_replies_, {});
  std::vector<TaskId> ids;
  for (const auto& p : spawns) ids.push_back(p.id);
  std::optional<protocol::RequestRejected> refused;
  if (!ids.empty()) {
    try {
      keeper_.commit_new_tasks(ids);
    } catch (const std::exception& e) {
      refused = storage_refusal(store_, e);
    }
  }
  if (!refused) {
    for (auto& p : spawns) apply_after_reply(std::move(p.actions));
    if (!spawns.empty()) want_pump();  // which makes the next spawn's log dir (the spare), after the replies
  }
  committing_ = false;
  for (auto& r : replies) {
    auto conn = connections_.find(r.connection);
    if (conn == connections_.end()) continue;  // gone: the spawn stands all the same, as before
    if (refused && r.spawn) {
      conn->second->send(protocol::error_reply_json(
          r.request_id, {.code = std::string(refused->code), .message = refused->message}));
    } else {
      conn->second->send_line(std::move(r.line));
    }
  }
}

void Daemon::send_reply(ClientConnection& c, std::string line, const nlohmann::json* spawn_id) {
  if (pending_spawns_.empty()) {
    c.send_line(std::move(line));
    return;
  }
  held_replies_.push_back({c.id(), std::move(line), spawn_id != nullptr, spawn_id ? *spawn_id : json()});
}

}  // namespace ptt::taskd
