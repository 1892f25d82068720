#pragma once
// Builds the agent's argv: `claude -p PROMPT --output-format stream-json --verbose
// --permission-mode MODE` plus the optional flags, from a task's own options laid
// over the daemon's defaults. Pure, so the exact command is unit-tested.
#include <optional>
#include <string>
#include <vector>

#include "protocol/task_record.h"

namespace ptt::taskd {

// A task's options override the defaults field by field (an unset field keeps
// the default). Lists replace, they do not merge.
protocol::AgentOptions merge_options(const protocol::AgentOptions& defaults,
                                     const protocol::AgentOptions& task);

std::vector<std::string> agent_argv(const std::string& executable, const std::string& prompt,
                                    const protocol::AgentOptions& effective,
                                    const std::optional<std::string>& resume_session);

}  // namespace ptt::taskd
