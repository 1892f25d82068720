// pending, allow, deny: the open questions of the tasks' agents, and their answers
// (docs/taskd.md, "Approvals").
#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "core/ndjson.h"
#include "protocol/requests.h"
#include "taskcli/commands.h"
#include "taskcli/format.h"
#include "taskcli/text.h"

namespace ptt::taskcli {

int cmd_pending(CliSession& s) {
  protocol::PendingReply reply = ask(s.client(), protocol::PendingRequest{});
  if (s.global().json) {
    write_stdout(to_ndjson(reply));
    return kExitOk;
  }
  // What a person should know goes to stderr (as list's notes do): stdout is the table
  // alone, for a script that reads it (`ptt-task pending | awk ...`).
  if (reply.questions.empty()) {
    std::fputs("no task waits for an answer\n", stderr);
    return kExitOk;
  }
  double now = wall_now();
  std::size_t w_task = 4, w_tool = 4, w_age = 6;
  for (const auto& q : reply.questions) {
    w_task = std::max(w_task, std::to_string(q.task).size());
    w_tool = std::max(w_tool, display_width(q.tool));
    w_age = std::max(w_age, format_age(now - q.requested_at).size());
  }
  std::string out = fmt::format("{:<{}}  {:<{}}  {:<{}}  {}\n", "TASK", w_task, "TOOL", w_tool, "WAITED",
                                w_age, "WHAT (REQUEST)");
  for (const auto& q : reply.questions) {
    out += fmt::format("{:<{}}  {}  {:<{}}  {} ({})\n", q.task, w_task, pad_right(one_line(q.tool), w_tool),
                       format_age(now - q.requested_at), w_age, truncate_to_width(one_line(q.summary), 100),
                       q.request);
  }
  write_stdout(out);
  std::fputs(with_hint_command("answer with `ptt-task allow ID [--always]` or `ptt-task deny ID [REASON]`\n")
                 .c_str(),
             stderr);
  return kExitOk;
}

int cmd_answer(CliSession& s, const AnswerArgs& a, bool allow) {
  protocol::AnswerPermissionRequest req;
  req.task = task_ref(a.task);
  req.allow = allow;
  req.always = allow && a.always;
  if (!a.request.empty()) req.request = a.request;
  if (!allow && !a.reason.empty()) req.reason = fmt::format("{}", fmt::join(a.reason, " "));
  protocol::AnswerPermissionReply reply = ask(s.client(), req);
  if (s.global().json) {
    write_stdout(to_ndjson(reply));
  } else {
    write_stdout(fmt::format("task {}: {} ({})\n", a.task,
                             allow ? (req.always ? "allowed, always" : "allowed") : "denied", reply.request));
  }
  return kExitOk;
}

}  // namespace ptt::taskcli
