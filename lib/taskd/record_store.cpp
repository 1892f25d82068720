#include "taskd/record_store.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/paths.h"
#include "supervise/line_append.h"

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

fs::path RecordStore::log_dir(std::int64_t id) const { return state_dir_ / "logs" / std::to_string(id); }

namespace {

std::string record_line(const TaskRecord& record) {
  // stderr tails are raw bytes: invalid UTF-8 is replaced rather than refused.
  return nlohmann::json(record).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// An older ptt-taskd's tasks/<id>.json files into `records`; returns the ones read
// whole (those a compaction may remove once they are in tasks.ndjson).
std::vector<fs::path> load_record_files(const fs::path& dir, std::map<std::int64_t, TaskRecord>& records,
                                        RecordStore::Loaded& out) {
  std::vector<fs::path> read;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return read;
  for (const auto& entry : fs::directory_iterator(dir)) {
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
      records[r.id] = std::move(r);
      read.push_back(p);
    } catch (const std::exception& e) {
      out.problems.push_back(fmt::format("{}: corrupt task record ({}); skipped", p.string(), e.what()));
    }
  }
  return read;
}

}  // namespace

RecordStore::Loaded RecordStore::load() {
  ensure_private_dir(state_dir_);
  fs::create_directories(state_dir_ / "logs");
  Loaded out;
  std::string counter = read_file(state_dir_ / "next_id");
  try {
    if (!counter.empty()) out.next_id = std::max<std::int64_t>(1, std::stoll(counter));
  } catch (const std::exception&) {
    out.problems.push_back("next_id: unreadable counter; recomputed from the records");
  }
  std::map<std::int64_t, TaskRecord> records;
  std::vector<fs::path> legacy = load_record_files(state_dir_ / "tasks", records, out);

  std::string text = read_file(records_file());
  std::error_code size_ec;
  bool unreadable = text.empty() && fs::file_size(records_file(), size_ec) > 0 && !size_ec;
  if (unreadable) out.problems.push_back(fmt::format("{}: cannot read it; its records are missing until it can be",
                                                     records_file().string()));
  std::string_view rest = text;
  std::size_t line_no = 0;
  bool torn = false;
  lines_ = 0;
  while (!rest.empty()) {
    std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    ++line_no;
    if (line.empty()) continue;  // each append starts with a newline
    ++lines_;
    nlohmann::json value = nlohmann::json::parse(line, nullptr, false);
    try {
      if (!value.is_object()) throw std::runtime_error("not a JSON object");
      if (auto forget = value.find("forget"); forget != value.end()) {
        auto id = forget->get<std::int64_t>();
        records.erase(id);
        out.next_id = std::max(out.next_id, id + 1);
        continue;
      }
      TaskRecord r = value.get<TaskRecord>();
      out.next_id = std::max(out.next_id, r.id + 1);
      records[r.id] = std::move(r);
    } catch (const std::exception& e) {
      torn = true;
      // Its id stays used when it can still be read, as a torn file's name kept it
      // (the key, not an escaped "id": inside a string value).
      std::size_t at = line.find("\"id\":");
      while (at != std::string_view::npos && at > 0 && line[at - 1] == '\\') at = line.find("\"id\":", at + 1);
      if (at != std::string_view::npos) {
        std::int64_t id = std::strtoll(std::string(line.substr(at + 5, 20)).c_str(), nullptr, 10);
        if (id > 0) out.next_id = std::max(out.next_id, id + 1);
      }
      out.problems.push_back(
          fmt::format("{} line {}: torn or corrupt task record ({}); skipped", records_file().string(), line_no,
                      value.is_discarded() ? "not JSON" : e.what()));
    }
  }
  for (auto& [id, r] : records) out.records.push_back(std::move(r));

  // Never over a file that could not be read: that would lose its records.
  if (!unreadable && (!legacy.empty() || torn || compaction_due(out.records.size()))) {
    try {
      save_next_id(out.next_id);  // forgotten ids must stay used once their lines are gone
      std::vector<const TaskRecord*> all;
      for (const auto& r : out.records) all.push_back(&r);
      compact(all);
      for (const auto& p : legacy) fs::remove(p);
    } catch (const std::exception& e) {
      out.problems.push_back(fmt::format("cannot rewrite {}: {}; it is read as it is", records_file().string(),
                                         e.what()));
    }
  }
  return out;
}

void RecordStore::append(const std::string& json_line) {
  // Opened for each line: cheap next to creating a file, and it follows a
  // compaction's rename and the file's mode as it is now.
  fs::path path = records_file();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  bool written = append_line(fd, json_line);
  int err = errno;
  ::close(fd);
  if (!written) throw std::system_error(err, std::generic_category(), "append to " + path.string());
  ++lines_;
}

void RecordStore::save(const TaskRecord& record) { append(record_line(record)); }

void RecordStore::save_next_id(std::int64_t next_id) const {
  write_file_atomically(state_dir_ / "next_id", std::to_string(next_id) + "\n");
}

void RecordStore::forget(std::int64_t id) {
  append(fmt::format("{{\"forget\":{}}}", id));
  std::error_code ec;
  fs::remove_all(log_dir(id), ec);
}

bool RecordStore::compaction_due(std::size_t live) const {
  return lines_ > 3 * live + 256 && lines_ > retry_compaction_after_;
}

void RecordStore::compact(const std::vector<const TaskRecord*>& records) {
  std::string content;
  for (const TaskRecord* r : records) {
    content += record_line(*r);
    content += '\n';
  }
  try {
    write_file_atomically(records_file(), content);
  } catch (const std::exception&) {
    retry_compaction_after_ = lines_ + 256;  // not again at every write while the disk is full
    throw;
  }
  lines_ = records.size();
}

}  // namespace ptt::taskd
