#include "realtime/task_command_runner.h"

#include <algorithm>
#include <filesystem>
#include <memory>

#include <fcntl.h>
#include <unistd.h>

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

// One child: freed once both its process handle and its pipe are closed.
struct Child {
  uv_process_t process{};
  uv_pipe_t out{};
  std::string output;
  TaskCommandDone done;
  int status = -1;
  bool exited = false, eof = false;
  int open_handles = 2;

  void maybe_finish() {
    if (!exited || !eof || !done) return;
    auto call = std::move(done);
    done = nullptr;
    call(status, std::move(output));
  }
};

void on_closed(uv_handle_t* h) {
  auto* c = static_cast<Child*>(h->data);
  if (--c->open_handles == 0) delete c;
}

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
  c->process.data = c;
  std::vector<std::string> argv_s = {exe};
  if (!host.empty())
    argv_s.insert(argv_s.end(), {"--host", host});
  else
    argv_s.push_back("--no-autostart");
  if (host.empty() && !socket_path.empty()) argv_s.insert(argv_s.end(), {"--socket", socket_path});
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  uv_stdio_container_t stdio[3];
  stdio[0].flags = UV_IGNORE;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = fds[1];
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = fds[1];
  uv_process_options_t o{};
  o.file = argv[0];
  o.args = argv.data();
  o.stdio = stdio;
  o.stdio_count = 3;
  o.exit_cb = [](uv_process_t* p, int64_t exit_status, int term_signal) {
    auto* c = static_cast<Child*>(p->data);
    c->status = term_signal != 0 ? 128 + term_signal : static_cast<int>(exit_status);
    c->exited = true;
    c->maybe_finish();
    uv_close(reinterpret_cast<uv_handle_t*>(p), on_closed);
  };
  int spawned = uv_spawn(loop, &c->process, &o);
  ::close(fds[1]);  // the child's now: its end of the pipe is the only writer left
  if (spawned != 0) {
    TaskCommandDone call = std::move(c->done);
    // libuv wants the process handle closed even when the spawn failed.
    uv_close(reinterpret_cast<uv_handle_t*>(&c->process), on_closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&c->out), on_closed);
    call(-1, "cannot run " + exe + ": " + uv_strerror(spawned));
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
