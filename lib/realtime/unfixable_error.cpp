#include "realtime/unfixable_error.h"

#include <fmt/format.h>

#include "core/openai_models.h"

namespace ptt::realtime {

std::optional<UnfixableError> unfixable_error(const std::string& code, const std::string& message,
                                              const std::string& model, bool about_session_update) {
  std::string said = message.empty() ? code : fmt::format("{} ({})", message, code);
  if (code == "insufficient_quota" || code == "billing_hard_limit_reached" || code == "billing_not_active")
    return UnfixableError{
        fmt::format("the OpenAI account has no quota or credit left: {}", said),
        "add credit or raise the usage limit (platform.openai.com, Billing), then start again"};
  if (code == "model_not_found" || code == "invalid_model")
    return UnfixableError{
        fmt::format("the Realtime model '{}' is not available: {}", model, said),
        fmt::format("pass --model with a current model (default {})", openai::kDefaultRealtimeModel)};
  if (about_session_update)
    return UnfixableError{fmt::format("the server refused the session settings: {}", said),
                          "check --model, --voice, --vad, --reasoning-effort and --instructions-file"};
  return std::nullopt;
}

}  // namespace ptt::realtime
