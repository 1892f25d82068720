#include "taskd/record_store.h"

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/paths.h"

namespace ptt::taskd {
namespace fs = std::filesystem;
using protocol::TaskRecord;

void write_file_atomically(const fs::path& path, std::string_view content) {
  fs::path tmp = path;
  tmp += fmt::format(".tmp{}", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "create " + tmp.string());
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::system_error(err, std::generic_category(), "write " + tmp.string());
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw std::system_error(err, std::generic_category(), "rename to " + path.string());
  }
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

RecordStore::RecordStore(fs::path state_dir) : state_dir_(std::move(state_dir)) {}

fs::path RecordStore::record_path(std::int64_t id) const {
  return state_dir_ / "tasks" / fmt::format("{}.json", id);
}
fs::path RecordStore::log_dir(std::int64_t id) const { return state_dir_ / "logs" / std::to_string(id); }

RecordStore::Loaded RecordStore::load() {
  ensure_private_dir(state_dir_);
  fs::create_directories(state_dir_ / "tasks");
  fs::create_directories(state_dir_ / "logs");
  Loaded out;
  std::string counter = read_file(state_dir_ / "next_id");
  try {
    if (!counter.empty()) out.next_id = std::max<std::int64_t>(1, std::stoll(counter));
  } catch (const std::exception&) {
    out.problems.push_back("next_id: unreadable counter; recomputed from the records");
  }
  for (const auto& entry : fs::directory_iterator(state_dir_ / "tasks")) {
    const fs::path& p = entry.path();
    if (p.extension() != ".json") continue;  // temp files of an interrupted write
    std::string stem = p.stem().string();
    std::int64_t file_id = 0;
    try {
      file_id = std::stoll(stem);
    } catch (const std::exception&) {
      out.problems.push_back(fmt::format("{}: not a task record name; skipped", p.string()));
      continue;
    }
    out.next_id = std::max(out.next_id, file_id + 1);  // even a corrupt record's id stays used
    try {
      TaskRecord r = nlohmann::json::parse(read_file(p)).get<TaskRecord>();
      if (r.id != file_id) throw std::runtime_error(fmt::format("holds id {}", r.id));
      out.records.push_back(std::move(r));
    } catch (const std::exception& e) {
      out.problems.push_back(fmt::format("{}: corrupt task record ({}); skipped", p.string(), e.what()));
    }
  }
  std::sort(out.records.begin(), out.records.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

void RecordStore::save(const TaskRecord& record) const {
  // stderr tails are raw bytes: invalid UTF-8 is replaced rather than refused.
  write_file_atomically(
      record_path(record.id),
      nlohmann::json(record).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

void RecordStore::save_next_id(std::int64_t next_id) const {
  write_file_atomically(state_dir_ / "next_id", std::to_string(next_id) + "\n");
}

void RecordStore::forget(std::int64_t id) const {
  std::error_code ec;
  fs::remove(record_path(id), ec);
  fs::remove_all(log_dir(id), ec);
}

}  // namespace ptt::taskd
