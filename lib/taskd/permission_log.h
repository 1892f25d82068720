#pragma once
// A task's approvals on disk (logs/<id>/permissions.ndjson): when each question was first
// read, and each answer, written before the answer goes to the agent. A restarted daemon
// reads the task's stream again from its start; this file tells it which questions are
// still open (and since when) and which were answered (it sends those answers again: the
// CLI ignores an answer to a request it is not waiting on), so a question survives kill -9
// of the daemon. The `always` rules given for a task are allowed in its follow-ups too.
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ptt::taskd {

inline constexpr const char* kPermissionLogFile = "permissions.ndjson";

struct PermissionLog {
  std::map<std::string, double> asked;         // request id -> when the daemon first read it
  std::map<std::string, std::string> answers;  // request id -> the control_response line sent
  std::vector<std::string> always_rules;       // allowed for the rest of the task (and follow-ups)
};

// What the task's log dir holds (empty when there is no file).
PermissionLog read_permission_log(const std::filesystem::path& log_dir);
// Appends one line; false with errno set when it was not written.
bool log_question_asked(const std::filesystem::path& log_dir, std::string_view request, double at);
bool log_question_answered(const std::filesystem::path& log_dir, std::string_view request,
                           std::string_view response_line, const std::vector<std::string>& always_rules);

}  // namespace ptt::taskd
