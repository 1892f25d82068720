#pragma once
// A result line's core fields in one call (AgentResult has more, left empty here).
#include <cstdint>
#include <string>

#include "protocol/task_record.h"

inline ptt::protocol::AgentResult agent_result_of(std::string subtype, bool is_error, std::string text,
                                                  double cost_usd, int num_turns, std::int64_t duration_ms) {
  ptt::protocol::AgentResult r;
  r.subtype = std::move(subtype);
  r.is_error = is_error;
  r.text = std::move(text);
  r.cost_usd = cost_usd;
  r.num_turns = num_turns;
  r.duration_ms = duration_ms;
  return r;
}
