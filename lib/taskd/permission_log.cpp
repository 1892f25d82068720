#include "taskd/permission_log.h"

#include <cerrno>
#include <fstream>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/line_append.h"
#include "protocol/json_fields.h"

namespace ptt::taskd {
using nlohmann::json;

namespace {

bool append(const std::filesystem::path& log_dir, const json& line) {
  int fd = ::open((log_dir / kPermissionLogFile).c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  bool ok = append_line(fd, line.dump(-1, ' ', false, json::error_handler_t::replace));
  int err = errno;
  ::close(fd);
  errno = err;
  return ok;
}

}  // namespace

PermissionLog read_permission_log(const std::filesystem::path& log_dir) {
  PermissionLog out;
  std::ifstream in(log_dir / kPermissionLogFile);
  for (std::string line; std::getline(in, line);) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_object()) continue;  // an empty line, or one torn by a full disk
    std::string request = protocol::field_or(j, "request", "");
    if (request.empty()) continue;
    std::string kind = protocol::field_or(j, "kind", "");
    if (kind == "asked") {
      out.asked.emplace(request, protocol::field_or(j, "at", 0.0));
    } else if (kind == "answered") {
      out.answers[request] = protocol::field_or(j, "response", "");
      if (auto rules = j.find("always"); rules != j.end() && rules->is_array()) {
        for (const auto& r : *rules) {
          if (r.is_string()) out.always_rules.push_back(r.get<std::string>());
        }
      }
    }
  }
  return out;
}

bool log_question_asked(const std::filesystem::path& log_dir, std::string_view request, double at) {
  return append(log_dir, {{"kind", "asked"}, {"request", request}, {"at", at}});
}

bool log_question_answered(const std::filesystem::path& log_dir, std::string_view request,
                           std::string_view response_line, const std::vector<std::string>& always_rules) {
  json line = {{"kind", "answered"}, {"request", request}, {"response", response_line}};
  if (!always_rules.empty()) line["always"] = always_rules;
  return append(log_dir, line);
}

}  // namespace ptt::taskd
