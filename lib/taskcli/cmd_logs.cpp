#include <fmt/format.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "protocol/events.h"
#include "protocol/json_fields.h"
#include "taskcli/commands.h"
#include "taskcli/format.h"
#include "taskcli/log_render.h"
#include "taskcli/progress_live.h"

namespace ptt::taskcli {
using nlohmann::json;

int cmd_logs(CliSession& s, const std::string& task, bool follow, bool raw) {
  raw = raw || s.global().json;
  if (follow) {
    s.client().set_patient(true);  // as long as the task takes, even a stopped daemon
    end_when_stdout_reader_leaves();
  }
  // On a terminal, -f keeps a live line (spinner, elapsed, activity) under the log.
  std::unique_ptr<LiveLine> live;
  if (follow && !raw && live_progress_wanted(s)) {
    ask(s.client(), protocol::SubscribeRequest{});
    live = std::make_unique<LiveLine>(s.style());
    s.client().set_notice([&live](const std::string& line) { live->print_notice(line); });
  }
  auto emit = [&](const std::string& text) { live ? live->print_above(text) : write_stdout(text); };
  auto on_event = [&](const json& ev) {
    if (live) live->update([&](ProgressState& p) { p.apply_event(ev); });
  };
  protocol::LogsReply reply = ask(s.client(), protocol::LogsRequest{.task = task_ref(task), .follow = follow},
                                  [&](const json& ev) { return on_event(ev), true; });
  if (live) live->update([&](ProgressState& p) { p.apply_record(reply.task, true); });
  std::int64_t id = reply.task.id;
  s.client().read_events([&](const json& message) {
    auto ev = protocol::parse_event(message);
    if (!ev) return true;
    bool ours = protocol::task_of(*ev) == id;
    if (std::holds_alternative<protocol::LogEnd>(*ev)) return !ours;
    const auto* log = std::get_if<protocol::LogLine>(&*ev);
    if (!log) on_event(message);
    if (!log || !ours) return true;
    if (!log->line) {
      // The daemon does not relay huge lines; say where the whole line is.
      std::string note = fmt::format("a line of {} bytes is not shown; the raw log {} has it",
                                     log->omitted_bytes.value_or(0), reply.path);
      if (raw) {
        print_warning("ptt-task", note);
      } else {
        emit(fmt::format("[{}]\n", note));
      }
      return true;
    }
    if (raw) {
      write_stdout(*log->line + '\n');
    } else {
      std::string out;
      for (const auto& l : render_stream_line(*log->line, s.style())) out += l + '\n';
      if (!out.empty()) emit(out);
    }
    return true;
  });
  if (live) {
    s.client().set_notice({});
    live->finish();
  }
  if (!raw) {
    // The log may be empty (the agent never wrote a line) or stop anywhere: say
    // how the task ended, from its record as it is now.
    protocol::TaskReply now = ask(s.client(), protocol::GetRequest{id});
    write_stdout(render_log_closing(now.task, s.style()) + '\n');
  }
  return kExitOk;
}

}  // namespace ptt::taskcli
