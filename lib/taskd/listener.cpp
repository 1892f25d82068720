#include "taskd/listener.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/paths.h"

namespace ptt::taskd {
namespace fs = std::filesystem;

std::optional<FileLock> FileLock::try_acquire(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + path.string());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) return std::nullopt;
    throw std::system_error(err, std::generic_category(), "lock " + path.string());
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

fs::path daemon_lock_path(const fs::path& socket) {
  fs::path p = socket;
  p += ".daemon-lock";
  return p;
}

namespace {

bool something_listens(const fs::path& socket) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

}  // namespace

void prepare_socket_path(const fs::path& socket) {
  if (socket.native().size() >= sizeof(sockaddr_un{}.sun_path)) {
    throw std::runtime_error(fmt::format(
        "socket path {} is too long for a Unix socket; set PTT_SOCKET to a shorter path", socket.string()));
  }
  ensure_private_dir(socket.parent_path());
  if (fs::exists(fs::symlink_status(socket))) {
    if (something_listens(socket)) {
      throw std::runtime_error(
          fmt::format("another ptt-taskd is already listening on {}; stop it with `ptt-task shutdown` or use "
                      "another PTT_SOCKET",
                      socket.string()));
    }
    fs::remove(socket);  // stale: its daemon died without cleaning up
  }
}

int activated_socket_fd() {
  const char* pid = std::getenv("LISTEN_PID");
  const char* fds = std::getenv("LISTEN_FDS");
  bool ours = pid && fds && std::atol(pid) == static_cast<long>(::getpid()) && std::atoi(fds) >= 1;
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  if (!ours) return -1;
  constexpr int kFirstActivatedFd = 3;  // SD_LISTEN_FDS_START
  ::fcntl(kFirstActivatedFd, F_SETFD, FD_CLOEXEC);
  return kFirstActivatedFd;
}

std::optional<PeerCredentials> peer_credentials(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return std::nullopt;
  return PeerCredentials{cred.pid, cred.uid, cred.gid};
}

}  // namespace ptt::taskd
