#include "tasktop/link.h"

#include <algorithm>

#include <fmt/format.h>

#include "protocol/events.h"
#include "protocol/replies.h"
#include "taskcli/session.h"

namespace ptt::tasktop {
using namespace ptt::taskcli;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

// Reconnection attempts start fast (a restart takes a fraction of a second) and slow
// down to one every two seconds while the daemon stays away.
constexpr milliseconds kFirstBackoff{100};
constexpr milliseconds kMaxBackoff{2000};
// The finished tasks the dashboard shows: the newest thousand.
constexpr std::uint64_t kTopFinishedTasks = 1000;

}  // namespace

DaemonLinks::DaemonLinks(client::ConnectOptions options, Model& model)
    : options_(std::move(options)), model_(model), liveness_(options_.reply_timeout, steady_clock::now()) {}

void DaemonLinks::connect() {
  auto c = std::make_unique<client::Client>(options_);
  auto on_event = [this](const json& ev) { return handle_event(ev), true; };
  std::string server = taskcli::hello_of(*c).server;
  taskcli::ask(*c, protocol::SubscribeRequest{}, on_event);
  // Subscribed first: an event between the two is not lost, and the list (newer) wins.
  // The newest finished tasks only: a dashboard of months of history would start slowly
  // and hold it all, and nobody scrolls to it (`ptt-task list --all` does).
  const protocol::ListRequest list{.finished_limit = kTopFinishedTasks};
  protocol::TasksReply listed = protocol::readable_tasks(c->request(list.kOp, json(list), on_event));
  model_.set_tasks(std::move(listed.tasks));
  model_.set_queue_hold(std::move(listed.queue_hold));
  model_.set_daemon_version(std::move(server));
  model_.set_connected(true);
  model_.set_unresponsive({});
  liveness_ = client::Liveness(options_.reply_timeout, steady_clock::now());
  events_ = std::move(c);
  backoff_ = milliseconds{0};
  followed_.reset();  // the detail link is opened again for the selected task
}

void DaemonLinks::try_reconnect() {
  if (events_ || steady_clock::now() < next_attempt_) return;
  options_.autostart = false;
  try {
    connect();
    model_.set_message("ptt-taskd is back");
  } catch (const std::exception&) {
    backoff_ = std::min(kMaxBackoff, backoff_ == milliseconds{0} ? kFirstBackoff : backoff_ * 2);
    next_attempt_ = steady_clock::now() + backoff_;
  }
}

int DaemonLinks::reconnect_wait_ms() const {
  if (events_) return -1;
  auto left = std::chrono::duration_cast<milliseconds>(next_attempt_ - steady_clock::now()).count();
  return static_cast<int>(std::max<long long>(0, left));
}

void DaemonLinks::lost() {
  events_.reset();
  detail_.reset();
  followed_.reset();
  model_.set_connected(false);
  backoff_ = kFirstBackoff;
  next_attempt_ = steady_clock::now() + backoff_;
}

void DaemonLinks::keep_alive() {
  // A zero reply timeout is none: nothing to ping by.
  if (!events_ || options_.reply_timeout.count() == 0) return;
  switch (liveness_.check(steady_clock::now())) {
    case client::Liveness::Due::kPing:
      events_->send_ping();
      break;
    case client::Liveness::Due::kUnresponsive:
      model_.set_unresponsive(
          client::no_answer_message(options_.reply_timeout, client::daemon_pid_of(events_fd())) +
          "; waiting…");
      break;
    case client::Liveness::Due::kNothing:
      break;
  }
}

int DaemonLinks::keep_alive_wait_ms() const {
  if (!events_ || options_.reply_timeout.count() == 0) return -1;
  auto wait = liveness_.until_next_check(steady_clock::now());
  return wait ? static_cast<int>(wait->count()) : -1;
}

void DaemonLinks::heard() {
  if (liveness_.heard(steady_clock::now())) {
    model_.set_unresponsive({});
    model_.set_message("ptt-taskd answers again");
  }
}

int DaemonLinks::events_fd() const { return events_ ? events_->connection().fd() : -1; }
int DaemonLinks::detail_fd() const { return detail_ ? detail_->connection().fd() : -1; }

bool DaemonLinks::has_buffered_line() const {
  return (events_ && events_->connection().has_buffered_line()) ||
         (detail_ && detail_->connection().has_buffered_line());
}

void DaemonLinks::handle_event(const json& ev) { model_.apply_event(ev); }

void DaemonLinks::read_events(bool socket_readable) {
  if (!events_ || (!socket_readable && !events_->connection().has_buffered_line())) return;
  try {
    do {
      json line = events_->connection().read();
      heard();
      handle_event(line);
    } while (events_->connection().has_buffered_line());
  } catch (const client::UnreachableError&) {
    lost();
  }
}

void DaemonLinks::handle_detail(const json& message) {
  if (!followed_) return;
  auto ev = protocol::parse_event(message);
  if (!ev || protocol::task_of(*ev) != *followed_) return;
  if (std::holds_alternative<protocol::LogEnd>(*ev)) {
    detail_.reset();  // the whole log is shown; nothing more will come
  } else if (const auto* log = std::get_if<protocol::LogLine>(&*ev)) {
    if (log->line) {
      model_.add_log_line(*followed_, *log->line);
    } else {
      model_.add_log_note(*followed_,
                          fmt::format("a line of {} bytes is not shown; `ptt-task logs --raw {}` has it",
                                      log->omitted_bytes.value_or(0), *followed_));
    }
  }
}

void DaemonLinks::read_detail(bool socket_readable) {
  if (!detail_ || (!socket_readable && !detail_->connection().has_buffered_line())) return;
  try {
    do {
      handle_detail(detail_->connection().read());
    } while (detail_ && detail_->connection().has_buffered_line());
  } catch (const client::UnreachableError&) {
    detail_.reset();  // the events link notices a daemon that went away
  }
}

void DaemonLinks::follow_selected() {
  auto id = model_.selected();
  // Not while the daemon does not answer: opening the log would wait for it.
  if (!events_ || !id || followed_ == id || liveness_.unresponsive()) return;
  detail_.reset();
  followed_ = id;
  model_.start_detail(*id);
  try {
    client::ConnectOptions o = options_;
    o.autostart = false;
    detail_ = std::make_unique<client::Client>(o);
    taskcli::ask(*detail_, protocol::LogsRequest{.task = *id, .follow = true},
                 [this](const json& ev) { return handle_detail(ev), true; });
  } catch (const client::RequestError& e) {
    model_.add_log_note(*id, e.what());
    detail_.reset();
  } catch (const client::UnreachableError&) {
    detail_.reset();
  }
}

json DaemonLinks::request(std::string_view op, json fields) {
  if (!events_) throw client::UnreachableError("ptt-taskd is gone");
  try {
    json reply =
        events_->request(op, std::move(fields), [this](const json& ev) { return handle_event(ev), true; });
    heard();
    return reply;
  } catch (const client::NoAnswerError& e) {
    // Still connected: its answer (ignored) and the events come when it goes on.
    model_.set_unresponsive(std::string(e.what()) + "; waiting…");
    throw;
  } catch (const client::UnreachableError&) {
    lost();
    throw;
  }
}

}  // namespace ptt::tasktop
