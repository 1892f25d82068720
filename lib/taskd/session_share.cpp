#include "taskd/session_share.h"

#include <algorithm>
#include <cstdint>

#include "core/json_integer.h"

namespace ptt::taskd {

void SessionSoFar::add(const protocol::AgentResult& earlier) {
  // The CLI's running total only grows, so the largest is the latest.
  cost_usd = std::max(cost_usd, earlier.session_cost_usd.value_or(earlier.cost_usd));
  model_usage = any ? combine_model_usage(model_usage, earlier.model_usage, 1) : earlier.model_usage;
  any = true;
}

void take_off_earlier_runs(const SessionSoFar& before, protocol::AgentResult& result) {
  if (!before.any || !result.session_cost_usd || *result.session_cost_usd < before.cost_usd) return;
  result.cost_usd = *result.session_cost_usd - before.cost_usd;
  // modelUsage is the session's running total too (usage is the run's own main loop).
  result.model_usage = combine_model_usage(result.model_usage, before.model_usage, -1);
}

nlohmann::json combine_model_usage(const nlohmann::json& a, const nlohmann::json& b, int sign) {
  if (!a.is_object() || !b.is_object()) return a;
  nlohmann::json out = a;
  for (const auto& [model, theirs] : b.items()) {
    auto mine = out.find(model);
    if (mine == out.end()) {
      if (sign > 0) out[model] = theirs;
      continue;
    }
    if (!mine->is_object() || !theirs.is_object()) continue;
    for (auto& [key, value] : mine->items()) {
      auto was = theirs.find(key);
      if (was == theirs.end() || !was->is_number() || !value.is_number() || key == "contextWindow" ||
          key == "maxOutputTokens")
        continue;
      if (value.is_number_integer() && was->is_number_integer()) {
        // The agent's counts: an overflowing sum (undefined behaviour) keeps the count as it was.
        std::int64_t sum = 0;
        auto mine_count = integer_if<std::int64_t>(value), theirs_count = integer_if<std::int64_t>(*was);
        if (mine_count && theirs_count && !__builtin_mul_overflow(*theirs_count, sign, &sum) &&
            !__builtin_add_overflow(*mine_count, sum, &sum))
          value = sum;
      } else {
        value = value.get<double>() + sign * was->get<double>();
      }
    }
  }
  return out;
}

}  // namespace ptt::taskd
