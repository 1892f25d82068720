#pragma once
// The daemon's open questions (protocol/permissions.h): every task's agent's tool calls
// waiting for an answer, in the order they were asked. Pure, so the rules are unit-tested;
// the daemon feeds it from the tasks' streams (taskd/permission_relay.h) and answers them.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "protocol/permissions.h"

namespace ptt::taskd {

class OpenQuestions {
 public:
  // Opens the question unless its request was asked before (open or closed): a stream read
  // again after a restart asks again. False when it was not opened.
  bool ask(protocol::PermissionQuestion q);
  // Remembers that a request is answered already (read back after a restart): it is not opened.
  void settled(std::int64_t task, const std::string& request) { settled_.insert({task, request}); }
  bool is_settled(std::int64_t task, const std::string& request) const {
    return settled_.count({task, request}) > 0;
  }
  // Takes the question out: `request`, or the task's oldest when unset; nullopt when none.
  std::optional<protocol::PermissionQuestion> take(std::int64_t task,
                                                   const std::optional<std::string>& request);
  // Takes out every question of the task (it ended), oldest first.
  std::vector<protocol::PermissionQuestion> take_all(std::int64_t task);
  // The questions asked at or before `deadline`, oldest first (they have timed out).
  std::vector<protocol::PermissionQuestion> asked_by(double deadline) const;
  bool has(std::int64_t task) const;
  // Every open question, oldest first.
  const std::vector<protocol::PermissionQuestion>& all() const { return open_; }
  // The earliest requested_at of the open questions (when the next may time out).
  std::optional<double> oldest() const;
  // Forgets the task's settled requests (it has ended; its stream is not read again).
  void forget(std::int64_t task);

 private:
  std::vector<protocol::PermissionQuestion> open_;  // oldest first
  std::set<std::pair<std::int64_t, std::string>> settled_;
};

}  // namespace ptt::taskd
