#include "client/daemon_connection.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "protocol/protocol.h"

namespace ptt::client {

namespace {

bool set_timeout(int fd, int option, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  return ::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv) == 0;
}

bool timed_out(int err) { return err == EAGAIN || err == EWOULDBLOCK; }

}  // namespace

std::optional<DaemonConnection> DaemonConnection::try_connect(const std::filesystem::path& socket, int& err,
                                                              std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string& p = socket.native();
  if (p.size() >= sizeof(addr.sun_path)) {
    err = ENAMETOOLONG;
    return std::nullopt;
  }
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    err = errno;
    return std::nullopt;
  }
  // SO_SNDTIMEO also bounds connect(2): a Unix socket's connect blocks while the
  // listener's queue is full, which is what a stopped daemon's becomes.
  if (timeout.count() > 0) set_timeout(fd, SO_SNDTIMEO, timeout);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    err = errno;
    ::close(fd);
    return std::nullopt;
  }
  err = 0;
  DaemonConnection c(fd);
  if (timeout.count() > 0) c.set_receive_timeout(timeout);
  return c;
}

DaemonConnection DaemonConnection::through(int fd, std::unique_ptr<Tunnel> tunnel) {
  DaemonConnection c(fd);
  c.tunnel_ = std::move(tunnel);
  return c;
}

void DaemonConnection::lost(const std::string& what) {
  throw ConnectionLostError(tunnel_ ? tunnel_->explain_loss(what) : what);
}

void DaemonConnection::set_send_timeout(std::chrono::milliseconds timeout) {
  set_timeout(fd_, SO_SNDTIMEO, timeout);
}

void DaemonConnection::set_receive_timeout(std::chrono::milliseconds timeout) {
  if (timeout == receive_timeout_) return;  // one syscall less per read of a long wait
  if (set_timeout(fd_, SO_RCVTIMEO, timeout)) receive_timeout_ = timeout;
}

DaemonConnection::DaemonConnection(DaemonConnection&& other) noexcept
    : fd_(other.fd_),
      buffer_(std::move(other.buffer_)),
      scan_from_(other.scan_from_),
      scratch_(std::move(other.scratch_)),
      tunnel_(std::move(other.tunnel_)),
      receive_timeout_(other.receive_timeout_) {
  other.fd_ = -1;
}

DaemonConnection& DaemonConnection::operator=(DaemonConnection&& other) noexcept {
  if (this != &other) {
    close_and_end_tunnel();
    fd_ = other.fd_;
    tunnel_ = std::move(other.tunnel_);
    buffer_ = std::move(other.buffer_);
    scan_from_ = other.scan_from_;
    scratch_ = std::move(other.scratch_);
    receive_timeout_ = other.receive_timeout_;
    other.fd_ = -1;
  }
  return *this;
}

DaemonConnection::~DaemonConnection() { close_and_end_tunnel(); }

void DaemonConnection::close_and_end_tunnel() {
  // The fd first: its end of file tells a tunnel's child (ssh) to finish on its own.
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  tunnel_.reset();
}

void DaemonConnection::send(const nlohmann::json& value) { send_line(to_ndjson(value)); }

void DaemonConnection::send_line(std::string_view line) {
  std::size_t off = 0;
  while (off < line.size()) {
    // MSG_NOSIGNAL: a daemon that went away is an error to report, not a SIGPIPE.
    ssize_t n = ::send(fd_, line.data() + off, line.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (timed_out(errno)) throw NoAnswerError("the daemon takes no more bytes");
      lost(fmt::format("lost the daemon connection ({})", std::strerror(errno)));
    }
    off += static_cast<std::size_t>(n);
  }
}

nlohmann::json parse_daemon_line(std::string_view line) {
  JsonLine parsed = parse_json_line(line);
  if (!parsed.value)
    throw UnreachableError("the daemon sent a line that is not JSON (" + parsed.error + ")" +
                           kSameVersionAdvice);
  return std::move(*parsed.value);
}

nlohmann::json DaemonConnection::read() { return parse_daemon_line(read_line()); }

std::string DaemonConnection::read_line() {
  for (;;) {
    std::size_t nl = buffer_.find('\n', scan_from_);
    if (nl != std::string::npos) {
      scan_from_ = 0;
      if (nl + 1 == buffer_.size()) {  // the usual case: hand the buffer over, no copy of a big reply
        std::string line = std::move(buffer_);
        line.resize(nl);
        buffer_.clear();
        return line;
      }
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    scan_from_ = buffer_.size();
    if (buffer_.size() > protocol::kMaxLine * 64) throw UnreachableError("the daemon sent an over-long line");
    // Big reads (a `list` reply over thousands of tasks is one long line) into a
    // scratch buffer that is never zero-filled: a short reply touches (and page-faults)
    // only the bytes it has, where resizing a string first would touch them all.
    constexpr std::size_t kChunk = 65536;
    if (!scratch_) scratch_.reset(new char[kChunk]);
    ssize_t n = ::read(fd_, scratch_.get(), kChunk);
    // A long line coming: one big reservation instead of doubling, which would copy
    // (and page-fault) it twice over. Pages past the line are never touched.
    if (n > 0 && buffer_.size() + static_cast<std::size_t>(n) > buffer_.capacity() &&
        buffer_.size() + static_cast<std::size_t>(n) > kChunk) {
      buffer_.reserve(std::min(std::max<std::size_t>(buffer_.capacity() * 8, std::size_t{4} << 20),
                               protocol::kMaxLine * 64 + kChunk));
    }
    if (n > 0) buffer_.append(scratch_.get(), static_cast<std::size_t>(n));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (timed_out(errno)) throw NoAnswerError("the daemon sent nothing");
      lost(fmt::format("lost the daemon connection ({})", std::strerror(errno)));
    }
    if (n == 0) lost("the daemon closed the connection");
  }
}

}  // namespace ptt::client
