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
#include "taskcli/reconnect.h"

namespace ptt::taskcli {
using nlohmann::json;

namespace {

// The tasks a `wait` without names waits for: those unfinished now, by id, so that after
// a lost connection it waits for the same ones (not those spawned since).
json unfinished_now(client::Client& c) {
  protocol::TasksReply r =
      ask(c, protocol::ListRequest{.state = {}, .table_view = true, .finished_limit = 0});
  json ids = json::array();
  for (const auto& t : r.tasks)
    if (!protocol::is_finished(t.state)) ids.push_back(t.id);
  return ids;
}

// `refs` null: every task unfinished now. A lost connection is regained and the same
// wait asked again: its reply (all the outcomes) comes once, whenever the tasks end.
protocol::TasksReply wait_reply(CliSession& s, const json& refs) {
  json targets = refs;
  protocol::TasksReply reply;
  bool live = live_progress_wanted(s);
  run_reconnecting(s, [&] {
    if (targets.is_null()) targets = unfinished_now(s.client());
    if (targets.empty()) return;  // none to wait for (a wait for no tasks is refused)
    reply = live ? wait_with_live_line(s, targets) : ask(s.client(), wait_request(targets));
  });
  return reply;
}

int report_outcomes(CliSession& s, const protocol::TasksReply& reply, bool quiet_success) {
  std::string out;
  bool all_ok = true;
  std::string fix;
  for (const auto& t : reply.tasks) {
    bool ok = t.state == protocol::TaskState::kSucceeded;
    all_ok = all_ok && ok;
    if (fix.empty()) fix = agent_missing_fix(t);
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
  // Said once however many tasks failed so: the daemon cannot start any agent.
  if (!fix.empty()) print_error("ptt-task", "ptt-taskd cannot run its agent: " + fix);
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
  // On the host, whole: there a daemon that is not running is known as such (through
  // dial-stdio it would be an unreachable host, with advice to start one).
  if (auto there = run_on_host(s)) return *there;
  std::string on = s.shown_host().empty() ? "" : " on " + s.shown_host();
  try {
    ask(s.client(), protocol::ShutdownRequest{});
  } catch (const client::NotRunningError&) {
    // What was asked for is so already: not an error.
    write_stdout(s.global().json
                     ? to_ndjson({{"shutdown", false}})
                     : fmt::format("ptt-taskd{} is not running (nothing answers at {}); nothing to "
                                   "shut down\n",
                                   on, s.connect_options().socket.string()));
    return kExitOk;
  }
  write_stdout(s.global().json ? to_ndjson({{"shutdown", true}})
                               : fmt::format("ptt-taskd{} is shutting down\n", on));
  return kExitOk;
}

}  // namespace ptt::taskcli
