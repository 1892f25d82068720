#include "supervise/supervisor_status.h"

#include <cerrno>
#include <cstdlib>
#include <string_view>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/json_integer.h"
#include "core/line_append.h"
#include "core/ndjson.h"

namespace ptt::supervise {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The file's text; nullopt with errno set when it could not be read whole.
std::optional<std::string> read_whole(const fs::path& path) {
  std::string text;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO there must not block
  if (fd < 0) return std::nullopt;
  char chunk[4096];
  ssize_t n;
  while ((n = ::read(fd, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) text.append(chunk, static_cast<std::size_t>(n));
  }
  int err = errno;
  ::close(fd);
  if (n < 0) {
    errno = err;
    return std::nullopt;
  }
  return text;
}

std::optional<std::uint64_t> start_field(const json& line, const char* key) {
  auto it = line.find(std::string(key) + "_start");
  if (it == line.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<std::uint64_t>();
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

bool append_supervisor_pid(int fd, const char* key, pid_t pid, std::optional<std::uint64_t> start) {
  json line = {{key, pid}};
  if (start) line[std::string(key) + "_start"] = *start;
  return append_json_line(fd, line);
}

bool append_supervisor_exit(int fd, const AgentExit& e) {
  return append_json_line(fd, {{"exit",
                                {{"exit_code", e.exit_code},
                                 {"signal", e.term_signal},
                                 {"exec_errno", e.exec_errno},
                                 {"cancelled", e.cancelled}}}});
}

bool append_supervisor_input(int fd, const std::string& uuid) {
  return append_json_line(fd, {{"input", uuid}});
}

std::optional<SupervisorStatus> read_supervisor_status(const fs::path& log_dir, int* read_error) {
  if (read_error) *read_error = 0;
  fs::path path = log_dir / kSupervisorStatusFile;
  std::optional<std::string> read = read_whole(path);
  if (!read) {
    if (read_error && errno != ENOENT) *read_error = errno;
    return std::nullopt;
  }
  const std::string& text = *read;
  SupervisorStatus s;
  std::string_view rest = text;
  // Only whole lines count: a line still being written has no newline yet.
  for (auto nl = rest.find('\n'); nl != std::string_view::npos; nl = rest.find('\n')) {
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
    json j = parse_json_or_discarded(line);
    if (!j.is_object()) continue;
    try {
      if (auto it = j.find("started_at"); it != j.end() && it->is_number()) s.started_at = it->get<double>();
      // A pid and its start time come from one line: never one's pid with another's time.
      if (auto it = j.find("server"); it != j.end() && it->is_number_integer()) {
        s.supervisor = checked_integer<pid_t>(*it);
        s.supervisor_start = start_field(j, "server");
      }
      if (auto it = j.find("agent"); it != j.end() && it->is_number_integer()) {
        s.agent = checked_integer<pid_t>(*it);
        s.agent_start = start_field(j, "agent");
      }
      if (auto it = j.find("input"); it != j.end() && it->is_string())
        s.inputs.push_back(it->get<std::string>());
      if (auto it = j.find("exit"); it != j.end() && it->is_object()) {
        AgentExit e;
        auto int_or_zero = [&](const char* key) {
          return it->contains(key) ? checked_integer<int>((*it)[key]) : 0;
        };
        e.exit_code = int_or_zero("exit_code");
        e.term_signal = int_or_zero("signal");
        e.exec_errno = int_or_zero("exec_errno");
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
