#pragma once
// An in-memory StateDisk for unit tests: files are strings, and each operation
// can be made to fail with an errno (ENOSPC, EIO, EACCES), an append even after
// writing part of its line, as a full disk does (a torn line). crash() keeps only
// what was synced, as a power cut does: a file's content as of its last sync, and
// only the files and directories whose names were synced (their parent's sync).
#include <cerrno>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "taskd/state_disk.h"

namespace ptt::taskd::testing {

class FakeStateDisk final : public StateDisk {
 public:
  std::map<std::filesystem::path, std::string> files;
  std::set<std::filesystem::path> dirs;
  // Set to an errno to make every such call fail until cleared (heal()).
  int append_error = 0;
  std::optional<std::size_t> torn_bytes;  // a failing append still writes this much of its line
  int write_error = 0;                    // write_atomically
  int sync_error = 0;                     // sync
  std::map<std::filesystem::path, int> read_errors;
  int appends = 0, atomic_writes = 0, syncs = 0;        // calls that succeeded
  std::map<std::filesystem::path, std::string> synced;  // each file's content at its last sync
  std::set<std::filesystem::path> durable_names;        // files and dirs whose parent was synced since

  void heal() {
    append_error = write_error = sync_error = 0;
    torn_bytes.reset();
    read_errors.clear();
  }

  // A power cut: what was not synced is gone.
  void crash() {
    std::erase_if(files, [&](const auto& kv) { return !durable_names.count(kv.first); });
    for (auto& [path, content] : files) content = synced[path];
    std::erase_if(dirs, [&](const auto& dir) { return !durable_names.count(dir); });
  }

  // The state dir itself and what make_dirs creates are set up durably.
  void make_private_dir(const std::filesystem::path& dir) override {
    durable_names.insert(*dirs.insert(dir).first);
  }
  void make_dirs(const std::filesystem::path& dir) override { durable_names.insert(*dirs.insert(dir).first); }
  bool make_new_dir(const std::filesystem::path& dir) override {
    if (append_error)
      throw std::system_error(append_error, std::generic_category(), "create " + dir.string());
    return dirs.insert(dir).second;
  }
  bool rename_new_dir(const std::filesystem::path& from, const std::filesystem::path& to) override {
    if (append_error)
      throw std::system_error(append_error, std::generic_category(), "rename " + from.string());
    if (!dirs.count(from))
      throw std::system_error(ENOENT, std::generic_category(), "rename " + from.string());
    if (dirs.count(to)) return false;
    dirs.erase(from);
    durable_names.erase(from);  // both names as durable as their parent's next sync
    dirs.insert(to);
    return true;
  }
  std::vector<std::string> list_dir(const std::filesystem::path& dir) override {
    std::vector<std::string> names;
    for (const auto& d : dirs) {
      if (d.parent_path() == dir) names.push_back(d.filename().string());
    }
    return names;
  }
  void write_atomically(const std::filesystem::path& path, std::string_view content) override {
    if (write_error) throw std::system_error(write_error, std::generic_category(), "write " + path.string());
    files[path] = synced[path] = std::string(content);  // whole or not at all, and synced
    durable_names.insert(path);
    ++atomic_writes;
  }
  bool append_line(const std::filesystem::path& path, std::string_view line) override {
    std::string whole(1, '\n');  // appended, not "\n" + …: g++ 12's -Wrestrict misfires on that
    whole.append(line).push_back('\n');
    bool created = !files.count(path);
    if (append_error) {
      if (torn_bytes) files[path] += whole.substr(0, *torn_bytes);
      throw std::system_error(append_error, std::generic_category(), "append to " + path.string());
    }
    files[path] += whole;
    ++appends;
    return created;
  }
  void sync(const std::filesystem::path& path) override {
    if (sync_error) throw std::system_error(sync_error, std::generic_category(), "sync " + path.string());
    ++syncs;
    if (auto f = files.find(path); f != files.end()) synced[path] = f->second;
    for (const auto& [file, content] : files) {
      if (file.parent_path() == path) durable_names.insert(file);
    }
    for (const auto& dir : dirs) {
      if (dir.parent_path() == path) durable_names.insert(dir);
    }
  }
  Read read(const std::filesystem::path& path) override {
    if (auto e = read_errors.find(path); e != read_errors.end()) return {{}, e->second};
    auto f = files.find(path);
    if (f == files.end()) return {{}, ENOENT};
    return {f->second, 0};
  }
  void remove_all(const std::filesystem::path& path) override {
    std::string prefix = path.string() + "/";
    std::erase_if(
        files, [&](const auto& kv) { return kv.first == path || kv.first.string().rfind(prefix, 0) == 0; });
    dirs.erase(path);
  }
};

}  // namespace ptt::taskd::testing
