#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/exit_status.h"
#include "protocol/events.h"
#include "protocol/json_fields.h"
#include "protocol/task_view.h"
#include "taskcli/commands.h"
#include "taskcli/reconnect.h"
#include "taskcli/watch_gap.h"

namespace ptt::taskcli {
using nlohmann::json;

namespace {

// What `watch --json` prints for one task event: the event as the daemon sent it (its
// task's id, state and what changed), with the task's name from the view.
json watch_line(const protocol::Event& ev, const protocol::TaskRecord& t) {
  json line = protocol::event_json(ev);
  json& task = line["task"];
  if (!task.contains(protocol::record_field::kName))
    task[protocol::record_field::kName] = t.name ? json(*t.name) : json(nullptr);
  return line;
}

// `watch`: the events as they come; after a lost connection, what it missed (rebuilt
// from the records, watch_gap.h), then the events again.
class Watch {
 public:
  explicit Watch(CliSession& s) : s_(s) {}

  void run() {
    s_.client().set_patient(true);
    end_when_stdout_reader_leaves();
    run_reconnecting(s_, [this] { follow(); });
  }

 private:
  void follow() {
    // Events that come while catching up happened after the subscribe reply's snapshot:
    // they are printed after the gap's.
    std::vector<json> later;
    auto keep = [&later](const json& ev) { return later.push_back(ev), true; };
    // The subscribe reply has the unfinished tasks whole; events then carry what changed.
    protocol::TasksReply subscribed = ask(s_.client(), protocol::SubscribeRequest{}, keep);
    if (subscribed_before_) {
      catch_up(subscribed, later, keep);
    } else {
      view_.reset(subscribed.tasks);
      for (const auto& t : subscribed.tasks) seen_up_to_ = std::max(seen_up_to_, t.id);
      // And the newest finished task: any higher id after a lost connection is a task
      // created while it was down.
      for (const auto& t :
           ask(s_.client(), protocol::ListRequest{.state = {}, .table_view = true, .finished_limit = 1}, keep)
               .tasks)
        seen_up_to_ = std::max(seen_up_to_, t.id);
      // A hold that began before watch did is told first, as its event would have been.
      if (subscribed.queue_hold && !s_.global().json)
        print_queue(protocol::QueueHeld{*subscribed.queue_hold});
    }
    hold_ = subscribed.queue_hold;
    subscribed_before_ = true;
    for (const auto& message : later) on_message(message);
    s_.client().read_events([this](const json& message) { return on_message(message), true; });
  }

  // Prints what happened between the last event before the connection was lost and the
  // new subscribe reply's snapshot.
  void catch_up(const protocol::TasksReply& subscribed, const std::vector<json>& later,
                const client::EventFn& keep) {
    WatchGap gap{.before = view_.tasks(),
                 .seen_up_to = seen_up_to_,
                 .unfinished_now = subscribed.tasks,
                 .finished = {}};
    std::set<std::int64_t> unfinished;
    for (const auto& t : subscribed.tasks) unfinished.insert(t.id);
    // Tasks created in the gap that have finished: the newest finished ones, as many as it takes.
    for (std::uint64_t n = 16;; n *= 8) {
      protocol::TasksReply r = ask(
          s_.client(), protocol::ListRequest{.state = {}, .table_view = false, .finished_limit = n}, keep);
      gap.finished.clear();
      std::int64_t oldest = 0;
      for (auto& t : r.tasks) {
        if (!protocol::is_finished(t.state)) continue;
        oldest = oldest == 0 ? t.id : std::min(oldest, t.id);
        gap.finished.push_back(std::move(t));
      }
      if (!r.finished_omitted.value_or(0) || oldest <= seen_up_to_) break;
    }
    // Those created after the snapshot come with their own events (`later`).
    std::set<std::int64_t> created_later;
    for (const auto& message : later) {
      auto ev = protocol::parse_event(message);
      if (ev && std::holds_alternative<protocol::TaskCreated>(*ev))
        created_later.insert(protocol::task_of(*ev));
    }
    std::erase_if(gap.finished, [&](const protocol::TaskRecord& t) {
      return created_later.count(t.id) || unfinished.count(t.id);
    });
    // Tasks watch knew that ended in the gap but are older than the list went back.
    for (const auto& [id, t] : gap.before) {
      bool listed = std::any_of(gap.finished.begin(), gap.finished.end(),
                                [id = id](const protocol::TaskRecord& f) { return f.id == id; });
      if (unfinished.count(id) || listed) continue;
      try {
        gap.finished.push_back(ask(s_.client(), protocol::GetRequest{id}, keep).task);
      } catch (const client::RequestError&) {
        // Forgotten (`clean`) in the meantime: nothing left to tell.
      }
    }
    for (const auto& ev : gap_events(gap)) print_task_event(ev);
    view_.reset(subscribed.tasks);
    for (const auto& t : subscribed.tasks) seen_up_to_ = std::max(seen_up_to_, t.id);
    if (subscribed.queue_hold && subscribed.queue_hold != hold_)
      print_queue(protocol::QueueHeld{*subscribed.queue_hold});
    if (!subscribed.queue_hold && hold_) {
      // Ended in the gap: by its reset when that has passed, else someone resumed it.
      bool reset = hold_->until <= wall_now();
      print_queue(protocol::QueueResumed{*hold_, reset ? "reset" : "resume"});
    }
    // The questions asked in the gap (a restarted daemon does not ask them again).
    for (auto& q : ask(s_.client(), protocol::PendingRequest{}, keep).questions) {
      if (!asked_.count(q.request)) print_permission(protocol::PermissionRequested{std::move(q)});
    }
  }

  void on_message(const json& message) {
    if (auto queue = protocol::parse_queue_event(message)) {
      print_queue(*queue);
    } else if (auto asked = protocol::parse_permission_event(message)) {
      print_permission(*asked);
    } else if (auto ev = protocol::parse_event(message)) {
      print_task_event(*ev);
    }
  }

  void print_queue(const protocol::QueueEvent& queue) {
    if (const auto* held = std::get_if<protocol::QueueHeld>(&queue)) {
      hold_ = held->hold;
    } else {
      hold_.reset();
    }
    write_stdout(s_.global().json ? to_ndjson(protocol::queue_event_json(queue))
                                  : render_queue_event(queue, wall_now()));
  }

  void print_permission(const protocol::PermissionEvent& event) {
    if (const auto* asked = std::get_if<protocol::PermissionRequested>(&event)) {
      if (!asked_.insert(asked->question.request).second) return;  // told before the connection broke
    }
    write_stdout(s_.global().json ? to_ndjson(protocol::permission_event_json(event))
                                  : render_permission_event(event, wall_now()));
  }

  void print_task_event(const protocol::Event& ev) {
    const protocol::TaskRecord* t = view_.apply(ev);
    if (!t) return;
    seen_up_to_ = std::max(seen_up_to_, t->id);
    std::string_view kind = protocol::event_name(ev);
    if (s_.global().json) {
      write_stdout(to_ndjson(watch_line(ev, *t)));
    } else if (std::string line = render_event(kind, *t, wall_now(), s_.style()); !line.empty()) {
      write_stdout(line);
    }
    if (protocol::is_finished(t->state)) view_.forget(t->id);  // only a rare `worktree` event follows an end
  }

  CliSession& s_;
  protocol::TaskView view_;
  std::int64_t seen_up_to_ = 0;  // the highest task id watch has seen
  std::optional<protocol::QueueHold> hold_;
  std::set<std::string> asked_;  // the questions told (permission_requested)
  bool subscribed_before_ = false;
};

}  // namespace

int cmd_watch(CliSession& s) {
  Watch(s).run();
  return kExitOk;
}

}  // namespace ptt::taskcli
