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
#include <string_view>

#include "client/client.h"
#include "protocol/events.h"
#include "protocol/json_fields.h"
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

void read_reply(protocol::TaskView& view, const json& msg) {
  json reply = client::ok_reply_or_throw(msg);
  view.reset(protocol::field_or(reply, "tasks", json::array()));  // a subscribe reply
  taskcli::Style style;
  json task = protocol::field_or(reply, "task", json());
  if (task.is_object()) {
    protocol::TaskRecord t = taskcli::record_from(task);
    (void)taskcli::render_status(t, kNow, style);
    (void)taskcli::render_outcome_line(t, style);
    (void)taskcli::render_log_closing(t, style);
  }
  auto records = taskcli::records_from(protocol::field_or(reply, "tasks", json::array()));
  (void)taskcli::render_table(records, kNow, style);
  (void)to_ndjson(taskcli::payload_of(reply));
  taskcli::ProgressState progress;
  progress.apply_record(task, true);
  (void)taskcli::render_progress_line(progress, 0, kNow, style);
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
