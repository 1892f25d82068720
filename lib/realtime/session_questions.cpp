// The voice session's side of tasks that ask: a task's permission question is
// announced like a finished task, and answer_permission is sent to the daemon only
// under the consent rule (permission_questions.h): in a response to a user turn
// that came after the question was announced. The model may not approve on its own.
#include <algorithm>

#include <fmt/format.h>

#include "core/ndjson.h"
#include "protocol/replies.h"
#include "realtime/session.h"

namespace ptt::realtime {
using nlohmann::json;

namespace {

json refusal(const std::string& message) { return {{"ok", false}, {"error", message}}; }

std::string question_announcement(const VoiceQuestion& question, std::size_t max_chars) {
  return fmt::format(
      "[task question] {} Ask the user whether to allow it, in a few words. Call answer_permission only "
      "with the user's answer.",
      question_sentence(question, max_chars));
}

json question_line(const VoiceQuestion& q) {
  json task = {{"id", q.task}};
  if (q.task_name) task["name"] = *q.task_name;
  if (!q.host.empty()) task["host"] = q.host;
  return {{"type", "task"},
          {"event", "permission_requested"},
          {"task", task},
          {"question", {{"request", q.request}, {"tool", q.tool}, {"summary", q.summary}}}};
}

}  // namespace

void RealtimeSession::queue_question(const VoiceQuestion& question) {
  bool queued = std::any_of(announcements_.begin(), announcements_.end(), [&](const Announcement& a) {
    return a.task == question.task && a.request == question.request && a.host == question.host;
  });
  if (!queued)
    announcements_.push_back({question_announcement(question, config_.max_announcement_chars), question.task,
                              question.request, question.host});
  pump();
}

void RealtimeSession::withdraw_question(std::int64_t task, const std::string& request,
                                        const std::string& host) {
  questions_.remove(task, request, host);
  std::erase_if(announcements_, [&](const Announcement& a) {
    return a.task == task && a.request == request && a.host == host;
  });
}

void RealtimeSession::reannounce_questions() {
  consent_clock_.new_conversation();
  for (const VoiceQuestion& q : questions_.forget_announcements()) queue_question(q);
}

SessionActions RealtimeSession::on_permission_requested(const VoiceQuestion& question) {
  print(question_line(question));
  if (questions_.add(question)) queue_question(question);
  return take();
}

SessionActions RealtimeSession::on_permission_answered(std::int64_t task, const std::string& request,
                                                       bool allow, const std::string& by,
                                                       const std::string& host) {
  json who = {{"id", task}};
  if (!host.empty()) who["host"] = host;
  print({{"type", "task"},
         {"event", "permission_answered"},
         {"task", who},
         {"request", request},
         {"allow", allow},
         {"by", by}});
  withdraw_question(task, request, host);
  return take();
}

SessionActions RealtimeSession::on_permission_event(const protocol::PermissionEvent& event,
                                                    const std::string& host) {
  if (const auto* asked = std::get_if<protocol::PermissionRequested>(&event))
    return on_permission_requested(question_of(asked->question, host));
  const auto& answered = std::get<protocol::PermissionAnswered>(event);
  return on_permission_answered(answered.task, answered.request, answered.allow, answered.by, host);
}

void RealtimeSession::on_pending_reply(const json& reply, const std::string& host) {
  auto open = questions_of_pending_reply(reply);
  if (!open) {
    log("the task daemon's list of open questions could not be read; questions asked before now may not be "
        "announced");
    return;
  }
  // Those answered while the session was not listening are no longer announced.
  std::vector<std::string> dropped;
  for (const VoiceQuestion& q : questions_.reset(*open, dropped, host)) {
    print(question_line(q));
    queue_question(q);
  }
  std::erase_if(announcements_, [&](const Announcement& a) {
    return !a.request.empty() && !questions_.known(a.task, a.request, a.host);
  });
}

ToolRequest RealtimeSession::answer_permission_request(const std::string& arguments,
                                                       const std::string& host) const {
  json args = parse_json_or_discarded(arguments.empty() ? "{}" : arguments);
  if (args.is_discarded() || !args.is_object())
    return {nullptr, refusal("the arguments were not a JSON object").dump()};
  auto allow = args.find("allow");
  if (!args.contains("task") || allow == args.end() || !allow->is_boolean())
    return {nullptr, refusal("answer_permission needs a task and allow (true or false)").dump()};
  PermissionQuestions::Consent consent = questions_.consent(args["task"], response_user_turn_, host);
  if (!consent.question) return {nullptr, refusal(consent.refusal).dump()};
  auto reason = args.find("reason");
  std::string why = reason != args.end() && reason->is_string() ? reason->get<std::string>() : std::string();
  return {answer_request(*consent.question, allow->get<bool>(), why), {}};
}

}  // namespace ptt::realtime
