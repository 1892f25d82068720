// Renewal: a Realtime session lasts 60 minutes at most, so the voice session moves to
// a new one before (--renew-after) or when the server ends it, and carries the
// conversation over. Nothing the user is owed is lost on the way: held input waits
// for the new session, announcements whose response never finished are spoken again,
// and a tool result for a call of the old session reaches the new one as a message.
#include <fmt/format.h>

#include "realtime/session.h"

namespace ptt::realtime {
using nlohmann::json;

SessionActions RealtimeSession::on_renew_due() {
  if (connected_ && !renewing_) {
    renew_due_ = true;
    pump();
  }
  return take();
}

// A renewal waits for a free floor (pump's caller checked the user and the responses):
// a tool call or follow-up in flight belongs to this session's conversation.
bool RealtimeSession::renew_if_due() {
  if (!renew_due_ || unanswered_calls_ > 0 || follow_up_needed_ || pending_create_) return false;
  renew_due_ = false;
  begin_renewal("the session reached --renew-after");
  return true;
}

// From here the user's input is held (connected_ is false) until the new session.
void RealtimeSession::begin_renewal(const std::string& reason) {
  if (renewing_) return;
  renewing_ = true;
  renew_due_ = false;
  connected_ = false;
  print({{"type", "session"}, {"state", "renewing"}, {"reason", reason}});
  out_.push_back({SessionAction::Kind::kRenew, nullptr, {}, {}, 0, reason});
}

// On session.created: a later session hears what the earlier ones said.
void RealtimeSession::carry_over() {
  if (std::exchange(had_session_, true) && !memory_.empty()) {
    auto items = memory_.carry_over_items();
    for (json& item : items) send(std::move(item));
    log(fmt::format("carried {} recent turns ({} chars) and {} task states into the new session",
                    memory_.turns(), memory_.turn_chars(), memory_.tasks()));
  }
  if (std::exchange(renewing_, false)) print({{"type", "session"}, {"state", "renewed"}});
}

void RealtimeSession::requeue_unspoken_announcements() {
  while (!unspoken_announcements_.empty()) {
    announcements_.push_front(std::move(unspoken_announcements_.back()));
    unspoken_announcements_.pop_back();
  }
}

// The call's session is gone, so the new one cannot take a function_call_output for
// it: the result goes in as a message, with a response, like an announcement.
void RealtimeSession::deliver_late_result(const std::string& call_id, const std::string& name,
                                          const std::string& output) {
  log(fmt::format("the result of call {} is told to the new session as a message", call_id));
  std::string text = fmt::format(
      "[tool result] Your call {} ({}) from before the session was renewed returned: {} Tell the user "
      "briefly.",
      name, call_id, output);
  announcements_.push_back({std::move(text), 0, {}, {}});
  pump();
}

}  // namespace ptt::realtime
