#include "realtime/task_command_runner.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

#include "core/spawn.h"
#include "uvutil/child_process.h"

namespace ptt::realtime {
namespace fs = std::filesystem;

namespace {

std::string ptt_task_executable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path sibling = self.parent_path() / "ptt-task";
    if (fs::exists(sibling, ec)) return sibling.string();
  }
  return "ptt-task";
}

// One child: freed once it is reaped and its pipe is closed.
struct Child {
  uvutil::ChildProcess* process = nullptr;
  uv_pipe_t out{};
  std::string output;
  TaskCommandDone done;
  int status = -1;
  bool exited = false, eof = false;
  int parts_left = 2;  // the child's exit, the pipe's close

  void maybe_finish() {
    if (!exited || !eof || !done) return;
    auto call = std::move(done);
    done = nullptr;
    call(status, std::move(output));
  }
  void part_done() {
    if (--parts_left == 0) delete this;
  }
};

void on_closed(uv_handle_t* h) { static_cast<Child*>(h->data)->part_done(); }

}  // namespace

void run_task_command(uv_loop_t* loop, const std::string& socket_path, const std::string& host,
                      const std::vector<std::string>& args, TaskCommandDone done) {
  std::string exe = ptt_task_executable();
  // One pipe for both of the child's outputs: what it says, in the order it said it.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return done(-1, "cannot make a pipe for ptt-task");
  auto* c = new Child;
  c->done = std::move(done);
  uv_pipe_init(loop, &c->out, 0);
  uv_pipe_open(&c->out, fds[0]);
  c->out.data = c;
  SpawnOptions o;
  o.argv = {exe};
  if (!host.empty())
    o.argv.insert(o.argv.end(), {"--host", host});
  else
    o.argv.push_back("--no-autostart");
  if (host.empty() && !socket_path.empty()) o.argv.insert(o.argv.end(), {"--socket", socket_path});
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.fds = {SpawnFd::open(0, "/dev/null", O_RDONLY), SpawnFd::dup(1, fds[1]), SpawnFd::dup(2, fds[1])};
  SpawnResult spawned;
  c->process = uvutil::ChildProcess::start(
      loop, o,
      [c](int exit_status, int term_signal) {
        c->status = term_signal != 0 ? 128 + term_signal : exit_status;
        c->exited = true;
        std::exchange(c->process, nullptr)->release(0);
        c->maybe_finish();
        c->part_done();
      },
      spawned);
  ::close(fds[1]);  // the child's now: its end of the pipe is the only writer left
  if (!c->process) {
    TaskCommandDone call = std::move(c->done);
    c->part_done();  // no child to wait for
    uv_close(reinterpret_cast<uv_handle_t*>(&c->out), on_closed);
    call(-1, "cannot run " + exe + ": " + uv_strerror(-spawned.error));
    return;
  }
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&c->out),
      [](uv_handle_t*, size_t suggested, uv_buf_t* buf) {
        buf->base = new char[suggested];
        buf->len = suggested;
      },
      [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
        auto* c = static_cast<Child*>(s->data);
        if (n > 0 && c->output.size() < kMaxTaskCommandOutput)
          c->output.append(buf->base, std::min<std::size_t>(static_cast<std::size_t>(n),
                                                            kMaxTaskCommandOutput - c->output.size()));
        delete[] buf->base;
        if (n < 0) {
          c->eof = true;
          uv_close(reinterpret_cast<uv_handle_t*>(s), on_closed);
          c->maybe_finish();
        }
      });
}

}  // namespace ptt::realtime
