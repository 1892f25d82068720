#pragma once
// Turns Claude's stream-json lines into readable log lines for `ptt-task logs`.
// Pure: one raw line in, zero or more display lines out (without '\n').
#include <string>
#include <string_view>
#include <vector>

#include "taskcli/format.h"

namespace ptt::taskcli {

std::vector<std::string> render_stream_line(std::string_view raw, const Style& style);

// The line that ends every readable log: how the task ended (its reason, exit
// code, stderr tail or result), or that it is still queued or running. No '\n'.
std::string render_log_closing(const protocol::TaskRecord& t, const Style& style);

// "Bash: npm test", "Edit src/db.py": a tool_use block's name and main argument.
std::string describe_tool_use(const nlohmann::json& block);

}  // namespace ptt::taskcli
