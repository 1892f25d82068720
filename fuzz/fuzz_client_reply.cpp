// Daemon replies as ptt-task reads them: each input line goes through the client's
// own code, the line parser DaemonConnection::read uses (parse_daemon_line), the
// client session (hello check, ids, events), the ok/error split of Client::request
// (ok_reply_or_throw), then every reader ptt-task applies to a reply or event: task
// records, the list reply's SAX reader (table and --json), and what each subcommand
// renders. The first line answers the hello, the others the request with id 2.
// ptt-task turns UnreachableError, RequestError and json::exception into an error
// with exit 3 (execute.cpp); anything else thrown, or a crash, is a finding.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "client/client.h"
#include "protocol/events.h"
#include "protocol/json_fields.h"
#include "protocol/replies.h"
#include "protocol/task_view.h"
#include "taskcli/fast_list.h"
#include "taskcli/format.h"
#include "taskcli/log_render.h"
#include "taskcli/progress.h"
#include "taskcli/session.h"

namespace {

using nlohmann::json;
using namespace ptt;
using Kind = client::ClientSession::Incoming::Kind;

constexpr double kNow = 1764000000.0;

// The reply as each typed reply ptt-task reads (protocol/replies.h), as its commands do.
template <typename Reply>
void read_typed(const json& reply, const std::function<void(const Reply&)>& use) {
  try {
    Reply typed = taskcli::reply_from<Reply>(reply);
    use(typed);
    (void)to_ndjson(typed);                    // --json
  } catch (const client::UnreachableError&) {  // ptt-task: exit 3
  }
}

void read_reply(protocol::TaskView& view, const json& msg) {
  json reply = client::ok_reply_or_throw(msg);
  taskcli::Style style;
  view.reset(protocol::readable_tasks(reply).tasks);  // top and realtime's subscribe reply
  auto show_task = [&](const protocol::TaskRecord& t) {
    (void)taskcli::render_status(t, kNow, style);
    (void)taskcli::render_outcome_line(t, style);
    (void)taskcli::render_log_closing(t, style);
    taskcli::ProgressState progress;
    progress.apply_record(t, true);
    (void)taskcli::render_progress_line(progress, 0, kNow, style);
  };
  read_typed<protocol::TaskReply>(reply, [&](const auto& r) { show_task(r.task); });
  read_typed<protocol::ResultReply>(reply, [&](const auto& r) { show_task(r.task); });
  read_typed<protocol::LogsReply>(reply, [&](const auto& r) { show_task(r.task); });
  read_typed<protocol::CancelReply>(reply, [&](const auto& r) {
    if (r.task) show_task(*r.task);
  });
  read_typed<protocol::TasksReply>(reply, [&](const auto& r) {
    (void)taskcli::render_table(r.tasks, kNow, style);
    for (const auto& t : r.tasks) (void)taskcli::render_outcome_line(t, style);
  });
  read_typed<protocol::CleanReply>(reply, [](const auto&) {});
  read_typed<protocol::HelloReply>(reply, [](const auto&) {});
  taskcli::ProgressState progress;
  progress.apply_record(protocol::field_or(reply, "task", json()), true);  // as an event's task
}

void read_event(protocol::TaskView& view, const json& event) {
  taskcli::Style style;
  // As `watch` reads it: the typed event, applied to the view, rendered.
  if (auto ev = protocol::parse_event(event)) {
    if (const protocol::TaskRecord* t = view.apply(*ev))
      (void)taskcli::render_event(protocol::event_name(*ev), *t, kNow, style);
  }
  (void)taskcli::render_stream_line(protocol::field_or(event, "line", ""), style);
  taskcli::ProgressState progress;
  progress.apply_record(protocol::field_or(event, "task", json()), true);
  progress.apply_event(event);
  (void)to_ndjson(event);
}

void read_line(client::ClientSession& session, protocol::TaskView& view, std::string_view line) {
  try {
    for (bool want_raw : {false, true}) {
      auto list = taskcli::parse_list_reply(line, 2, want_raw, {});
      if (list.ours && list.ok) (void)taskcli::render_table(list.tasks, kNow, taskcli::Style{});
    }
  } catch (const std::runtime_error&) {  // cmd_list reports it as an UnreachableError
  } catch (const json::exception&) {
  }
  try {
    json msg = client::parse_daemon_line(line);
    client::ClientSession::Incoming in = session.on_message(msg);
    if (in.kind == Kind::kHelloRefused && in.problem.empty()) __builtin_trap();  // must say why
    if (in.kind == Kind::kReply || in.kind == Kind::kConnectionError) read_reply(view, msg);
    if (in.kind == Kind::kEvent) read_event(view, msg);
  } catch (const client::UnreachableError&) {
  } catch (const client::RequestError&) {
  } catch (const json::exception&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(bytes), size);
  client::ClientSession session("ptt-task");
  protocol::TaskView view;
  json hello = session.start();  // id 1
  json request = json::object();
  session.stamp(request);  // id 2
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    read_line(session, view, rest.substr(0, nl));
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
  return 0;
}
