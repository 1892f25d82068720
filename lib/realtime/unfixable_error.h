#pragma once
// Errors from the Realtime API that no reconnect can fix: the account is out of quota
// or credit, the model does not exist, or the server refused the session settings we
// sent. The session ends on them (exit status 1) with what to do, instead of retrying
// forever. Everything else is survived.
#include <optional>
#include <string>

namespace ptt::realtime {

struct UnfixableError {
  std::string what;  // for `ptt-realtime: error: WHAT; NEXT`
  std::string next_step;
};

// `about_session_update`: the error names our session.update's event_id (a refused option).
std::optional<UnfixableError> unfixable_error(const std::string& code, const std::string& message,
                                              const std::string& model, bool about_session_update);

}  // namespace ptt::realtime
