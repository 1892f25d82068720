#include "taskd/open_questions.h"

#include <algorithm>

namespace ptt::taskd {

bool OpenQuestions::ask(protocol::PermissionQuestion q) {
  if (is_settled(q.task, q.request)) return false;
  settled_.insert({q.task, q.request});
  // Oldest first; a question read back after a restart keeps the time it was asked.
  auto at =
      std::upper_bound(open_.begin(), open_.end(), q.requested_at,
                       [](double t, const protocol::PermissionQuestion& o) { return t < o.requested_at; });
  open_.insert(at, std::move(q));
  return true;
}

std::optional<protocol::PermissionQuestion> OpenQuestions::take(std::int64_t task,
                                                                const std::optional<std::string>& request) {
  auto it = std::find_if(open_.begin(), open_.end(), [&](const protocol::PermissionQuestion& q) {
    return q.task == task && (!request || q.request == *request);
  });
  if (it == open_.end()) return std::nullopt;
  protocol::PermissionQuestion q = std::move(*it);
  open_.erase(it);
  return q;
}

std::vector<protocol::PermissionQuestion> OpenQuestions::take_all(std::int64_t task) {
  std::vector<protocol::PermissionQuestion> out;
  std::erase_if(open_, [&](protocol::PermissionQuestion& q) {
    if (q.task != task) return false;
    out.push_back(std::move(q));
    return true;
  });
  return out;
}

std::vector<protocol::PermissionQuestion> OpenQuestions::asked_by(double deadline) const {
  std::vector<protocol::PermissionQuestion> out;
  for (const auto& q : open_) {
    if (q.requested_at > deadline) break;
    out.push_back(q);
  }
  return out;
}

bool OpenQuestions::has(std::int64_t task) const {
  return std::any_of(open_.begin(), open_.end(), [&](const auto& q) { return q.task == task; });
}

std::optional<double> OpenQuestions::oldest() const {
  if (open_.empty()) return std::nullopt;
  return open_.front().requested_at;
}

void OpenQuestions::forget(std::int64_t task) {
  std::erase_if(settled_, [&](const auto& s) { return s.first == task; });
}

}  // namespace ptt::taskd
