// The model's tool calls: a completed call runs (a daemon request, or an answer at once
// when the call itself is wrong), and the daemon's reply goes back as its output.
#include <fmt/format.h>

#include "core/json_depth.h"
#include "core/ndjson.h"

#include "realtime/session.h"
#include "realtime/task_hosts.h"
#include "realtime/task_tools.h"
#include "realtime/worktree_tools.h"

namespace ptt::realtime {
using nlohmann::json;

void RealtimeSession::dispatch_call(const std::string& call_id) {
  Call& call = calls_[call_id];
  call.dispatched = true;
  ++unanswered_calls_;
  // Arguments nested deeper than any tool's could be are refused before a parser
  // recurses into them (a 1M-deep array would overflow the stack).
  bool shallow = json_depth_within(call.arguments);
  json args = shallow ? json::parse(call.arguments.empty() ? "{}" : call.arguments, nullptr, false)
                      : json(json::value_t::discarded);
  print({{"type", "tool_call"},
         {"call_id", call_id},
         {"name", call.name},
         {"arguments", args.is_discarded() ? json(call.arguments) : args}});
  // Which daemon the call goes to (task_hosts.h): a task's number is its host's.
  CallHost where = shallow ? call_host(config_, call.name, args) : CallHost{};
  if (!where.error.empty())
    return answer_call(call_id, call.name, json{{"ok", false}, {"error", where.error}}.dump());
  if (shallow && is_worktree_tool(call.name))
    return dispatch_worktree_tool(call_id, call.name, call.arguments, where.host);
  ToolRequest req =
      !shallow                             ? ToolRequest{nullptr,
                             json{{"ok", false}, {"error", "the arguments were nested too deeply"}}.dump()}
      : call.name == kAnswerPermissionTool ? answer_permission_request(call.arguments, where.host)
                                           : tool_call_to_request(config_, call.name, call.arguments);
  if (req.request.is_null()) {
    answer_call(call_id, call.name, req.immediate_output);
    return;
  }
  std::uint64_t token = next_token_++;
  inflight_[token] = {call_id, call.name, where.host};
  out_.push_back({SessionAction::Kind::kDaemonRequest, std::move(req.request), {}, {}, token, where.host});
}

void RealtimeSession::answer_call(const std::string& call_id, const std::string& name,
                                  const std::string& output) {
  json parsed = parse_json_or_discarded(output);
  print({{"type", "tool_result"},
         {"call_id", call_id},
         {"name", name},
         {"output", parsed.is_discarded() ? json(output) : parsed}});
  if (calls_.find(call_id) == calls_.end() || !connected_) {  // its session is gone: the next one hears it
    deliver_late_result(call_id, name, output);
    return;
  }
  send({{"type", "conversation.item.create"},
        {"item", {{"type", "function_call_output"}, {"call_id", call_id}, {"output", output}}}});
  if (unanswered_calls_ > 0) --unanswered_calls_;
  follow_up_needed_ = true;
  pump();
}

SessionActions RealtimeSession::on_daemon_reply(std::uint64_t token, const json& reply) {
  if (auto pending = pending_tokens_.find(token); pending != pending_tokens_.end()) {
    std::string host = std::move(pending->second);
    pending_tokens_.erase(pending);
    on_pending_reply(reply, host);
    return take();
  }
  auto it = inflight_.find(token);
  if (it == inflight_.end()) return take();
  auto [call_id, name, host] = std::move(it->second);  // its call may be of a session gone since
  inflight_.erase(it);
  std::string output;
  try {
    output = tool_reply_to_output(config_, name, reply, host);
  } catch (const json::exception&) {  // a daemon reply of the wrong shape must not end the session
    output = json{{"ok", false}, {"error", "ptt-taskd sent a reply that could not be read"}}.dump();
  }
  answer_call(call_id, name, output);
  return take();
}

}  // namespace ptt::realtime
