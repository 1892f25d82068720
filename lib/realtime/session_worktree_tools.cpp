// The voice session's side of review_task, merge_task and discard_task (worktree_tools.h):
// each runs ptt-task through the runner (kTaskCommand); merge and discard only under the
// consent rule, in a response to a user turn after the session last spoke on its own.
#include <fmt/format.h>

#include "realtime/session.h"
#include "realtime/worktree_tools.h"

namespace ptt::realtime {
using nlohmann::json;

void RealtimeSession::dispatch_worktree_tool(const std::string& call_id, const std::string& name,
                                             const std::string& arguments, const std::string& host) {
  if (needs_user_turn(name) && !response_answers_user_turn_after(said_on_own_)) {
    log(fmt::format("refused {}: not in a response to the user's own turn", name));
    return answer_call(call_id, name, consent_refusal(name));
  }
  TaskCommand command = worktree_tool_command(name, arguments);
  if (!command.immediate_output.empty()) return answer_call(call_id, name, command.immediate_output);
  std::uint64_t token = next_token_++;
  inflight_[token] = {call_id, name, host};
  out_.push_back({SessionAction::Kind::kTaskCommand, json{{"args", command.args}}, {}, {}, token, host});
}

SessionActions RealtimeSession::on_task_command_done(std::uint64_t token, int status,
                                                     const std::string& output) {
  auto it = inflight_.find(token);
  if (it == inflight_.end()) return take();
  auto [call_id, name, host] = std::move(it->second);  // its call may be of a session gone since
  inflight_.erase(it);
  answer_call(call_id, name, worktree_tool_output(name, status, output));
  return take();
}

}  // namespace ptt::realtime
