#include "hotkey/evdev_source.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <linux/input.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "hotkey/key_names.h"

namespace ptt::hotkey {
namespace {

bool has_key(int fd, int code) {
  unsigned char bits[KEY_MAX / 8 + 1] = {};
  if (::ioctl(fd, EVIOCGBIT(EV_KEY, sizeof bits), bits) < 0) return false;
  return (bits[code / 8] >> (code % 8)) & 1;
}

}  // namespace

EvdevSource::EvdevSource(int key_code, const std::string& device_path, const std::string& input_dir)
    : key_code_(key_code), filter_(key_code), input_dir_(input_dir) {
  if (!device_path.empty()) {
    std::string why;
    if (!try_open(device_path, &why)) {
      throw NoKeyboardError(
          fmt::format("cannot read {}: {}; join the `input` group (sudo usermod -aG input $USER, "
                      "then log in again) or use --hotkey signal",
                      device_path, why));
    }
    return;
  }
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ >= 0 && ::inotify_add_watch(inotify_fd_, input_dir_.c_str(), IN_CREATE | IN_ATTRIB) < 0) {
    ::close(inotify_fd_);
    inotify_fd_ = -1;
  }
  scan();
  if (devices_.empty()) {
    std::string cause =
        unreadable_ > 0
            ? fmt::format("{} input device(s) under {} are not readable by you", unreadable_, input_dir_)
            : fmt::format("no keyboard with {} under {}", key_name(key_code_), input_dir_);
    throw NoKeyboardError(cause +
                          "; join the `input` group (sudo usermod -aG input $USER, then log in again), pick "
                          "another --key, or use --hotkey signal (SIGUSR1/SIGUSR2) or --hotkey tty");
  }
}

EvdevSource::~EvdevSource() {
  for (auto& d : devices_) ::close(d->fd);
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
}

bool EvdevSource::try_open(const std::string& path, std::string* why) {
  for (auto& d : devices_)
    if (d->path == path) return true;
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == EACCES || errno == EPERM) ++unreadable_;
    if (why) *why = std::strerror(errno);
    return false;
  }
  struct stat st {};
  bool is_char_device = ::fstat(fd, &st) == 0 && S_ISCHR(st.st_mode);
  // A FIFO or plain file of records (tests, replays) cannot answer the ioctl.
  if (is_char_device && !has_key(fd, key_code_)) {
    ::close(fd);
    if (why) *why = fmt::format("it has no {} key", key_name(key_code_));
    return false;
  }
  devices_.push_back(std::make_unique<Device>(Device{fd, path, {}}));
  return true;
}

void EvdevSource::scan() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(input_dir_, ec)) {
    std::string name = entry.path().filename();
    if (name.rfind("event", 0) == 0) try_open(entry.path(), nullptr);
  }
}

std::vector<int> EvdevSource::fds() const {
  std::vector<int> out;
  for (auto& d : devices_) out.push_back(d->fd);
  if (inotify_fd_ >= 0) out.push_back(inotify_fd_);
  return out;
}

void EvdevSource::on_inotify() {
  alignas(inotify_event) char buf[4096];
  ssize_t n;
  while ((n = ::read(inotify_fd_, buf, sizeof buf)) > 0) {
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      std::string name = ev->len ? ev->name : "";
      if (name.rfind("event", 0) == 0) try_open(input_dir_ + "/" + name, nullptr);
      p += sizeof(inotify_event) + ev->len;
    }
  }
}

void EvdevSource::on_readable(int fd, std::vector<HotkeyEvent>& out) {
  if (fd == inotify_fd_) {
    on_inotify();
    return;
  }
  for (auto it = devices_.begin(); it != devices_.end(); ++it) {
    Device& d = **it;
    if (d.fd != fd) continue;
    char buf[64 * 24];
    std::vector<InputRecord> records;
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) d.parser.feed(buf, static_cast<std::size_t>(n), records);
    for (const auto& r : records)
      if (auto e = filter_.on_record(r)) out.push_back(*e);
    // Unplugged (ENODEV) or the writer of a FIFO went away: forget the device.
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      ::close(d.fd);
      devices_.erase(it);
    }
    return;
  }
}

std::string EvdevSource::describe() const {
  std::string paths;
  for (auto& d : devices_) paths += (paths.empty() ? "" : ", ") + d->path;
  return fmt::format("evdev {} on {}", key_name(key_code_), paths.empty() ? "(none yet)" : paths);
}

}  // namespace ptt::hotkey
