#include "tasktop/link.h"

#include <algorithm>

#include <fmt/format.h>

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

bool is_task_id(const json& j) { return j.is_number_integer(); }

}  // namespace

DaemonLinks::DaemonLinks(client::ConnectOptions options, Model& model)
    : options_(std::move(options)), model_(model) {}

void DaemonLinks::connect() {
  auto c = std::make_unique<client::Client>(options_);
  auto on_event = [this](const json& ev) { return handle_event(ev), true; };
  const json& hello = c->hello_reply();
  taskcli::ask(*c, protocol::SubscribeRequest{}, on_event);
  // Subscribed first: an event between the two is not lost, and the list (newer) wins.
  json reply = taskcli::ask(*c, protocol::ListRequest{}, on_event);
  std::vector<protocol::TaskRecord> tasks;
  if (auto it = reply.find("tasks"); it != reply.end() && it->is_array()) {
    for (const auto& t : *it) {
      try {
        tasks.push_back(t.get<protocol::TaskRecord>());
      } catch (const json::exception&) {
        // One record this version cannot read does not hide the others.
      }
    }
  }
  model_.set_tasks(std::move(tasks));
  model_.set_daemon_version(hello.value("server", std::string()));
  model_.set_connected(true);
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
      handle_event(events_->connection().read());
    } while (events_->connection().has_buffered_line());
  } catch (const client::UnreachableError&) {
    lost();
  }
}

void DaemonLinks::handle_detail(const json& ev) {
  if (!ev.is_object() || !followed_) return;
  auto task = ev.find("task");
  if (task == ev.end() || !is_task_id(*task) || task->get<std::int64_t>() != *followed_) return;
  std::string kind = ev.value("event", "");
  if (kind == "log_end") {
    detail_.reset();  // the whole log is shown; nothing more will come
  } else if (kind == "log") {
    if (auto line = ev.find("line"); line != ev.end() && line->is_string()) {
      model_.add_log_line(*followed_, line->get_ref<const std::string&>());
    } else if (auto omitted = ev.find("omitted_bytes"); omitted != ev.end()) {
      model_.add_log_note(*followed_,
                          fmt::format("a line of {} bytes is not shown; `ptt-task logs --raw {}` has it",
                                      omitted->dump(), *followed_));
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
  if (!events_ || !id || followed_ == id) return;
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
    return events_->request(op, std::move(fields), [this](const json& ev) { return handle_event(ev), true; });
  } catch (const client::UnreachableError&) {
    lost();
    throw;
  }
}

}  // namespace ptt::tasktop
