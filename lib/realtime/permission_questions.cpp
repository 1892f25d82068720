#include "realtime/permission_questions.h"

#include <algorithm>

#include <fmt/format.h>

#include "core/json_integer.h"
#include "protocol/requests.h"
#include "realtime/consent_clock.h"
#include "realtime/task_hosts.h"

namespace ptt::realtime {
using nlohmann::json;

namespace {

// The task a reference names: an integer, a numeric string (ids in the protocol) or a name.
bool names_task(const json& ref, const VoiceQuestion& q) {
  if (auto id = integer_if<std::int64_t>(ref)) return *id == q.task;
  if (!ref.is_string()) return false;
  const std::string& text = ref.get_ref<const std::string&>();
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return text == std::to_string(q.task);
  return q.task_name && *q.task_name == text;
}

bool is(const VoiceQuestion& q, std::int64_t task, const std::string& request, const std::string& host) {
  return q.task == task && q.request == request && q.host == host;
}

std::string label(const json& ref) {
  if (ref.is_string()) return "task " + ref.get<std::string>();
  if (auto id = integer_if<std::int64_t>(ref)) return fmt::format("task {}", *id);
  return "that task";
}

}  // namespace

bool PermissionQuestions::known(std::int64_t task, const std::string& request,
                                const std::string& host) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const Entry& e) { return is(e.question, task, request, host); });
}

bool PermissionQuestions::add(VoiceQuestion question) {
  if (known(question.task, question.request, question.host)) return false;
  entries_.push_back({std::move(question), 0});
  return true;
}

bool PermissionQuestions::remove(std::int64_t task, const std::string& request, const std::string& host) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const Entry& e) { return is(e.question, task, request, host); });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

std::vector<std::string> PermissionQuestions::remove_task(std::int64_t task, const std::string& host) {
  std::vector<std::string> dropped;
  std::erase_if(entries_, [&](const Entry& e) {
    if (e.question.task != task || e.question.host != host) return false;
    dropped.push_back(e.question.request);
    return true;
  });
  return dropped;
}

std::vector<VoiceQuestion> PermissionQuestions::reset(std::vector<VoiceQuestion> open,
                                                      std::vector<std::string>& dropped,
                                                      const std::string& host) {
  for (auto& q : open) q.host = host;
  std::erase_if(entries_, [&](const Entry& e) {
    if (e.question.host != host) return false;  // another daemon's: its own `pending` says
    bool still_open = std::any_of(open.begin(), open.end(), [&](const VoiceQuestion& q) {
      return is(e.question, q.task, q.request, host);
    });
    if (!still_open) dropped.push_back(e.question.request);
    return !still_open;
  });
  std::vector<VoiceQuestion> added;
  for (auto& q : open)
    if (add(q)) added.push_back(std::move(q));
  return added;
}

void PermissionQuestions::announced(std::int64_t task, const std::string& request, std::uint64_t moment,
                                    const std::string& host) {
  for (Entry& e : entries_)
    if (is(e.question, task, request, host)) e.announced_at = moment;
}

std::vector<VoiceQuestion> PermissionQuestions::forget_announcements() {
  std::vector<VoiceQuestion> open;
  for (Entry& e : entries_) {
    e.announced_at = 0;
    open.push_back(e.question);
  }
  return open;
}

PermissionQuestions::Consent PermissionQuestions::consent(const json& task_ref, std::uint64_t response_turn,
                                                          const std::string& host) const {
  bool any = false, heard = false;
  for (const Entry& e : entries_) {
    if (e.question.host != host || !names_task(task_ref, e.question)) continue;
    any = true;
    if (e.announced_at == 0) continue;
    if (answers_user_turn_after(response_turn, e.announced_at)) return {e.question, {}};  // the oldest heard
    heard = true;  // told, but the user has not spoken since
  }
  std::string who = label(task_ref) + on_host(host);
  if (!any) return {std::nullopt, fmt::format("{} has no open question; nothing was answered", who)};
  if (!heard)
    return {std::nullopt,
            fmt::format("{}'s question has not been told to the user yet; nothing was answered", who)};
  return {std::nullopt,
          fmt::format("I can't answer {}'s question on my own: ask the user whether to allow it, and call "
                      "answer_permission only after they answer",
                      who)};
}

std::string question_sentence(const VoiceQuestion& q, std::size_t max_chars) {
  std::string who = fmt::format("Task {}{}", q.task, on_host(q.host));
  if (q.task_name) who += fmt::format(" '{}'", *q.task_name);
  std::string what = q.summary;
  if (what.size() > max_chars) {  // a long command is cut at a UTF-8 boundary
    std::size_t cut = max_chars;
    while (cut > 0 && (static_cast<unsigned char>(what[cut]) & 0xC0) == 0x80) --cut;
    what = what.substr(0, cut) + "...";
  }
  if (q.tool == "Bash" && !what.empty()) return fmt::format("{} wants to run {}.", who, what);
  if (what.empty()) return fmt::format("{} wants to use {}.", who, q.tool.empty() ? "a tool" : q.tool);
  return fmt::format("{} wants to use {}: {}.", who, q.tool.empty() ? "a tool" : q.tool, what);
}

}  // namespace ptt::realtime

namespace ptt::realtime {

json pending_request() { return protocol::request_json(protocol::PendingRequest{}); }

VoiceQuestion question_of(const protocol::PermissionQuestion& q, const std::string& host) {
  return {q.task, q.request, q.tool, q.summary, std::nullopt, host};
}

std::optional<std::vector<VoiceQuestion>> questions_of_pending_reply(const json& reply) {
  if (!protocol::reply_is_ok(reply)) return std::nullopt;
  auto list = reply.find(protocol::permission_field::kQuestions);
  if (list == reply.end() || !list->is_array()) return std::nullopt;
  std::vector<VoiceQuestion> out;
  for (const json& q : *list) {
    try {
      out.push_back(question_of(q.get<protocol::PermissionQuestion>()));
    } catch (const json::exception&) {
      // One question this version cannot read does not hide the others.
    }
  }
  return out;
}

json answer_request(const VoiceQuestion& question, bool allow, const std::string& reason) {
  protocol::AnswerPermissionRequest answer;
  answer.task = question.task;
  answer.request = question.request;
  answer.allow = allow;
  if (!reason.empty()) answer.reason = reason;
  answer.by = protocol::answered_by::kVoice;
  return protocol::request_json(answer);
}

}  // namespace ptt::realtime
