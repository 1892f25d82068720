#include "taskd/state_disk.h"

#include <cerrno>
#include <cstdio>
#include <system_error>
#include <utility>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/line_append.h"
#include "core/paths.h"

namespace ptt::taskd {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void throw_errno(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), what);
}

// Writes all of `content`; false with errno set when it could not.
bool write_all(int fd, std::string_view content) {
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

void sync_path(const fs::path& path) {
  // O_RDONLY is enough for fsync(2), and the only way to open a directory.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno(errno, "open " + path.string() + " to sync it");
  if (::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    throw_errno(err, "sync " + path.string());
  }
  ::close(fd);
}

fs::path parent_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

}  // namespace

void PosixStateDisk::make_private_dir(const fs::path& dir) {
  close_appended();
  ensure_private_dir(dir);
}

void PosixStateDisk::make_dirs(const fs::path& dir) {
  close_appended();
  fs::create_directories(dir);
}

bool PosixStateDisk::make_new_dir(const fs::path& dir) {
  close_appended();
  if (::mkdir(dir.c_str(), 0700) != 0) {
    if (errno == EEXIST) return false;
    throw_errno(errno, "create " + dir.string());
  }
  return true;
}

bool PosixStateDisk::rename_new_dir(const fs::path& from, const fs::path& to) {
  close_appended();
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) != 0) {
    if (errno == EEXIST) return false;
    throw_errno(errno, "rename " + from.string() + " to " + to.string());
  }
  return true;
}

std::vector<std::string> PosixStateDisk::list_dir(const fs::path& dir) {
  close_appended();
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return names;
  while (const dirent* entry = ::readdir(d)) {
    std::string_view name = entry->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  return names;
}

void PosixStateDisk::write_atomically(const fs::path& path, std::string_view content) {
  close_appended();
  if (path == read_path_) close_read();  // the name is about to be another file
  fs::path tmp = path;
  tmp += fmt::format(".tmp{}", ::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw_errno(errno, "create " + tmp.string());
  // Synced before the rename: after a power cut the name holds the old content or
  // the new, never an empty file.
  if (!write_all(fd, content) || ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw_errno(err, "write " + tmp.string());
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw_errno(err, "rename to " + path.string());
  }
  sync_path(parent_of(path));  // the rename itself
}

PosixStateDisk::~PosixStateDisk() {
  close_appended();
  close_read();
}

void PosixStateDisk::close_read() {
  if (read_fd_ < 0) return;
  ::close(read_fd_);
  read_fd_ = -1;
  read_path_.clear();
}

std::string PosixStateDisk::read_at(const fs::path& path, std::uint64_t offset, std::size_t length) {
  if (read_fd_ >= 0 && read_path_ != path) close_read();
  if (read_fd_ < 0) {
    read_fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (read_fd_ < 0) throw_errno(errno, "open " + path.string());
    read_path_ = path;
  }
  std::string out(length, '\0');
  std::size_t got = 0;
  while (got < length) {
    ssize_t n = ::pread(read_fd_, out.data() + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(errno, "read " + path.string());
    if (n == 0)
      throw_errno(EIO, fmt::format("read {}: it ends before byte {}", path.string(), offset + length));
    got += static_cast<std::size_t>(n);
  }
  return out;
}

void PosixStateDisk::close_appended() {
  if (appended_fd_ < 0) return;
  ::close(appended_fd_);
  appended_fd_ = -1;
}

bool PosixStateDisk::append_line(const fs::path& path, std::string_view line) {
  // Opened for each line: cheap next to creating a file, and it follows a
  // compaction's rename and the file's mode as it is now. Created with O_EXCL, so
  // the caller knows when the directory needs a sync too.
  close_appended();
  bool created = false;
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
    created = fd >= 0;
    if (fd < 0 && errno == EEXIST) fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  }
  if (fd < 0) throw_errno(errno, "open " + path.string());
  if (!ptt::append_line(fd, line)) {
    int err = errno;
    ::close(fd);
    throw_errno(err, "append to " + path.string());
  }
  // Left open for a sync() of it that may come next (a spawn's): one open, not two.
  appended_fd_ = fd;
  appended_path_ = path;
  return created;
}

void PosixStateDisk::sync(const fs::path& path) {
  if (appended_fd_ >= 0 && appended_path_ == path) {
    int fd = std::exchange(appended_fd_, -1);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) throw_errno(err, "sync " + path.string());
    return;
  }
  close_appended();
  sync_path(path);
}

StateDisk::Read PosixStateDisk::read(const fs::path& path) {
  close_appended();
  Read out;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO there must not block
  if (fd < 0) {
    out.error = errno;
    return out;
  }
  char chunk[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) out.error = errno;
    if (n <= 0) break;
    out.text.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

void PosixStateDisk::remove_all(const fs::path& path) {
  close_appended();
  std::error_code ec;
  fs::remove_all(path, ec);
}

StateDisk& posix_state_disk() {
  static PosixStateDisk disk;
  return disk;
}

void write_file_atomically(const fs::path& path, std::string_view content) {
  posix_state_disk().write_atomically(path, content);
}

std::string StateDisk::read_at(const fs::path& path, std::uint64_t offset, std::size_t length) {
  Read whole = read(path);
  if (whole.error != 0)
    throw std::system_error(whole.error, std::generic_category(), "read " + path.string());
  if (offset + length > whole.text.size())
    throw std::system_error(EIO, std::generic_category(), "read " + path.string() + ": too short");
  return whole.text.substr(offset, length);
}

std::string read_file(const fs::path& path) { return posix_state_disk().read(path).text; }

}  // namespace ptt::taskd
