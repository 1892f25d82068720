// `ptt-task top`'s loop: one thread, one poll() over the terminal, the daemon links
// and a signal pipe; the state is a Model, drawn by a Screen.
#include "tasktop/dashboard.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

#include "client/host.h"
#include "core/cli.h"
#include "core/exit_status.h"
#include "core/spawn.h"
#include "taskcli/session.h"
#include "tasktop/link.h"
#include "tasktop/model.h"
#include "tasktop/review.h"
#include "tasktop/screen.h"
#include "tasktop/signals.h"

namespace ptt::tasktop {
using nlohmann::json;
using taskcli::write_stdout;

namespace {

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// `ptt-task logs -f ID` as a child on the real terminal; back to the dashboard when it
// ends, on Ctrl-C (the child gets it too) or on q. Returns true when top should quit
// (SIGTERM or SIGHUP meanwhile).
bool follow_logs(Screen& screen, const DashboardOptions& o, std::int64_t id) {
  screen.suspend();
  write_stdout(fmt::format("── ptt-task logs -f {} · q or Ctrl-C returns to top ──\n", id));
  SpawnResult spawned = spawn(ptt_task_command(o, {"logs", "-f", std::to_string(id)}));
  // A child that cannot run leaves its error on the screen until a key, as the
  // logs would stay.
  if (!spawned.started())
    print_error("ptt-task", fmt::format("cannot run ptt-task logs ({})", std::strerror(spawned.error)));
  pid_t child = spawned.pid;
  bool quit = false;
  // q without Enter and without echo; Ctrl-C still makes a SIGINT for both of us.
  termios saved{}, keys{};
  bool tty = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  keys = saved;
  keys.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO);
  keys.c_cc[VMIN] = 1;
  keys.c_cc[VTIME] = 0;
  if (tty) ::tcsetattr(STDIN_FILENO, TCSANOW, &keys);
  for (bool running = true; running;) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {signal_fd(), POLLIN, 0}};
    ::poll(fds, 2, -1);
    std::uint64_t sigs = take_signals();
    if (has(sigs, SIGTERM) || has(sigs, SIGHUP)) quit = true;
    bool stop = quit || has(sigs, SIGINT);
    if (fds[0].revents & POLLIN) {
      char c = 0;
      if (::read(STDIN_FILENO, &c, 1) == 1 && (c == 'q' || c == 'Q')) stop = true;
    }
    if (child < 0) break;
    if (stop) ::kill(child, SIGTERM);  // not reaped yet: the pid is still our child's
    int status = 0;
    if (::waitpid(child, &status, stop ? 0 : WNOHANG) == child) running = false;
  }
  if (tty) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  screen.resume();
  return quit;
}

// Runs one action against the daemon, telling the outcome in the status bar.
void carry_out(const TopAction& a, DaemonLinks& links, Model& model) {
  const protocol::TaskRecord* t = model.find(a.task);
  std::string label = t ? task_label(*t) : std::to_string(a.task);
  try {
    if (a.kind == TopAction::kCancel) {
      links.request(protocol::CancelRequest{.task = a.task, .all = false});
      model.set_message(fmt::format("cancelling task {}…", label));
    } else if (a.kind == TopAction::kAllow || a.kind == TopAction::kDeny) {
      bool allow = a.kind == TopAction::kAllow;
      protocol::AnswerPermissionReply reply = links.request(protocol::AnswerPermissionRequest{
          .task = a.task, .allow = allow, .by = std::string(protocol::answered_by::kDashboard)});
      model.set_message(
          fmt::format("{} task {}'s call ({})", allow ? "allowed" : "denied", label, reply.request));
    } else if (a.kind == TopAction::kFollowUp || a.kind == TopAction::kRetry) {
      protocol::TaskReply reply =
          a.kind == TopAction::kFollowUp
              ? links.request(protocol::FollowUpRequest{.task = a.task, .prompt = a.prompt})
              : links.request(protocol::RetryRequest{.task = a.task});
      std::int64_t made = reply.task.id;
      model.upsert(std::move(reply.task));
      model.select(made);
      model.set_message(fmt::format("task {} started: {} of task {}", made,
                                    a.kind == TopAction::kRetry ? "a retry" : "a follow-up", label));
    }
  } catch (const client::RequestError& e) {
    model.set_message(e.what(), true);
  } catch (const client::UnreachableError&) {
    // The model shows the daemon as gone; the loop reconnects.
  } catch (const json::exception& e) {
    model.set_message(fmt::format("the daemon's reply cannot be read ({})", e.what()), true);
  }
}

// D, m and x (review.h), the outcome in the status bar. True when top should quit.
bool review(const TopAction& a, Screen& screen, DaemonLinks& links, Model& model, const DashboardOptions& o) {
  const protocol::TaskRecord* known = model.find(a.task);
  std::string label = known ? task_label(*known) : std::to_string(a.task);
  ReviewOutcome done;
  if (a.kind == TopAction::kDiff) {
    protocol::TaskRecord t;
    try {
      // The whole record as it is now (its base commit is set after `created`), as `diff` asks.
      t = links.request(protocol::GetRequest{a.task}).task;
    } catch (const client::RequestError& e) {
      model.set_message(e.what(), true);
      return false;
    } catch (const client::UnreachableError&) {
      return false;  // the model shows the daemon as gone; the loop reconnects
    } catch (const json::exception& e) {
      model.set_message(fmt::format("the daemon's reply cannot be read ({})", e.what()), true);
      return false;
    }
    done = show_diff_in_pager(screen, t, o.color);
  } else {
    bool merge = a.kind == TopAction::kMerge;
    model.set_message(fmt::format("{} task {}…", merge ? "merging" : "discarding", label));
    screen.draw(model.render(screen.width(), screen.height(), now_seconds()));
    std::string id = std::to_string(a.task);
    done = run_ptt_task(
        o, merge ? std::vector<std::string>{"merge", id} : std::vector<std::string>{"discard", "--yes", id});
  }
  model.set_message(done.message, !done.ok);
  return done.quit;
}

int poll_timeout_ms(const Model& model, const DaemonLinks& links) {
  if (!links.connected()) return links.reconnect_wait_ms();
  int keep_alive = links.keep_alive_wait_ms();
  if (!model.clocks_running()) return keep_alive;  // nothing moves: sleep until an event, a key or a ping
  double now = now_seconds();
  int next_second = static_cast<int>((1.0 - (now - static_cast<long long>(now))) * 1000) + 1;
  return keep_alive < 0 ? next_second : std::min(next_second, keep_alive);
}

int dashboard_loop(Screen& screen, Model& model, DaemonLinks& links, const DashboardOptions& o) {
  for (;;) {
    screen.draw(model.render(screen.width(), screen.height(), now_seconds()));
    links.follow_selected();
    if (links.has_buffered_line()) {
      links.read_events(false);
      links.read_detail(false);
      continue;
    }
    pollfd fds[4] = {{STDIN_FILENO, POLLIN, 0},
                     {signal_fd(), POLLIN, 0},
                     {links.events_fd(), POLLIN, 0},
                     {links.detail_fd(), POLLIN, 0}};
    int n = ::poll(fds, 4, poll_timeout_ms(model, links));
    if (n < 0 && errno != EINTR)
      throw std::runtime_error(fmt::format("poll failed ({})", std::strerror(errno)));
    std::uint64_t sigs = take_signals();
    if (has(sigs, SIGINT) || has(sigs, SIGTERM) || has(sigs, SIGHUP)) return kExitInterrupted;
    if (has(sigs, SIGWINCH)) screen.resize();
    links.read_events(fds[2].revents != 0);
    links.read_detail(fds[3].revents != 0);
    while (auto key = screen.read_key()) {
      TopAction a = model.press(*key);
      if (a.kind == TopAction::kQuit) return kExitOk;
      if (a.kind == TopAction::kOpenLogs) {
        if (follow_logs(screen, o, a.task)) return kExitInterrupted;
      } else if (a.kind == TopAction::kDiff || a.kind == TopAction::kMerge || a.kind == TopAction::kDiscard) {
        if (review(a, screen, links, model, o)) return kExitInterrupted;
      } else if (a.kind != TopAction::kNone) {
        carry_out(a, links, model);
      }
    }
    links.try_reconnect();
    links.keep_alive();
  }
}

}  // namespace

int run_dashboard(const DashboardOptions& o) {
  Model model;
  if (!o.host.empty()) {
    model.set_host(o.host);
    set_hint_command("ptt-task", "ptt-task --host " + client::shell_quote(o.host));
  }
  DaemonLinks links(o.connect, model);
  try {
    links.connect();  // no daemon, and none can be started: said before the screen changes
  } catch (const client::UnreachableError& e) {
    print_error("ptt-task", e.what());
    return kExitUnreachable;
  }
  catch_signals();
  int rc = kExitOk;
  std::string error;
  try {
    Screen screen(o.color);
    rc = dashboard_loop(screen, model, links, o);
  } catch (const std::exception& e) {
    error = e.what();  // said after the screen is restored, where it can be read
  }
  if (!error.empty()) {
    print_error("ptt-task", error);
    return kExitFailure;
  }
  return rc;
}

}  // namespace ptt::tasktop
