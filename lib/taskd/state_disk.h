#pragma once
// The file operations the record store does on the state dir, behind a small
// interface (ninja's DiskInterface is the model): PosixStateDisk does them for
// real, and unit tests put a fake in its place that fails on demand (a full
// disk, EIO, a short write that tears a line) without filling a real disk.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ptt::taskd {

class StateDisk {
 public:
  virtual ~StateDisk() = default;

  // Creates the directory, and its parents, when missing; the state dir is private (0700).
  // Throws std::system_error.
  virtual void make_private_dir(const std::filesystem::path& dir) = 0;
  virtual void make_dirs(const std::filesystem::path& dir) = 0;
  // Creates one directory (0700); false when it exists already. Not synced: its name
  // is durable once its parent is (sync()). Throws std::system_error.
  virtual bool make_new_dir(const std::filesystem::path& dir) = 0;
  // Renames the directory `from` to `to` in the same parent (renameat2 RENAME_NOREPLACE):
  // false when `to` exists already (`from` is left as it is). Not synced, like
  // make_new_dir. Throws std::system_error (ENOENT when `from` is missing).
  virtual bool rename_new_dir(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
  // The names in the directory; none when it cannot be read.
  virtual std::vector<std::string> list_dir(const std::filesystem::path& dir) = 0;
  // Replaces the file's content whole, durably: written to a temp file beside it,
  // synced, renamed over it, and the directory synced, so a reader (and a restart
  // after a power cut) sees the old content or the new, never a mix.
  // Throws std::system_error (and leaves no temp file behind).
  virtual void write_atomically(const std::filesystem::path& path, std::string_view content) = 0;
  // Appends "\n" + line + "\n" with one write(2) (core/line_append.h), so a line
  // torn by an earlier short write ends where this one starts. Creates the file (0600):
  // true then (its name is durable only once its directory is synced).
  // Throws std::system_error; a short write leaves the part written (a torn line).
  // Not synced: a crash may lose it until sync().
  // (PosixStateDisk keeps the file open until its next call, so that a sync() of the same
  // file right after, as a spawn's, opens it once for both.)
  virtual bool append_line(const std::filesystem::path& path, std::string_view line) = 0;
  // fsync(2) of the file, or of a directory's entries. Throws std::system_error.
  virtual void sync(const std::filesystem::path& path) = 0;
  struct Read {
    std::string text;
    int error = 0;  // errno when the file could not be read whole (ENOENT: there is none)
  };
  virtual Read read(const std::filesystem::path& path) = 0;
  // `length` bytes of the file from `offset` (a finished task's record line, read back
  // when a request needs it: taskd/finished_task.h). Throws std::system_error, also
  // when the file is shorter. This one reads the whole file: for fakes.
  virtual std::string read_at(const std::filesystem::path& path, std::uint64_t offset, std::size_t length);
  // Removes the file or the directory tree; a missing one is no error, nor is a failure
  // (what is left takes space, nothing more).
  virtual void remove_all(const std::filesystem::path& path) = 0;
};

class PosixStateDisk final : public StateDisk {
 public:
  ~PosixStateDisk() override;
  void make_private_dir(const std::filesystem::path& dir) override;
  void make_dirs(const std::filesystem::path& dir) override;
  bool make_new_dir(const std::filesystem::path& dir) override;
  bool rename_new_dir(const std::filesystem::path& from, const std::filesystem::path& to) override;
  std::vector<std::string> list_dir(const std::filesystem::path& dir) override;
  void write_atomically(const std::filesystem::path& path, std::string_view content) override;
  bool append_line(const std::filesystem::path& path, std::string_view line) override;
  void sync(const std::filesystem::path& path) override;
  Read read(const std::filesystem::path& path) override;
  // pread(2) on a descriptor kept open across calls (a list reads back thousands of
  // lines), opened again after write_atomically replaced the file.
  std::string read_at(const std::filesystem::path& path, std::uint64_t offset, std::size_t length) override;
  void remove_all(const std::filesystem::path& path) override;

 private:
  // Closes the file the last append_line left open: every call but a sync() of that file
  // does, so a file is opened again at each append (its mode and name as they are now).
  void close_appended();
  void close_read();
  int appended_fd_ = -1;
  std::filesystem::path appended_path_;
  int read_fd_ = -1;
  std::filesystem::path read_path_;
};

// The process's one PosixStateDisk (for one thread: the daemon's loop).
StateDisk& posix_state_disk();

// Writes `content` to `path` via a synced temp file in the same directory and rename(2).
// Throws std::system_error on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);
// The whole file, or "" when it cannot be read.
std::string read_file(const std::filesystem::path& path);

}  // namespace ptt::taskd
