#pragma once
// An in-memory StateDisk for unit tests: files are strings, and each operation
// can be made to fail with an errno (ENOSPC, EIO, EACCES), an append even after
// writing part of its line, as a full disk does (a torn line).
#include <cerrno>
#include <map>
#include <optional>
#include <set>
#include <system_error>

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
  std::map<std::filesystem::path, int> read_errors;
  int appends = 0, atomic_writes = 0;  // calls that succeeded

  void heal() {
    append_error = write_error = 0;
    torn_bytes.reset();
    read_errors.clear();
  }

  void make_private_dir(const std::filesystem::path& dir) override { dirs.insert(dir); }
  void make_dirs(const std::filesystem::path& dir) override { dirs.insert(dir); }
  void write_atomically(const std::filesystem::path& path, std::string_view content) override {
    if (write_error) throw std::system_error(write_error, std::generic_category(), "write " + path.string());
    files[path] = std::string(content);  // whole or not at all
    ++atomic_writes;
  }
  void append_line(const std::filesystem::path& path, std::string_view line) override {
    std::string whole = "\n" + std::string(line) + "\n";
    if (append_error) {
      if (torn_bytes) files[path] += whole.substr(0, *torn_bytes);
      throw std::system_error(append_error, std::generic_category(), "append to " + path.string());
    }
    files[path] += whole;
    ++appends;
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
