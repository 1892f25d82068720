// The doctor's probes: each looks at one part of the machine and reports facts.
// No verdicts here (see doctor.cpp).
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <linux/input.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "client/client.h"
#include "core/json_integer.h"
#include "core/local_accounts.h"
#include "core/ndjson.h"
#include "core/spawn.h"
#include "protocol/replies.h"
#include "taskcli/doctor.h"

namespace ptt::taskcli::doctor {
namespace fs = std::filesystem;

namespace {

struct RunResult {
  bool ran = false;  // exited with status 0 in time
  std::string output;
  std::string error;
};

// Runs argv with stdin from /dev/null; stdout (and stderr unless told not to), at most 256 KiB.
RunResult run_capture(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                      bool with_stderr = true) {
  RunResult r;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {false, "", std::strerror(errno)};
  SpawnOptions o;
  o.argv = argv;
  o.group = SpawnOptions::Group::kNewGroup;  // so a timeout kills its children too
  o.default_signals = false;                 // as a forked child: ours
  o.fds = {SpawnFd::open(0, "/dev/null", O_RDONLY), SpawnFd::dup(1, fds[1]),
           with_stderr ? SpawnFd::dup(2, fds[1]) : SpawnFd::open(2, "/dev/null", O_WRONLY)};
  SpawnResult spawned = spawn(o);
  if (!spawned.started()) {
    ::close(fds[0]);
    ::close(fds[1]);
    return {false, "", "cannot be executed"};
  }
  pid_t pid = spawned.pid;
  ::close(fds[1]);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  char buf[4096];
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd p{fds[0], POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) == 0) {
      timed_out = true;
      break;
    }
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (r.output.size() < 256 * 1024) r.output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(-pid, SIGKILL);  // not reaped yet: the pid (its group's id) is still our child's
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    r.error = fmt::format("no answer within {} s", timeout.count());
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    r.ran = true;
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && r.output.empty()) {
    r.error = "cannot be executed";
  } else {
    r.error = WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                : fmt::format("killed by signal {}", WTERMSIG(status));
  }
  return r;
}

std::string find_on_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), F_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (::access(candidate.c_str(), X_OK) == 0 && !fs::is_directory(candidate)) return candidate.string();
    start = end + 1;
  }
  return "";
}

bool has_letter_keys(int fd) {
  unsigned char bits[KEY_MAX / 8 + 1] = {};
  if (::ioctl(fd, EVIOCGBIT(EV_KEY, sizeof bits), bits) < 0) return false;
  auto has = [&](int code) { return (bits[code / 8] >> (code % 8)) & 1; };
  return has(KEY_A) && has(KEY_Z) && has(KEY_SPACE);
}

}  // namespace

ClaudeFacts probe_claude(const std::string& requested, const std::string& source) {
  ClaudeFacts c;
  c.requested = requested;
  c.source = source;
  c.resolved = find_on_path(requested);
  if (c.resolved.empty()) return c;
  RunResult version = run_capture({c.resolved, "--version"}, std::chrono::seconds(15));
  c.version_ran = version.ran;
  c.run_error = version.error;
  c.version = version.output.substr(0, std::min<std::size_t>(version.output.find('\n'), 80));
  if (!c.version_ran) return c;
  RunResult help = run_capture({c.resolved, "--help"}, std::chrono::seconds(15));
  c.help_ran = help.ran;
  c.stream_json = help.output.find("stream-json") != std::string::npos;
  return c;
}

SandboxFacts probe_sandbox() {
  SandboxFacts s;
  s.bwrap = find_on_path("bwrap");
  s.socat = find_on_path("socat");
  if (s.bwrap.empty()) return s;
  // The namespaces Claude Code's sandbox asks bwrap for (user, pid, net, a fresh /proc).
  RunResult r = run_capture({s.bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                             "--unshare-all", "--die-with-parent", "true"},
                            std::chrono::seconds(15));
  s.bwrap_ran = r.ran;
  if (!r.ran) {
    std::string said = r.output.substr(0, std::min<std::size_t>(r.output.find('\n'), 200));
    s.bwrap_error = said.empty() ? r.error : fmt::format("{} ({})", said, r.error);
  }
  return s;
}

// A file that does not parse is ptt-realtime's own error to report; here it sets nothing.
ModelFacts probe_models(const std::string& config_file) {
  ModelFacts m;
  m.config_file = config_file;
  std::error_code ec;
  if (!fs::is_regular_file(config_file, ec)) return m;
  try {
    toml::table file = toml::parse_file(config_file);
    m.realtime_model = file["ptt-realtime"]["model"].value_or(std::string());
    m.transcription_model = file["ptt-realtime"]["transcribe-model"].value_or(std::string());
  } catch (const toml::parse_error&) {
  }
  return m;
}

KeyFacts probe_api_key() {
  KeyFacts k;
  const char* key = std::getenv("OPENAI_API_KEY");
  k.present = key && *key;
  if (k.present) {
    for (const char* p = key; *p; ++p)
      if (std::isspace(static_cast<unsigned char>(*p))) k.has_whitespace = true;
  }
  return k;
}

// ptt-listen next to ptt-task, else on PATH; empty: none.
std::string find_listen() {
  std::error_code ec;
  fs::path sibling = fs::read_symlink("/proc/self/exe", ec).parent_path() / "ptt-listen";
  return !ec && ::access(sibling.c_str(), X_OK) == 0 ? sibling.string() : find_on_path("ptt-listen");
}

// ptt-listen owns the audio stack; asking it keeps PortAudio out of ptt-task (linked
// statically for start-up speed) and checks the tool that will really capture.
AudioFacts probe_audio() {
  AudioFacts a;
  std::string listen = find_listen();
  if (listen.empty()) {
    a.error = "ptt-listen is not installed next to ptt-task or on PATH";
    return a;
  }
  RunResult r = run_capture({listen, "--list-devices", "--json"}, std::chrono::seconds(15), false);
  if (!r.ran) {
    a.error = fmt::format("`{} --list-devices` failed: {}", listen, r.error);
    return a;
  }
  try {
    JsonLine devices = parse_json_line(r.output);
    if (!devices.value) throw std::runtime_error(devices.error);
    for (const auto& d : *devices.value) {
      ++a.input_devices;
      if (d.value("default", false)) a.default_input = d.value("name", "");
    }
  } catch (const std::exception& e) {
    a.error = fmt::format("`{} --list-devices --json` printed no device list: {}", listen, e.what());
  }
  return a;
}

// ptt-listen holds the D-Bus adapter, so sd-bus stays out of ptt-task too. It exits 3
// when there is no portal, with the JSON answer all the same.
PortalFacts probe_portal() {
  PortalFacts p;
  std::string listen = find_listen();
  if (listen.empty()) {
    p.error = "ptt-listen is not installed next to ptt-task or on PATH";
    return p;
  }
  RunResult r = run_capture({listen, "--check-portal", "--json"}, std::chrono::seconds(15), false);
  JsonLine answer = parse_json_line(r.output);
  if (!answer.value || !answer.value->is_object()) {
    p.error = fmt::format("`{} --check-portal --json` gave no answer ({})", listen,
                          r.error.empty() ? answer.error : r.error);
    return p;
  }
  try {  // value() throws on a field of another type
    p.available = answer.value->value("available", false);
    p.version = integer_if<long>(answer.value->value("version", nlohmann::json())).value_or(0);
    p.why = answer.value->value("error", "");
  } catch (const std::exception& e) {
    p.available = false;
    p.error = fmt::format("`{} --check-portal --json` gave an odd answer: {}", listen, e.what());
  }
  return p;
}

KeyboardFacts probe_keyboards(const std::string& dir) {
  KeyboardFacts k;
  k.dir = dir;
  std::error_code ec;
  k.dir_exists = fs::is_directory(dir, ec);
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename();
    if (name.rfind("event", 0) != 0) continue;
    ++k.event_nodes;
    int fd = ::open(entry.path().c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      k.unreadable += errno == EACCES || errno == EPERM;
      continue;
    }
    if (has_letter_keys(fd) && k.keyboards++ == 0) k.first_keyboard = entry.path().string();
    ::close(fd);
  }
  if (auto input = find_local_group("input")) {
    k.in_input_group = ::getegid() == input->gid;
    int n = ::getgroups(0, nullptr);
    std::vector<gid_t> groups(n > 0 ? n : 0);
    if (n > 0 && ::getgroups(n, groups.data()) == n) {
      for (gid_t gid : groups) k.in_input_group = k.in_input_group || gid == input->gid;
    }
    if (auto me = find_local_user(::getuid())) {
      k.listed_in_input_group =
          std::find(input->members.begin(), input->members.end(), me->name) != input->members.end();
    }
  }
  return k;
}

DaemonFacts probe_daemon(const std::string& socket, std::chrono::milliseconds timeout) {
  DaemonFacts d;
  d.socket = socket;
  int err = 0;
  auto probe = client::DaemonConnection::try_connect(socket, err, timeout);
  if (!probe) {
    d.nobody_listens = err == ENOENT || err == ECONNREFUSED;
    d.not_answering = err == EAGAIN;  // its queue stays full
    d.error = std::strerror(err);
    return d;
  }
  long listener = client::daemon_pid_of(probe->fd());
  probe.reset();
  try {
    client::ConnectOptions options;
    options.socket = socket;
    options.autostart = false;  // the doctor looks; it never starts anything
    options.reply_timeout = timeout;
    client::Client c(options);
    auto hello = c.hello_reply().get<protocol::HelloReply>();
    d.server = hello.server;
    d.pid = static_cast<long>(hello.pid);
    d.reachable = true;
  } catch (const client::NoAnswerError& e) {
    d.not_answering = true;
    d.pid = listener;
    d.stopped = client::process_stopped(listener);
    d.error = e.what();
  } catch (const std::exception& e) {
    d.error = e.what();
  }
  return d;
}

StateDirFacts probe_state_dir(const std::string& path) {
  StateDirFacts s;
  s.path = path;
  std::error_code ec;
  s.exists = fs::exists(path, ec);
  fs::path probe_in = path;
  if (s.exists && !fs::is_directory(path, ec)) {
    s.error = "it is not a directory";
    return s;
  }
  while (!s.exists && !probe_in.empty() && !fs::exists(probe_in, ec)) probe_in = probe_in.parent_path();
  if (!fs::is_directory(probe_in, ec)) {
    s.error = probe_in.string() + " is in the way (not a directory)";
    return s;
  }
  // Root passes access(W_OK) everywhere; creating a file is the real test.
  std::string tmpl = (probe_in / ".ptt-doctor-XXXXXX").string();
  int fd = ::mkstemp(tmpl.data());
  if (fd < 0) {
    s.error = std::strerror(errno);
    return s;
  }
  ::close(fd);
  ::unlink(tmpl.c_str());
  s.writable = true;
  return s;
}

}  // namespace ptt::taskcli::doctor
