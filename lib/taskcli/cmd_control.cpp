#include <cstdio>

#include <unistd.h>

#include <fmt/format.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "core/version.h"
#include "protocol/events.h"
#include "protocol/json_fields.h"
#include "protocol/protocol.h"
#include "protocol/task_view.h"
#include "taskcli/commands.h"
#include "taskcli/duration.h"
#include "taskcli/progress_live.h"

namespace ptt::taskcli {
using nlohmann::json;

namespace {

protocol::TasksReply wait_reply(CliSession& s, const json& refs) {
  if (live_progress_wanted(s)) return wait_with_live_line(s, refs);
  return ask(s.client(), wait_request(refs));
}

int report_outcomes(CliSession& s, const protocol::TasksReply& reply, bool quiet_success) {
  std::string out;
  bool all_ok = true;
  for (const auto& t : reply.tasks) {
    bool ok = t.state == protocol::TaskState::kSucceeded;
    all_ok = all_ok && ok;
    if (s.global().json && !quiet_success) {
      out += to_ndjson(t);
    } else if (!quiet_success) {
      out += render_outcome_line(t, s.style());
    } else if (!ok) {
      std::string outcome = render_outcome_line(t, Style{});
      outcome.pop_back();  // its '\n'
      print_error("ptt-task", fmt::format("task {}; see `ptt-task logs {}`", outcome, t.id));
    }
  }
  write_stdout(out);
  return all_ok ? kExitOk : kExitFailure;
}

}  // namespace

int wait_and_report(CliSession& s, const json& refs, bool quiet_success) {
  s.client().set_patient(true);  // spawn --wait: the spawn was bounded, the wait is not
  return report_outcomes(s, wait_reply(s, refs), quiet_success);
}

int cmd_wait(CliSession& s, const std::vector<std::string>& tasks) {
  s.client().set_patient(true);  // as long as the tasks take, even a stopped daemon
  json refs = nullptr;           // every task queued or running now
  if (!tasks.empty()) {
    refs = json::array();
    for (const auto& t : tasks) refs.push_back(task_ref(t));
  }
  protocol::TasksReply reply = wait_reply(s, refs);
  // None to wait for is not an error: a script's `ptt-task wait` after spawning
  // nothing just goes on. Only a person at a terminal is told.
  if (reply.tasks.empty() && is_tty(STDOUT_FILENO) && !s.global().json)
    std::fputs("no unfinished tasks\n", stderr);
  return report_outcomes(s, reply, false);
}

int cmd_cancel(CliSession& s, const std::vector<std::string>& tasks, bool all) {
  if (all == !tasks.empty()) throw UsageError("name the tasks to cancel, or give --all (not both)");
  std::vector<protocol::CancelRequest> requests;
  if (all) {
    requests.push_back({.task = std::nullopt, .all = true});
  } else {
    for (const auto& t : tasks) requests.push_back({.task = task_ref(t), .all = false});
  }
  int status = kExitOk;
  std::vector<std::int64_t> cancelled, finished;
  std::string notes;
  for (auto& req : requests) {
    try {
      protocol::CancelReply reply = ask(s.client(), req);
      cancelled.insert(cancelled.end(), reply.cancelled.begin(), reply.cancelled.end());
      // Already over: nothing to do, which is what was wanted (exit 0), but say so.
      if (reply.task && reply.cancelled.empty()) {
        finished.push_back(reply.task->id);
        notes += fmt::format("task {} already {}; nothing to cancel\n", reply.task->id,
                             protocol::to_string(reply.task->state));
      }
    } catch (const client::RequestError& e) {
      // Cancel the others anyway; report this one and remember the worst status.
      print_error("ptt-task", e.what());
      status = e.code == protocol::error::kNotFound ? kExitNotFound : kExitFailure;
    }
  }
  if (s.global().json) {
    write_stdout(to_ndjson({{"cancelled", cancelled}, {"already_finished", finished}}));
  } else {
    std::fputs(notes.c_str(), stderr);
    std::string out;
    for (std::int64_t id : cancelled) out += fmt::format("cancelled {}\n", id);
    write_stdout(out);
  }
  return status;
}

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

}  // namespace

int cmd_watch(CliSession& s) {
  s.client().set_patient(true);
  end_when_stdout_reader_leaves();
  // The subscribe reply has the unfinished tasks whole; events then carry what changed.
  protocol::TaskView view;
  protocol::TasksReply subscribed = ask(s.client(), protocol::SubscribeRequest{});
  view.reset(subscribed.tasks);
  // A hold that began before watch did is told first, as its event would have been.
  if (subscribed.queue_hold && !s.global().json)
    write_stdout(render_queue_event(protocol::QueueHeld{*subscribed.queue_hold}, wall_now()));
  s.client().read_events([&](const json& message) {
    if (auto queue = protocol::parse_queue_event(message)) {
      write_stdout(s.global().json ? to_ndjson(protocol::queue_event_json(*queue))
                                   : render_queue_event(*queue, wall_now()));
      return true;
    }
    if (auto asked = protocol::parse_permission_event(message)) {
      write_stdout(s.global().json ? to_ndjson(protocol::permission_event_json(*asked))
                                   : render_permission_event(*asked, wall_now()));
      return true;
    }
    auto ev = protocol::parse_event(message);
    const protocol::TaskRecord* t = ev ? view.apply(*ev) : nullptr;
    if (!t) return true;
    std::string_view kind = protocol::event_name(*ev);
    if (s.global().json) {
      write_stdout(to_ndjson(watch_line(*ev, *t)));
    } else if (std::string line = render_event(kind, *t, wall_now(), s.style()); !line.empty()) {
      write_stdout(line);
    }
    if (protocol::is_finished(t->state)) view.forget(t->id);  // only a rare `worktree` event follows an end
    return true;
  });
  return kExitOk;
}

int cmd_clean(CliSession& s, const CleanArgs& a) {
  if (auto there = run_on_host(s)) return *there;  // worktrees are removed with git there
  if (a.worktrees) return clean_worktrees(s, true);
  // Merged worktrees go first: their records say where they are.
  if (!s.global().json) clean_worktrees(s, false);
  protocol::CleanRequest req;
  // define.cpp lets only an end state's name through.
  if (!a.state.empty()) req.state = protocol::parse_task_state(a.state);
  if (!a.older_than.empty()) {
    auto seconds = parse_duration(a.older_than);
    if (!seconds) throw UsageError("--older-than must be a duration like 30s, 10m, 2h or 7d");
    req.older_than_s = *seconds;
  }
  std::vector<std::int64_t> removed = ask(s.client(), req).removed;
  write_stdout(s.global().json ? to_ndjson({{"removed", removed}})
                               : fmt::format("removed {} finished task{}\n", removed.size(),
                                             removed.size() == 1 ? "" : "s"));
  return kExitOk;
}

int cmd_ping(CliSession& s) {
  protocol::HelloReply hello = hello_of(s.client());
  if (s.global().json) {
    write_stdout(to_ndjson(hello));
  } else {
    client::ConnectOptions o = s.connect_options();
    std::string where = o.host.local() ? "at " + o.socket.string() : "on host " + o.host.name;
    write_stdout(fmt::format("{} (protocol {}, pid {}) {}\n", hello.server, hello.version, hello.pid, where));
  }
  return kExitOk;
}

int cmd_queue_resume(CliSession& s) {
  protocol::QueueResumeReply reply = ask(s.client(), protocol::QueueResumeRequest{});
  if (s.global().json) {
    write_stdout(to_ndjson(reply));
  } else if (reply.released) {
    std::string held = render_queue_hold(*reply.released, wall_now());
    write_stdout("queue resumed; it was " + held.substr(held.find("held")));
  } else {
    write_stdout("the queue was not held\n");
  }
  return kExitOk;
}

int cmd_shutdown(CliSession& s) {
  ask(s.client(), protocol::ShutdownRequest{});
  write_stdout(s.global().json ? to_ndjson({{"shutdown", true}}) : "ptt-taskd is shutting down\n");
  return kExitOk;
}

}  // namespace ptt::taskcli
