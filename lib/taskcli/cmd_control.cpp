#include <fmt/format.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "core/version.h"
#include "protocol/json_fields.h"
#include "protocol/protocol.h"
#include "taskcli/commands.h"
#include "taskcli/progress_live.h"

namespace ptt::taskcli {
using nlohmann::json;

int wait_and_report(Session& s, const json& refs, bool quiet_success) {
  json reply =
      live_progress_wanted(s) ? wait_with_live_line(s, refs) : s.client().request("wait", {{"tasks", refs}});
  std::string out;
  bool all_ok = true;
  for (const auto& t : records_from(protocol::field_or(reply, "tasks", json::array()))) {
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

int cmd_wait(Session& s, const std::vector<std::string>& tasks) {
  json refs = json::array();
  for (const auto& t : tasks) refs.push_back(task_ref(t));
  return wait_and_report(s, refs, false);
}

int cmd_cancel(Session& s, const std::vector<std::string>& tasks, bool all) {
  if (all == !tasks.empty()) throw UsageError("name the tasks to cancel, or give --all (not both)");
  std::vector<json> requests;
  if (all) {
    requests.push_back({{"all", true}});
  } else {
    for (const auto& t : tasks) requests.push_back({{"task", task_ref(t)}});
  }
  int status = kExitOk;
  json cancelled = json::array();
  for (auto& req : requests) {
    try {
      json reply = s.client().request("cancel", req);
      for (const auto& id : protocol::field_or(reply, "cancelled", json::array())) cancelled.push_back(id);
    } catch (const client::RequestError& e) {
      // Cancel the others anyway; report this one and remember the worst status.
      print_error("ptt-task", e.what());
      status = e.code == protocol::error::kNotFound ? kExitNotFound : kExitFailure;
    }
  }
  if (s.global().json) {
    write_stdout(to_ndjson({{"cancelled", cancelled}}));
  } else {
    std::string out;
    for (const auto& id : cancelled) out += fmt::format("cancelled {}\n", id.dump());
    write_stdout(out);
  }
  return status;
}

int cmd_watch(Session& s) {
  s.client().request("subscribe");
  s.client().read_events([&](const json& ev) {
    if (s.global().json) {
      write_stdout(to_ndjson(ev));
    } else if (std::string line = render_event(ev, wall_now(), s.style()); !line.empty()) {
      write_stdout(line);
    }
    return true;
  });
  return kExitOk;
}

int cmd_clean(Session& s) {
  json reply = s.client().request("clean");
  json removed = protocol::field_or(reply, "removed", json::array());
  if (!removed.is_array()) removed = json::array();
  write_stdout(s.global().json ? to_ndjson({{"removed", removed}})
                               : fmt::format("removed {} finished task{}\n", removed.size(),
                                             removed.size() == 1 ? "" : "s"));
  return kExitOk;
}

int cmd_ping(Session& s) {
  const json& hello = s.client().hello_reply();
  if (s.global().json) {
    write_stdout(to_ndjson(payload_of(hello)));
  } else {
    write_stdout(fmt::format("{} (protocol {}, pid {}) at {}\n",
                             protocol::field_or(hello, "server", "ptt-taskd"),
                             protocol::field_or(hello, "version", 0), protocol::field_or(hello, "pid", 0),
                             s.connect_options().socket.string()));
  }
  return kExitOk;
}

int cmd_shutdown(Session& s) {
  s.client().request("shutdown");
  write_stdout(s.global().json ? to_ndjson({{"shutdown", true}}) : "ptt-taskd is shutting down\n");
  return kExitOk;
}

}  // namespace ptt::taskcli
