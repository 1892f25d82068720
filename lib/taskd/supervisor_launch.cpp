#include "taskd/supervisor_launch.h"

#include <cerrno>
#include <csignal>
#include <filesystem>
#include <vector>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/process_identity.h"
#include "core/spawn.h"
#include "core/version.h"
#include "taskd/record_store.h"

namespace ptt::taskd {
namespace fs = std::filesystem;

std::optional<std::string> find_supervisor_executable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  for (const fs::path& candidate : {self.parent_path() / "ptt-supervise",
                                    self.parent_path() / PTT_SUPERVISE_FROM_BIN / "ptt-supervise"}) {
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

bool supervisor_alive(pid_t pid) {
  if (pid <= 0 || !process_start_time(pid)) return false;
  std::string comm = read_file(fs::path("/proc") / std::to_string(pid) / "comm");
  return comm.rfind("ptt-supervise", 0) == 0;
}

SupervisorLink::SupervisorLink(uv_loop_t* loop, std::string executable, LostFn on_lost)
    : loop_(loop), executable_(std::move(executable)), on_lost_(std::move(on_lost)) {}

SupervisorLink::~SupervisorLink() { close(); }

bool SupervisorLink::start() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return false;
  // The daemon's libuv signal handlers must never run in the child: every
  // signal starts at its default, none blocked. A session of its own: the
  // server and its agents outlive the daemon, and a Ctrl-C at the daemon's
  // terminal does not reach them.
  SpawnOptions o;
  o.argv = {"ptt-supervise"};
  o.executable = executable_;
  o.group = SpawnOptions::Group::kNewSession;
  o.fds = {SpawnFd::dup(0, fds[1]), SpawnFd::open(1, "/dev/null", O_WRONLY)};
  SpawnResult spawned = spawn(o);
  int rc = spawned.error;
  pid_t pid = spawned.pid;
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    errno = rc;
    return false;
  }
  pipe_ = new uv_pipe_t;
  uv_pipe_init(loop_, pipe_, 0);
  pipe_->data = this;
  uv_pipe_open(pipe_, fds[0]);
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(pipe_),
      [](uv_handle_t*, size_t, uv_buf_t* buf) {
        static char chunk[4096];
        *buf = uv_buf_init(chunk, sizeof chunk);
      },
      [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
        static_cast<SupervisorLink*>(s->data)->on_read(n, buf);
      });
  pid_ = pid;
  start_time_ = process_start_time(pid);  // our child, not reaped yet: surely the server
  framer_ = LineFramer();
  return true;
}

pid_t SupervisorLink::run(const supervise::AgentRequest& request) {
  if (!pipe_ && !start()) return -1;
  send(supervise::to_line(request));
  return pid_;
}

bool SupervisorLink::cancel(pid_t server, std::int64_t task) {
  if (!pipe_ || server != pid_) return false;
  send(supervise::to_line(supervise::CancelAgentRequest{task}));
  return true;
}

bool SupervisorLink::close_input(pid_t server, std::int64_t task) {
  if (!pipe_ || server != pid_) return false;
  send(supervise::to_line(supervise::CloseInputRequest{task}));
  return true;
}

void SupervisorLink::send(std::string line) {
  struct Write {
    uv_write_t req;
    std::string data;
  };
  auto* w = new Write{{}, std::move(line)};
  uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  // A failed write means the server died: its SIGCHLD ends the tasks it had.
  int rc = uv_write(&w->req, reinterpret_cast<uv_stream_t*>(pipe_), &buf, 1,
                    [](uv_write_t* req, int) { delete reinterpret_cast<Write*>(req); });
  if (rc != 0) delete w;
}

void SupervisorLink::on_read(ssize_t n, const uv_buf_t* buf) {
  if (n < 0) {  // EOF: the server is gone (or going); its SIGCHLD says the rest
    close();
    return;
  }
  framer_.feed(
      std::string_view(buf->base, static_cast<std::size_t>(n)),
      [this](std::string_view line) {
        JsonLine parsed = parse_json_line(line);
        if (!parsed.value || !parsed.value->is_object()) return;
        const auto& v = *parsed.value;
        auto task = v.find("task"), lost = v.find("lost");
        if (task != v.end() && task->is_number_integer() && lost != v.end() && lost->is_string())
          on_lost_(task->get<std::int64_t>(), lost->get<std::string>());
      },
      [](std::size_t) {});
}

void SupervisorLink::reaped(pid_t pid) {
  if (pid == pid_) close();
}

void SupervisorLink::close() {
  if (!pipe_) return;
  uv_close(reinterpret_cast<uv_handle_t*>(pipe_),
           [](uv_handle_t* h) { delete reinterpret_cast<uv_pipe_t*>(h); });
  pipe_ = nullptr;
  pid_ = 0;
  start_time_.reset();
}

}  // namespace ptt::taskd
