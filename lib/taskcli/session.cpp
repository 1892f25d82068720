#include "taskcli/session.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <thread>

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "core/cli.h"
#include "core/paths.h"

namespace ptt::taskcli {
using nlohmann::json;

namespace {

std::size_t terminal_width() {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS")) return static_cast<std::size_t>(std::atoi(c));
  return 0;
}

}  // namespace

CliSession::CliSession(const GlobalOptions& global, bool autostart_allowed)
    : global_(global), autostart_allowed_(autostart_allowed) {
  style_.color = use_color(STDOUT_FILENO);
  style_.max_width = is_tty(STDOUT_FILENO) ? terminal_width() : 0;
}

client::Host CliSession::host() const {
  const std::string& spec = global_.host;
  // A name needs the table; "local" and URLs do not (no file read on every start).
  bool named = !spec.empty() && spec != client::kLocalHost && spec.find("://") == std::string::npos;
  return client::resolve_host(spec,
                              named ? client::load_host_table(global_.config_file) : client::HostTable{});
}

client::ConnectOptions CliSession::connect_options() const {
  client::ConnectOptions o = local_connect_options();
  o.host = host();
  // The host's dial-stdio starts its daemon; a command that must not start one says so.
  if (!o.host.local() && !o.autostart) o.host.remote_command += " --no-autostart";
  return o;
}

client::ConnectOptions CliSession::local_connect_options() const {
  client::ConnectOptions o;
  o.socket = global_.socket.empty() ? default_socket_path() : std::filesystem::path(global_.socket);
  o.autostart = autostart_allowed_ && !global_.no_autostart && client::autostart_allowed_by_env();
  if (global_.timeout_s > 0) {
    // At least 1 ms: a zero would mean no limit at all.
    o.reply_timeout = std::max(std::chrono::milliseconds{1},
                               std::chrono::milliseconds{static_cast<long long>(global_.timeout_s * 1000)});
  }
  return o;
}

client::Client& CliSession::client() {
  if (!client_) client_ = std::make_unique<client::Client>(connect_options());
  return *client_;
}

std::string CliSession::daemon_name() const {
  client::Host h = host();
  return h.local() ? "ptt-taskd" : h.name;
}

std::string CliSession::shown_host() const {
  client::Host h = host();
  return h.local() ? run_for_ : h.name;
}

client::Client& CliSession::reconnect() {
  client_.reset();  // a failed attempt leaves none: the next one connects anew
  return client();
}

void write_stdout(std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      ::_exit(errno == EPIPE ? 0 : 1);
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

void end_when_stdout_reader_leaves() {
  struct stat st {};
  if (::fstat(STDOUT_FILENO, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) return;
  // No events asked for: poll reports only POLLERR (a pipe's reader closed) or POLLHUP.
  std::thread([] {
    pollfd p{STDOUT_FILENO, 0, 0};
    for (;;) {
      int n = ::poll(&p, 1, -1);
      if (n < 0 && errno == EINTR) continue;
      if (n > 0 && (p.revents & (POLLERR | POLLHUP))) ::_exit(0);
      if (n < 0 || p.revents & POLLNVAL) return;
    }
  }).detach();
}

double wall_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

json task_ref(const std::string& text) {
  bool digits =
      !text.empty() && text.size() < 18 && text.find_first_not_of("0123456789") == std::string::npos;
  return digits ? json(std::stoll(text)) : json(text);
}

protocol::WaitRequest wait_request(const json& refs) {
  protocol::WaitRequest req;
  req.all = refs.is_null();
  if (refs.is_array()) req.tasks.assign(refs.begin(), refs.end());
  return req;
}

void unreadable_reply(const json::exception& e) {
  throw client::UnreachableError(std::string("the daemon sent a reply ptt-task cannot read (") + e.what() +
                                 ")" + client::kSameVersionAdvice);
}

protocol::HelloReply hello_of(client::Client& c) { return reply_from<protocol::HelloReply>(c.hello_reply()); }

}  // namespace ptt::taskcli
