#include "taskd/agent_input.h"

#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ptt::taskd {

// Lives until libuv has closed the handle: a write's callback may come after the
// AgentInput is gone (cancelled by the close).
struct AgentInput::Pipe {
  uv_pipe_t handle{};
  std::size_t writes_in_flight = 0;
  std::function<void()> on_drained;  // set by close_when_written()

  void close() {
    uv_close(reinterpret_cast<uv_handle_t*>(&handle),
             [](uv_handle_t* h) { delete static_cast<Pipe*>(h->data); });
  }
};

namespace {
struct Write {
  uv_write_t req{};
  std::string data;
  void* pipe = nullptr;
};
}  // namespace

AgentInput::~AgentInput() {
  if (pipe_) pipe_->close();  // what is not written yet is dropped: the task has ended
}

void AgentInput::make_fifo(const std::filesystem::path& fifo) {
  if (::mkfifo(fifo.c_str(), 0600) != 0 && errno != EEXIST)
    throw std::system_error(errno, std::generic_category(), "mkfifo " + fifo.string());
}

bool AgentInput::open(const std::filesystem::path& fifo) {
  if (pipe_) return true;
  int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  auto* p = new Pipe;
  if (int rc = uv_pipe_init(loop_, &p->handle, 0); rc != 0) {
    ::close(fd);
    delete p;
    errno = -rc;
    return false;
  }
  p->handle.data = p;
  if (int rc = uv_pipe_open(&p->handle, fd); rc != 0) {
    ::close(fd);
    p->close();
    errno = -rc;
    return false;
  }
  pipe_ = p;
  return true;
}

void AgentInput::write(std::string line) {
  if (!pipe_) return;
  auto* w = new Write;
  w->data = std::move(line);
  w->req.data = w;
  w->pipe = pipe_;
  uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned>(w->data.size()));
  ++pipe_->writes_in_flight;
  int rc =
      uv_write(&w->req, reinterpret_cast<uv_stream_t*>(&pipe_->handle), &buf, 1, [](uv_write_t* req, int) {
        auto* w = static_cast<Write*>(req->data);
        auto* p = static_cast<Pipe*>(w->pipe);
        delete w;
        if (--p->writes_in_flight == 0 && p->on_drained) {
          auto done = std::move(p->on_drained);
          p->on_drained = nullptr;
          p->close();
          done();
        }
      });
  if (rc != 0) {
    --pipe_->writes_in_flight;
    delete w;
  }
}

void AgentInput::close_when_written(std::function<void()> done) {
  Pipe* p = pipe_;
  pipe_ = nullptr;
  if (!p) return done();
  if (p->writes_in_flight == 0) {
    p->close();
    return done();
  }
  p->on_drained = std::move(done);
}

}  // namespace ptt::taskd
