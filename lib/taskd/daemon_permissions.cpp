// Approvals (docs/taskd.md, "Approvals"): the agents' questions read from their streams,
// the answers written to their input, timeouts, and questions closed when a task ends.
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "core/ndjson.h"
#include "taskd/daemon_state.h"
#include "taskd/permission_relay.h"

namespace ptt::taskd {
namespace fs = std::filesystem;
namespace err = protocol::error;
namespace by = protocol::answered_by;

namespace {
std::string minutes_text(double s) {
  if (s < 120) return fmt::format("{:g} s", s);
  return fmt::format("{:g} min", std::round(s / 6) / 10);
}
}  // namespace

PermissionLog& Daemon::permission_log(TaskId id) {
  auto it = permission_logs_.find(id);
  if (it == permission_logs_.end())
    it = permission_logs_.emplace(id, read_permission_log(store_.log_dir(id))).first;
  return it->second;
}

void Daemon::write_agent_input(TaskId id, const std::string& line) {
  auto input = inputs_.find(id);
  if (input == inputs_.end()) {
    daemon_log(
        fmt::format("task {}: cannot answer its agent: its supervisor.ndjson names no input", id));
    return;
  }
  if (!input->second->open(fs::absolute(store_.log_dir(id)) / kInputFifoFile)) {
    daemon_log(fmt::format("task {}: cannot answer its agent: its input takes nothing now: {}", id,
                           std::strerror(errno)));
    return;
  }
  input->second->write(line);
}

bool Daemon::relay_permission_line(TaskId id, const nlohmann::json& value, const protocol::TaskRecord& t) {
  if (auto withdrawn = withdrawn_request(value)) {
    if (auto q = questions_.take(id, *withdrawn)) close_question(*q, false, std::nullopt, by::kClosed);
    return true;
  }
  auto asked = question_of(value, id, now(), t.cwd);
  if (!asked) return false;
  protocol::PermissionQuestion& q = asked->question;
  PermissionLog& log = permission_log(id);
  if (auto answer = log.answers.find(q.request); answer != log.answers.end()) {
    // Answered before a restart; the answer may not have reached the agent: again (the
    // CLI ignores an answer to a request it no longer waits on).
    if (!questions_.is_settled(id, q.request)) {
      questions_.settled(id, q.request);
      write_agent_input(id, answer->second);
      // The record read back may still say it waits (written before the answer).
      if (!questions_.has(id) && t.waiting) {
        TableActions actions;
        table_.set_waiting(id, std::nullopt, actions);
        apply(std::move(actions));
      }
    }
    return true;
  }
  if (questions_.is_settled(id, q.request) || protocol::is_finished(t.state)) return true;
  if (auto at = log.asked.find(q.request); at != log.asked.end()) {
    q.requested_at = at->second;  // read again after a restart: asked since then
  } else {
    if (!log_question_asked(store_.log_dir(id), q.request, q.requested_at))
      daemon_log(fmt::format("task {}: cannot record its question in {}: {}", id, kPermissionLogFile,
                             std::strerror(errno)));
    log.asked.emplace(q.request, q.requested_at);
  }
  always_rules_[{id, q.request}] = asked->always_rules;
  questions_.ask(q);
  daemon_log(fmt::format(
      "task {}: its agent asks to use {}: {}; answer with `ptt-task allow {}` or `ptt-task deny {}`", id,
      q.tool, q.summary, id, id));
  send_permission_event(protocol::PermissionRequested{q});
  // Waiting for a person is no stall.
  if (auto w = watches_.find(id); w != watches_.end()) w->second->watch_for_stall(0);
  TableActions actions;
  table_.set_waiting(id, std::string(protocol::kWaitingPermission), actions);
  apply(std::move(actions));
  arm_approval_timer();
  return true;
}

std::string Daemon::answer_question(TaskId task, const protocol::AnswerPermissionRequest& answer) {
  auto q = questions_.take(task, answer.request);
  if (!q) {
    if (answer.request) {
      throw protocol::RequestRejected{
          err::kNoQuestion,
          fmt::format("task {} has no open question {}; see `ptt-task pending` for the open ones", task,
                      nlohmann::json(*answer.request).dump())};
    }
    throw protocol::RequestRejected{
        err::kNoQuestion,
        fmt::format("task {} has no open question; see `ptt-task pending` for the tasks that ask", task)};
  }
  std::string request = q->request;
  close_question(std::move(*q), answer.allow, answer.reason, answer.by, answer.allow && answer.always);
  return request;
}

void Daemon::close_question(protocol::PermissionQuestion q, bool allow, std::optional<std::string> reason,
                            std::string_view who, bool always) {
  TaskId id = q.task;
  auto rules_it = always_rules_.find({id, q.request});
  std::vector<std::string> rules;
  if (rules_it != always_rules_.end()) {
    if (always) rules = std::move(rules_it->second);
    always_rules_.erase(rules_it);
  }
  if (who != by::kClosed) {
    std::string message =
        reason.value_or(allow ? "" : fmt::format("The user denied this tool call ({}).", who));
    std::string line = permission_response_line(q.request, allow, q.input, message, rules);
    // Recorded before it is written: a restarted daemon sends it again rather than ask again.
    if (!log_question_answered(store_.log_dir(id), q.request, line, rules))
      daemon_log(fmt::format("task {}: cannot record the answer in {}: {}", id, kPermissionLogFile,
                             std::strerror(errno)));
    PermissionLog& log = permission_log(id);
    log.answers[q.request] = line;
    log.always_rules.insert(log.always_rules.end(), rules.begin(), rules.end());
    write_agent_input(id, line);
  }
  daemon_log(fmt::format("task {}: {} {}: {} ({}{})", id, allow ? "allowed" : "denied", q.tool, q.summary,
                         who, rules.empty() ? "" : fmt::format(", always: {}", fmt::join(rules, ", "))));
  send_permission_event(protocol::PermissionAnswered{
      .task = id, .request = q.request, .allow = allow, .reason = reason, .by = std::string(who)});
  if (!questions_.has(id)) {
    TableActions actions;
    table_.set_waiting(id, std::nullopt, actions);
    apply(std::move(actions));
    const protocol::TaskRecord* t = table_.live(id);
    if (auto w = watches_.find(id); w != watches_.end() && t) {
      double stall_s = t->options.stall_timeout_s ? *t->options.stall_timeout_s : config_.stall_timeout_s;
      w->second->watch_for_stall(static_cast<std::uint64_t>(stall_s * 1000));
    }
  }
  arm_approval_timer();
}

void Daemon::close_questions_of(TaskId id) {
  for (auto& q : questions_.take_all(id)) close_question(std::move(q), false, std::nullopt, by::kClosed);
  TableActions actions;
  table_.set_waiting(id, std::nullopt, actions);
  apply(std::move(actions));
  questions_.forget(id);
  permission_logs_.erase(id);
}

void Daemon::arm_approval_timer() {
  uv_timer_stop(&approval_timer_);
  auto oldest = questions_.oldest();
  if (!oldest || config_.approval_timeout_s <= 0 || shutting_down_) return;
  double ms = std::ceil((*oldest + config_.approval_timeout_s - now()) * 1000);
  uv_timer_start(
      &approval_timer_,
      [](uv_timer_t* h) {
        auto* self = static_cast<Daemon*>(h->data);
        double timeout = self->config_.approval_timeout_s;
        for (const auto& q : self->questions_.asked_by(now() - timeout)) {
          if (auto taken = self->questions_.take(q.task, q.request)) {
            self->close_question(
                std::move(*taken), false,
                fmt::format(
                    "Nobody answered within {} (ptt-taskd --approval-timeout), so the call was denied.",
                    minutes_text(timeout)),
                by::kTimeout);
          }
        }
        self->arm_approval_timer();
      },
      ms > 0 ? static_cast<std::uint64_t>(ms) : 0, 0);
}

void Daemon::send_permission_event(const protocol::PermissionEvent& event) {
  std::string line = to_ndjson(protocol::permission_event_json(event));
  for (auto& [cid, c] : connections_) {
    if (c->subscribed) c->send_line(line);
  }
}

}  // namespace ptt::taskd
