#include <fmt/format.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "protocol/events.h"
#include "protocol/json_fields.h"
#include "taskcli/commands.h"
#include "taskcli/format.h"
#include "taskcli/log_render.h"
#include "taskcli/progress_live.h"
#include "taskcli/reconnect.h"

namespace ptt::taskcli {
using nlohmann::json;

namespace {

// Where a followed log has got to, so that after a lost connection it goes on with the
// next line (docs/taskd.md, Reconnecting): the last line's next_offset.
protocol::LogsRequest log_request(const json& task, bool follow, std::uint64_t offset) {
  return {.task = task, .stream = protocol::LogStream::kStdout, .follow = follow, .from_offset = offset};
}

// A message as its typed event; a `log` event that cannot be read (a field missing or
// mistyped, `next_offset` among them) is an unreadable reply, not a line skipped in silence.
std::optional<protocol::Event> read_event(const json& message) {
  auto ev = protocol::parse_event(message);
  if (!ev && message.is_object() && protocol::field_or(message, "event", "") == protocol::event::kLog) {
    try {
      (void)message.get<protocol::LogLine>();
    } catch (const json::exception& e) {
      unreadable_reply(e);
    }
  }
  return ev;
}

}  // namespace

int cmd_logs(CliSession& s, const std::string& task, bool follow, bool raw) {
  raw = raw || s.global().json;
  if (follow) {
    s.client().set_patient(true);  // as long as the task takes, even a stopped daemon
    end_when_stdout_reader_leaves();
  }
  // On a terminal, -f keeps a live line (spinner, elapsed, activity) under the log.
  std::unique_ptr<LiveLine> live;
  if (follow && !raw && live_progress_wanted(s)) live = std::make_unique<LiveLine>(s.style());
  NoticeFn notice;
  if (live) notice = [&live](const std::string& line) { live->print_notice(line); };
  auto emit = [&](const std::string& text) { live ? live->print_above(text) : write_stdout(text); };
  auto on_event = [&](const json& ev) {
    if (live) live->update([&](ProgressState& p) { p.apply_event(ev); });
  };
  json ref = task_ref(task);
  std::uint64_t offset = 0;  // where the next request starts
  std::uint64_t shown = 0;   // lines of the log so far: none, and a raw log says so
  std::int64_t id = 0;
  std::string path;
  auto follow_log = [&] {
    if (live) {
      ask(s.client(), protocol::SubscribeRequest{});
      s.client().set_notice(notice);
    }
    protocol::LogsReply reply =
        ask(s.client(), log_request(ref, follow, offset), [&](const json& ev) { return on_event(ev), true; });
    if (live) live->update([&](ProgressState& p) { p.apply_record(reply.task, true); });
    // After a reconnect, the same task even if a newer one has taken its name.
    id = reply.task.id;
    ref = id;
    path = reply.path;
    s.client().read_events([&](const json& message) {
      auto ev = read_event(message);
      if (!ev) return true;
      bool ours = protocol::task_of(*ev) == id;
      if (std::holds_alternative<protocol::LogEnd>(*ev)) return !ours;
      const auto* log = std::get_if<protocol::LogLine>(&*ev);
      if (!log) on_event(message);
      if (!log || !ours) return true;
      offset = log->next_offset;
      ++shown;
      if (!log->line) {
        // The daemon does not relay huge lines; say where the whole line is.
        std::string note = fmt::format("a line of {} bytes is not shown; the raw log {} has it",
                                       log->omitted_bytes.value_or(0), path);
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
  };
  protocol::TaskReply now;
  auto closing_record = [&] { now = ask(s.client(), protocol::GetRequest{id}); };
  if (follow) {
    run_reconnecting(s, follow_log, notice);
  } else {
    follow_log();
  }
  if (live) {
    s.client().set_notice({});
    live->finish();
  }
  bool empty_raw = raw && shown == 0;
  if (!raw || empty_raw) {
    // The log may be empty (the agent never wrote a line) or stop anywhere: say
    // how the task ended, from its record as it is now.
    if (follow) {
      run_reconnecting(s, closing_record);
    } else {
      closing_record();
    }
  }
  if (empty_raw) {
    // Raw lines only on stdout, but an empty log must not look like a command that did nothing.
    const protocol::TaskRecord& t = now.task;
    std::string how =
        protocol::is_finished(t.state)
            ? fmt::format("task {} {} without writing a line", t.id, protocol::to_string(t.state))
            : fmt::format("task {} is {}; follow it with `ptt-task logs -f --raw {}`", t.id,
                          protocol::to_string(t.state), t.id);
    print_warning("ptt-task", "the log is empty: " + how);
  } else if (!raw) {
    write_stdout(render_log_closing(now.task, s.style()) + '\n');
  }
  return kExitOk;
}

}  // namespace ptt::taskcli
