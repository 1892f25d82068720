#include "taskd/record_store.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/json_integer.h"
#include "core/ndjson.h"
#include "protocol/task_record_reader.h"

namespace ptt::taskd {
namespace fs = std::filesystem;
using protocol::TaskRecord;

RecordStore::RecordStore(fs::path state_dir, StateDisk& disk)
    : state_dir_(std::move(state_dir)), disk_(disk) {}

fs::path RecordStore::log_dir(std::int64_t id) const { return state_dir_ / "logs" / std::to_string(id); }

namespace {

std::string record_line(const TaskRecord& record) {
  // stderr tails are raw bytes: invalid UTF-8 is replaced rather than refused.
  return nlohmann::json(record).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

RecordStore::Loaded RecordStore::load() {
  disk_.make_private_dir(state_dir_);
  disk_.make_dirs(state_dir_ / "logs");
  Loaded out;
  std::string counter = disk_.read(state_dir_ / "next_id").text;
  try {
    if (!counter.empty()) out.next_id = std::max<std::int64_t>(1, std::stoll(counter));
  } catch (const std::exception&) {
    out.problems.push_back("next_id: unreadable counter; recomputed from the records");
  }
  // Each record with the line it was read from (a view into out.text).
  std::map<std::int64_t, std::pair<TaskRecord, std::string_view>> records;

  auto [text, read_error] = disk_.read(records_file());
  out.text = std::move(text);
  // What could be read is used; what could not is missing until a start that can read it.
  bool unreadable = read_error != 0 && read_error != ENOENT;
  if (unreadable)
    out.problems.push_back(
        fmt::format("{}: cannot read it; its records are missing until it can be", records_file().string()));
  std::string_view rest = out.text;
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
    // Nearly every line is a well-formed record: read straight into a TaskRecord.
    // Anything else, or in doubt, takes the JSON tree below, which says what is wrong.
    if (TaskRecord r; protocol::read_task_record(line, r)) {
      out.next_id = std::max(out.next_id, r.id + 1);
      std::int64_t id = r.id;
      records.insert_or_assign(records.end(), id,
                               std::pair(std::move(r), line));  // ids come in order, mostly
      continue;
    }
    JsonLine parsed = parse_json_line(line);  // never deeper than kMaxJsonDepth
    nlohmann::json value = parsed.value ? std::move(*parsed.value) : nlohmann::json();
    try {
      if (!parsed.value) throw std::runtime_error(parsed.error);
      if (!value.is_object()) throw std::runtime_error("not a JSON object");
      if (auto forget = value.find("forget"); forget != value.end()) {
        auto id = checked_integer<std::int64_t>(*forget);
        records.erase(id);
        out.next_id = std::max(out.next_id, id + 1);
        continue;
      }
      TaskRecord r = value.get<TaskRecord>();
      out.next_id = std::max(out.next_id, r.id + 1);
      std::int64_t id = r.id;
      records[id] = std::pair(std::move(r), line);
    } catch (const std::exception& e) {
      torn = true;
      // Its id stays used when it can still be read, as a torn file's name kept it
      // (the key, not an escaped "id": inside a string value).
      std::size_t at = line.find("\"id\":");
      while (at != std::string_view::npos && at > 0 && line[at - 1] == '\\')
        at = line.find("\"id\":", at + 1);
      if (at != std::string_view::npos) {
        std::int64_t id = std::strtoll(std::string(line.substr(at + 5, 20)).c_str(), nullptr, 10);
        if (id > 0) out.next_id = std::max(out.next_id, id + 1);
      }
      out.problems.push_back(fmt::format("{} line {}: torn or corrupt task record ({}); skipped",
                                         records_file().string(), line_no, e.what()));
    }
  }
  out.records.reserve(records.size());
  out.lines.reserve(records.size());
  if (!unreadable) {
    size_ = out.text.size();
    out.spans.reserve(records.size());
  }
  for (auto& [id, r] : records) {
    out.records.push_back(std::move(r.first));
    out.lines.push_back(r.second);
    if (!unreadable)
      out.spans.push_back({static_cast<std::uint64_t>(r.second.data() - out.text.data()),
                           static_cast<std::uint32_t>(r.second.size())});
  }
  claimed_ids(out);

  // Never over a file that could not be read: that would lose its records.
  if (!unreadable && (torn || compaction_due(out.records.size()))) {
    try {
      save_next_id(out.next_id);  // forgotten ids must stay used once their lines are gone
      std::string content;
      std::vector<RecordSpan> spans;
      spans.reserve(out.records.size());
      for (const auto& r : out.records) {
        std::string line = record_line(r);
        spans.push_back({content.size(), static_cast<std::uint32_t>(line.size())});
        content += line;
        content += '\n';
      }
      compact(content, out.records.size());
      out.spans = std::move(spans);
    } catch (const std::exception& e) {
      // It may have been replaced all the same (the rename done, its sync failed): where
      // the lines are is not known, so the table keeps them in memory this run.
      out.spans.clear();
      out.problems.push_back(
          fmt::format("cannot rewrite {}: {}; it is read as it is", records_file().string(), e.what()));
    }
  }
  return out;
}

void RecordStore::claimed_ids(Loaded& out) {
  // A log dir is made before its spawn is answered: its id was handed out, whether
  // or not its record survived.
  std::int64_t highest = 0;
  for (const auto& name : disk_.list_dir(state_dir_ / "logs")) {
    if (name.empty() || name.size() > 18 || name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    highest = std::max<std::int64_t>(highest, std::stoll(name));
  }
  if (highest < out.next_id) return;
  out.problems.push_back(
      fmt::format("{} exists, but no task record for it (a spawn refused on a full disk, or "
                  "{} lost its tail); ids up to {} are not used again",
                  log_dir(highest).string(), records_file().string(), highest));
  out.next_id = highest + 1;
  try {
    save_next_id(out.next_id);  // and the next start has no need to say so again
  } catch (const std::exception&) {
  }
}

bool RecordStore::claim_id(std::int64_t id) {
  if (spare_ready_) {
    spare_ready_ = false;
    try {
      if (disk_.rename_new_dir(spare_log_dir(), log_dir(id))) return true;
      spare_ready_ = true;  // the id was used before; the spare is still there for the next
      return false;
    } catch (const std::system_error&) {
      // Gone or unusable: the log dir is made the ordinary way (a new spare comes later).
    }
  }
  return disk_.make_new_dir(log_dir(id));
}

void RecordStore::make_spare_log_dir() {
  if (spare_ready_) return;
  try {
    disk_.make_new_dir(spare_log_dir());  // one left by an earlier run is as good
    spare_ready_ = true;
  } catch (const std::system_error&) {
    // The next claim makes its log dir itself (and reports what fails then).
  }
}

std::optional<RecordSpan> RecordStore::append(std::string_view json_line) {
  std::optional<std::uint64_t> before = std::exchange(size_, std::nullopt);  // unknown should it tear
  bool created = disk_.append_line(records_file(), json_line);
  if (created) state_dir_unsynced_ = true;
  records_unsynced_ = true;
  ++lines_;
  ++appends_;
  if (created) before = 0;
  if (!before) return std::nullopt;
  size_ = *before + json_line.size() + 2;  // "\n" + line + "\n" (core/line_append.h)
  return RecordSpan{*before + 1, static_cast<std::uint32_t>(json_line.size())};
}

std::string RecordStore::read_line(RecordSpan span) const {
  return disk_.read_at(records_file(), span.offset, span.length);
}

void RecordStore::sync() {
  if (records_unsynced_) {
    disk_.sync(records_file());
    records_unsynced_ = false;
  }
  if (state_dir_unsynced_) {
    disk_.sync(state_dir_);
    state_dir_unsynced_ = false;
  }
}

void RecordStore::save(const TaskRecord& record) { append(record_line(record)); }

std::optional<RecordSpan> RecordStore::save_line(std::string_view line) { return append(line); }

void RecordStore::save_next_id(std::int64_t next_id) const {
  disk_.write_atomically(state_dir_ / "next_id", std::to_string(next_id) + "\n");
}

void RecordStore::forget(std::int64_t id) {
  retract(id);
  disk_.remove_all(log_dir(id));
}

void RecordStore::retract(std::int64_t id) { append(fmt::format("{{\"forget\":{}}}", id)); }

bool RecordStore::compaction_due(std::size_t live) const {
  return lines_ > 3 * live + 256 && lines_ > retry_compaction_after_;
}

void RecordStore::compact(const std::string& content, std::size_t records) {
  size_.reset();  // a failure after the rename leaves it unknown
  try {
    disk_.write_atomically(records_file(), content);  // synced, the rename too
    records_unsynced_ = state_dir_unsynced_ = false;
    size_ = content.size();
  } catch (const std::exception&) {
    retry_compaction_after_ = lines_ + 256;  // not again at every write while the disk is full
    throw;
  }
  lines_ = records;
}

}  // namespace ptt::taskd
