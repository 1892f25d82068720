#include <cstdio>

#include <unistd.h>

#include <fmt/format.h>

#include "client/host.h"
#include "core/cli.h"
#include "core/exit_status.h"
#include "protocol/json_fields.h"
#include "taskcli/commands.h"
#include "taskcli/list_query.h"
#include "taskcli/task_changes.h"

namespace ptt::taskcli {
using nlohmann::json;

protocol::ListRequest list_request(const ListArgs& a, bool json) {
  protocol::ListRequest req;
  if (!a.state.empty()) {
    req.state = protocol::parse_task_state(a.state);
    // The table's STATE shows these two for running tasks; they are no states of their own.
    if (a.state == "waiting")
      throw UsageError(
          "'waiting' is a running task that asks a question: use --state running, or `ptt-task pending` for "
          "the questions");
    if (a.state == "cancelling")
      throw UsageError("'cancelling' is a running task being cancelled: use --state running");
    if (!req.state)
      throw UsageError(fmt::format("unknown state '{}'; use {}", a.state, protocol::task_state_choices()));
  }
  // The table needs a fraction of each record; --json prints them whole.
  req.table_view = !json;
  // A table is for reading: the newest finished tasks, unless asked for all. --json is for
  // scripts, which get every task unless they ask for fewer.
  req.finished_limit = a.last;
  if (!a.last && !a.all && req.table_view) req.finished_limit = kListTableFinished;
  return req;
}

ListReply read_list(client::Client& client, const protocol::ListRequest& req, bool json, TableRenderer* table,
                    std::string_view host) {
  // The reply can be MBs: read it raw and parse it with the fast reader.
  long id = client.send_request(req.kOp, nlohmann::json(req));
  ListReply reply;
  RecordSink to_table;
  std::size_t rows_before = table ? table->size() : 0;  // the table may hold other hosts' rows already
  if (table) to_table = [table, host](protocol::TaskRecord&& t) { table->add(t, host); };
  for (;;) {
    std::string line = client.read_reply_line();
    if (table) {
      table->truncate(rows_before);  // rows of a line that was not our reply
      table->reserve(table->size() + count_records(line));
    }
    try {
      reply = parse_list_reply(line, id, json, to_table);
    } catch (const std::exception& e) {
      throw client::UnreachableError(fmt::format("the daemon sent a list ptt-task cannot read ({}){}",
                                                 e.what(), client::kSameVersionAdvice));
    }
    if (reply.ours) break;
  }
  if (!reply.ok) throw client::RequestError(reply.error_code, reply.error_message);
  return reply;
}

void note_omitted(std::uint64_t omitted, const ListArgs& a) {
  // On stderr: what a person should know, which a script reading the table does not parse.
  if (omitted > 0 && !a.last)
    std::fputs(with_hint_command(
                   fmt::format("{} older finished task{} not shown; `ptt-task list --all` shows every task\n",
                               omitted, omitted == 1 ? "" : "s"))
                   .c_str(),
               stderr);
}

int cmd_list(CliSession& s, const ListArgs& a) {
  if (a.all_hosts) return cmd_list_all_hosts(s, a);
  bool json = s.global().json;
  protocol::ListRequest req = list_request(a, json);
  TableRenderer table(wall_now(), s.style());
  ListReply reply = read_list(s.client(), req, json, json ? nullptr : &table, {});
  if (json) {
    std::string out;
    for (const auto& t : reply.raw_tasks) (out += t) += '\n';
    write_stdout(out);
  } else {
    // On a terminal, a host's table says whose it is; a pipe gets the table alone.
    std::string title;
    if (client::Host host = s.host(); !host.local() && is_tty(STDOUT_FILENO))
      title = fmt::format("tasks on {}\n", host.name);
    // The hold above the table: what explains queued tasks that do not start.
    write_stdout(title + (reply.queue_hold ? render_queue_hold(*reply.queue_hold, wall_now()) : "") +
                 table.render());
    note_omitted(reply.finished_omitted, a);
  }
  return kExitOk;
}

int cmd_status(CliSession& s, const std::string& task) {
  protocol::TaskReply reply = ask(s.client(), protocol::GetRequest{task_ref(task)});
  // On a terminal a host's task says where it is ("task 3 on devbox: running"); a pipe's
  // lines stay as they are.
  std::string on = is_tty(STDOUT_FILENO) ? s.host().on_suffix() : "";
  std::string out =
      s.global().json ? to_ndjson(reply.task) : render_status(reply.task, wall_now(), s.style(), on);
  if (!s.global().json) {
    // As the worktree is now; once it is gone (merged, discarded), as the task left it.
    auto changes = task_change_summary(reply.task);
    if (!changes && reply.task.worktree && reply.task.worktree->changes)
      changes = protocol::change_summary(*reply.task.worktree->changes);
    if (changes) out += fmt::format("  {:<11}{}\n", "changes:", *changes);
  }
  // A queued task does not start while the queue is held: say why (--json: the record only).
  if (!s.global().json && reply.queue_hold && reply.task.state == protocol::TaskState::kQueued)
    out += render_queue_hold(*reply.queue_hold, wall_now());
  write_stdout(out);
  return kExitOk;
}

int cmd_result(CliSession& s, const std::string& task) {
  protocol::ResultReply reply = ask(s.client(), protocol::ResultRequest{task_ref(task)});
  const protocol::TaskRecord& t = reply.task;
  // None for a task that ended without a result (cancelled, failed before one, agent missing).
  std::string text = reply.text.value_or("");
  if (s.global().json) {
    write_stdout(to_ndjson(reply));
  } else if (!text.empty()) {
    write_stdout(text.back() == '\n' ? text : text + '\n');
  }
  if (t.state == protocol::TaskState::kSucceeded) return kExitOk;
  std::string why = activity_summary(t);
  print_error("ptt-task", fmt::format("task {} {}{}{}; see `ptt-task logs {}`", t.id,
                                      protocol::to_string(t.state), why.empty() ? "" : " (" + why + ")",
                                      t.result       ? ""
                                      : t.started_at ? " without a result"
                                                     : " before it started",
                                      t.id));
  return kExitFailure;
}

}  // namespace ptt::taskcli
