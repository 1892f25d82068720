#pragma once
// The daemon's Unix socket: a private directory, one daemon per socket (an
// flock held for the daemon's life; a stale socket file is replaced), and a
// peer-uid check (SO_PEERCRED) on every connection.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include <sys/types.h>

namespace ptt::taskd {

// Holds an exclusive flock on a file while alive.
class FileLock {
 public:
  // nullopt when another process holds the lock; throws on other errors.
  static std::optional<FileLock> try_acquire(const std::filesystem::path& path);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

// The lock a running daemon holds for its socket: `<socket>.daemon-lock`.
std::filesystem::path daemon_lock_path(const std::filesystem::path& socket);

// Prepares the socket's directory (0700) and removes a stale socket file.
// Throws std::runtime_error with a message for the user when another daemon
// is listening there.
void prepare_socket_path(const std::filesystem::path& socket);

// systemd socket activation: the listening socket's fd (3) when LISTEN_PID is
// this process and LISTEN_FDS >= 1, else -1. Clears LISTEN_* so agents do not
// inherit them.
int activated_socket_fd();

struct PeerCredentials {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};
std::optional<PeerCredentials> peer_credentials(int fd);

}  // namespace ptt::taskd
