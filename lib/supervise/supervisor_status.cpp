#include "supervise/supervisor_status.h"

#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/line_append.h"

namespace ptt::supervise {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_whole(const fs::path& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char chunk[4096];
  ssize_t n;
  while ((n = ::read(fd, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) text.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

bool append_json_line(int fd, const json& value) { return append_line(fd, value.dump()); }

}  // namespace

int begin_supervisor_status(const fs::path& log_dir, double started_at) {
  fs::path path = log_dir / kSupervisorStatusFile;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "create " + path.string());
  if (!append_json_line(fd, {{"started_at", started_at}})) {
    int err = errno;
    ::close(fd);
    ::unlink(path.c_str());  // a half-written start must not read as a started task
    throw std::system_error(err, std::generic_category(), "write " + path.string());
  }
  return fd;
}

int open_supervisor_status(const fs::path& log_dir) {
  return ::open((log_dir / kSupervisorStatusFile).c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
}

bool append_supervisor_pid(int fd, const char* key, pid_t pid) { return append_json_line(fd, {{key, pid}}); }

bool append_supervisor_exit(int fd, const AgentExit& e) {
  return append_json_line(fd, {{"exit",
                                {{"exit_code", e.exit_code},
                                 {"signal", e.term_signal},
                                 {"exec_errno", e.exec_errno},
                                 {"cancelled", e.cancelled}}}});
}

std::optional<SupervisorStatus> read_supervisor_status(const fs::path& log_dir) {
  fs::path path = log_dir / kSupervisorStatusFile;
  if (::access(path.c_str(), F_OK) != 0) return std::nullopt;
  std::string text = read_whole(path);
  SupervisorStatus s;
  std::string_view rest = text;
  // Only whole lines count: a line still being written has no newline yet.
  for (auto nl = rest.find('\n'); nl != std::string_view::npos; nl = rest.find('\n')) {
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    json j = json::parse(line, nullptr, false);
    if (!j.is_object()) continue;
    try {
      if (auto it = j.find("started_at"); it != j.end() && it->is_number()) s.started_at = it->get<double>();
      if (auto it = j.find("server"); it != j.end() && it->is_number_integer())
        s.supervisor = it->get<pid_t>();
      if (auto it = j.find("agent"); it != j.end() && it->is_number_integer()) s.agent = it->get<pid_t>();
      if (auto it = j.find("exit"); it != j.end() && it->is_object()) {
        AgentExit e;
        e.exit_code = it->value("exit_code", 0);
        e.term_signal = it->value("signal", 0);
        e.exec_errno = it->value("exec_errno", 0);
        e.cancelled = it->value("cancelled", false);
        s.exit = e;
      }
    } catch (const json::exception&) {
      // a field of the wrong type: the line is skipped
    }
  }
  // No start line: the daemon died between creating the file and writing it, and
  // never started a supervisor (it does that only once the line is written).
  if (!s.started_at) return std::nullopt;
  return s;
}

}  // namespace ptt::supervise
