#include "realtime/daemon_transport.h"

#include <cerrno>
#include <csignal>
#include <utility>

#include <fmt/format.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/reply_timeout.h"
#include "core/spawn.h"
#include "uvutil/child_process.h"

namespace ptt::realtime {

namespace {

struct WriteReq {
  uv_write_t req;
  std::string data;
};

void alloc_buffer(uv_handle_t*, std::size_t suggested, uv_buf_t* buf) {
  buf->base = new char[suggested];
  buf->len = suggested;
}

void write_to(uv_stream_t* stream, std::string bytes) {
  auto* w = new WriteReq;
  w->data = std::move(bytes);
  w->req.data = w;
  uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  // A failed write shows as the connection's end on the read side; nothing to do here.
  if (uv_write(&w->req, stream, &buf, 1, [](uv_write_t* r, int) { delete static_cast<WriteReq*>(r->data); }) <
      0)
    delete w;
}

}  // namespace

std::string command_loss_reason(const CommandEnd& end) {
  const std::string& stderr_text = end.stderr_text;
  std::string said;
  std::size_t start = 0;
  while (start < stderr_text.size()) {
    std::size_t end = stderr_text.find('\n', start);
    if (end == std::string::npos) end = stderr_text.size();
    std::string line = stderr_text.substr(start, end - start);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) said += (said.empty() ? "" : "; ") + line;
    start = end + 1;
  }
  if (!said.empty()) return said;
  if (end.signal != 0) return fmt::format("it was ended by signal {}", end.signal);
  if (!end.exited) return end.what;
  return fmt::format("it exited with status {}", end.status);
}

// One connection attempt; `owner` is cleared when the transport lets go of it.
struct DaemonTransport::Connection {
  DaemonTransport* owner = nullptr;
  int open_handles = 0;
  virtual ~Connection() = default;
  virtual uv_stream_t* stream() = 0;
  virtual void close() = 0;  // closes its handles; `this` is freed once they are closed
  virtual long peer_pid() const { return 0; }

  static void closed_cb(uv_handle_t* h) {
    auto* self = static_cast<Connection*>(h->data);
    if (--self->open_handles == 0) delete self;
  }
  void deliver(std::string_view bytes) {
    if (owner) owner->data_(bytes);
  }
  // The end of this connection: the transport lets go of it, then says why.
  void end(const std::string& why) {
    DaemonTransport* transport = owner;
    if (!transport) return;
    transport->connection_ = nullptr;
    owner = nullptr;
    close();
    transport->lost_(why);
  }
  void start_reading(uv_stream_t* s) {
    uv_read_start(s, alloc_buffer, [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
      auto* self = static_cast<Connection*>(s->data);
      if (n > 0) self->on_bytes(s, std::string_view(buf->base, static_cast<std::size_t>(n)));
      delete[] buf->base;
      if (n < 0) self->on_stream_end(s, static_cast<int>(n));
    });
  }
  virtual void on_stream_end(uv_stream_t* s, int status) = 0;
  virtual void on_bytes(uv_stream_t*, std::string_view bytes) { deliver(bytes); }
};

struct DaemonTransport::SocketConnection : Connection {
  uv_pipe_t pipe{};

  uv_stream_t* stream() override { return reinterpret_cast<uv_stream_t*>(&pipe); }
  void close() override {
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&pipe)))
      uv_close(reinterpret_cast<uv_handle_t*>(&pipe), closed_cb);
  }
  long peer_pid() const override {
    uv_os_fd_t fd = -1;
    return uv_fileno(reinterpret_cast<const uv_handle_t*>(&pipe), &fd) == 0 ? client::daemon_pid_of(fd) : 0;
  }
  void on_stream_end(uv_stream_t*, int status) override {
    end(status == UV_EOF ? "the daemon closed the connection" : uv_strerror(status));
  }
  void connect(uv_loop_t* loop, const std::string& path) {
    uv_pipe_init(loop, &pipe, 0);
    pipe.data = static_cast<Connection*>(this);
    open_handles = 1;
    auto* req = new uv_connect_t;
    req->data = this;
    uv_pipe_connect(req, &pipe, path.c_str(), [](uv_connect_t* r, int status) {
      auto* self = static_cast<SocketConnection*>(r->data);
      delete r;
      if (status == UV_ECANCELED || !self->owner) return;
      if (status < 0) return self->end(uv_strerror(status));
      self->start_reading(self->stream());
      self->owner->opened_();
    });
  }
};

// The child's stdin and stdout are the channel; its stderr is kept to say why it ended.
struct DaemonTransport::CommandConnection : Connection {
  uvutil::ChildProcess* child = nullptr;  // until it is reaped or let go of (close())
  uv_pipe_t in{}, out{}, err{};
  std::string stderr_text;
  bool exited = false, out_ended = false;
  int exit_status = 0, term_signal = 0;

  uv_stream_t* stream() override { return reinterpret_cast<uv_stream_t*>(&in); }
  void close() override {
    for (uv_pipe_t* p : {&in, &out, &err})
      if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(p)))
        uv_close(reinterpret_cast<uv_handle_t*>(p), closed_cb);
    // A child still running is ended; it is reaped when it exits, so no zombie is left.
    if (child) std::exchange(child, nullptr)->release(SIGTERM);
  }
  void keep_stderr(std::string_view bytes) {
    stderr_text.append(bytes);
    if (stderr_text.size() > kMaxStderr) stderr_text.erase(0, stderr_text.size() - kMaxStderr);
  }
  // What the child wrote on stderr before it exited is in the pipe already: read it now,
  // so the reason is whole however the loop orders the pipe's and the exit's callbacks.
  void drain_stderr() {
    uv_os_fd_t fd = -1;
    if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&err)) ||
        uv_fileno(reinterpret_cast<uv_handle_t*>(&err), &fd) != 0)
      return;
    char buf[1024];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
      keep_stderr(std::string_view(buf, static_cast<std::size_t>(n)));
  }
  std::string explain(const CommandEnd& how) const {
    const ExplainEndFn& fn = owner->endpoint_.explain_end;
    return fn ? fn(how) : command_loss_reason(how);
  }
  void maybe_end() {
    if (!owner || !exited || !out_ended) return;
    drain_stderr();
    end(explain({stderr_text, term_signal == 0, exit_status, term_signal, "the connection closed"}));
  }
  void on_bytes(uv_stream_t* s, std::string_view bytes) override {
    if (s == reinterpret_cast<uv_stream_t*>(&err))
      keep_stderr(bytes);
    else
      deliver(bytes);
  }
  void on_stream_end(uv_stream_t* s, int) override {
    if (s == reinterpret_cast<uv_stream_t*>(&out)) {
      out_ended = true;
      maybe_end();
    }
    // stderr's end alone says nothing: the channel may go on.
  }
  // Returns 0, or the errno when the command could not be started.
  int spawn(uv_loop_t* loop, const std::vector<std::string>& command) {
    // Every handle's data is the Connection (closed_cb's and start_reading's view).
    for (uv_pipe_t* p : {&in, &out, &err}) {
      uv_pipe_init(loop, p, 0);
      p->data = static_cast<Connection*>(this);
    }
    open_handles = 3;
    // A socket pair for each of the child's stdin, stdout and stderr (as libuv's own
    // spawn made them): ours goes to its uv_pipe, the child's end to its fd.
    int pairs[3][2];
    int made = 0;
    for (; made < 3; ++made)
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pairs[made]) != 0) break;
    if (made < 3) {
      int error = errno;
      for (int i = 0; i < made; ++i) ::close(pairs[i][0]), ::close(pairs[i][1]);
      return error;
    }
    SpawnOptions o;
    o.argv = command;
    // Its own session, without the terminal: ssh cannot stop the voice session to ask for
    // a password (keys, an agent or a ControlMaster must do), nor get the terminal's Ctrl-C.
    o.group = SpawnOptions::Group::kNewSession;
    for (int fd = 0; fd < 3; ++fd) o.fds.push_back(SpawnFd::dup(fd, pairs[fd][1]));
    SpawnResult started;
    child = uvutil::ChildProcess::start(
        loop, o,
        [this](int status, int signal) {
          std::exchange(child, nullptr)->release(0);  // reaped: nothing left to end
          exited = true;
          exit_status = status;
          term_signal = signal;
          maybe_end();
        },
        started);
    for (int fd = 0; fd < 3; ++fd) ::close(pairs[fd][1]);  // the child's now, if it started
    uv_pipe_t* ours[3] = {&in, &out, &err};
    for (int fd = 0; fd < 3; ++fd) uv_pipe_open(ours[fd], pairs[fd][0]);
    if (!child) return started.error;
    start_reading(reinterpret_cast<uv_stream_t*>(&out));
    start_reading(reinterpret_cast<uv_stream_t*>(&err));
    return 0;
  }
};

DaemonTransport::DaemonTransport(uv_loop_t* loop, DaemonEndpoint endpoint, OpenedFn opened, DataFn data,
                                 LostFn lost)
    : loop_(loop),
      endpoint_(std::move(endpoint)),
      opened_(std::move(opened)),
      data_(std::move(data)),
      lost_(std::move(lost)) {}

DaemonTransport::~DaemonTransport() { close(); }

void DaemonTransport::open() {
  close();
  if (endpoint_.local()) {
    auto* c = new SocketConnection;
    c->owner = this;
    connection_ = c;
    c->connect(loop_, endpoint_.socket_path);
    return;
  }
  auto* c = new CommandConnection;
  c->owner = this;
  connection_ = c;
  if (int rc = c->spawn(loop_, endpoint_.command); rc != 0)
    return c->end(c->explain(
        {{}, false, 0, 0, fmt::format("cannot run {}: {}", endpoint_.command.front(), uv_strerror(-rc))}));
  opened_();
}

void DaemonTransport::write(std::string bytes) {
  if (connection_) write_to(connection_->stream(), std::move(bytes));
}

void DaemonTransport::close() {
  Connection* c = std::exchange(connection_, nullptr);
  if (!c) return;
  c->owner = nullptr;
  c->close();
}

long DaemonTransport::peer_pid() const { return connection_ ? connection_->peer_pid() : 0; }

}  // namespace ptt::realtime
