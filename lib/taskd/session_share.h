#pragma once
// A resumed run's own cost and tokens. After `--resume` the CLI's total_cost_usd and
// modelUsage count the whole Claude session so far, so what the session's earlier runs
// reported is taken off. The runs of one session happen one after another (the task
// table queues them), so "earlier" is well defined: every run that ended before this
// one started.
#include <nlohmann/json.hpp>

#include "protocol/task_record.h"

namespace ptt::taskd {

// What a session's earlier runs reported, added up.
struct SessionSoFar {
  bool any = false;
  double cost_usd = 0;         // the session's total after its latest earlier run
  nlohmann::json model_usage;  // the earlier runs' own per-model counts, summed

  void add(const protocol::AgentResult& earlier);
};

// `result` (a resumed run's) with the earlier runs' share taken off its cost_usd and
// model_usage; session_cost_usd keeps the CLI's total. A total below the earlier one
// means the CLI started the session's count from zero: the figures are the run's own.
void take_off_earlier_runs(const SessionSoFar& before, protocol::AgentResult& result);

// `a` with each per-model count of `b` added (sign 1: models only in `b` join) or taken
// off (sign -1); fields that are not counts (contextWindow, maxOutputTokens, names) stay.
nlohmann::json combine_model_usage(const nlohmann::json& a, const nlohmann::json& b, int sign);

}  // namespace ptt::taskd
