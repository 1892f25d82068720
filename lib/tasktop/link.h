#pragma once
// `ptt-task top`'s two daemon connections, feeding a tasktop::Model: the events link
// (subscribe, then list: every task's changes as they happen) and the detail link
// (`logs` with follow for the selected task, replaced when the selection moves).
// Both are the blocking client read only when poll() says a line is there, so the
// dashboard serves keys and events from one thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "client/client.h"
#include "client/liveness.h"
#include "protocol/requests.h"
#include "tasktop/model.h"

namespace ptt::tasktop {

class DaemonLinks {
 public:
  DaemonLinks(client::ConnectOptions options, Model& model);

  // Connects the events link (auto-starting the daemon when the options allow),
  // subscribes and loads every task. Throws client::UnreachableError.
  void connect();
  // After the daemon went away: one reconnection attempt when its backoff has
  // passed (never auto-starting: the daemon was stopped on purpose, or is restarting).
  void try_reconnect();
  // Milliseconds until try_reconnect() should run; -1 while connected.
  int reconnect_wait_ms() const;
  // A quiet events link is pinged; an unanswered ping marks the model unresponsive
  // until a line comes (client/liveness.h). Call it on every turn of the loop.
  void keep_alive();
  // Milliseconds until keep_alive() has something to do; -1: nothing until a line comes.
  int keep_alive_wait_ms() const;
  bool connected() const { return events_ != nullptr; }

  int events_fd() const;
  int detail_fd() const;
  // A whole line already buffered on either link (poll would not report it).
  bool has_buffered_line() const;
  // Reads the lines waiting on each link: those buffered, and (when poll said the
  // socket is readable) at least one more. Never blocks on an idle link.
  void read_events(bool socket_readable);
  void read_detail(bool socket_readable);
  // Follows the selected task's log when it is not the one followed already.
  void follow_selected();

  // A request on the events link; events read meanwhile go to the model. A broken
  // link throws client::UnreachableError after marking the model disconnected.
  nlohmann::json request(std::string_view op, nlohmann::json fields);
  // Its typed reply; one this version cannot read throws nlohmann::json::exception.
  template <typename Request>  // protocol/requests.h
  typename Request::Reply request(const Request& r) {
    return request(Request::kOp, nlohmann::json(r)).template get<typename Request::Reply>();
  }

 private:
  void lost();
  void heard();
  void handle_event(const nlohmann::json& event);
  void handle_detail(const nlohmann::json& event);

  client::ConnectOptions options_;
  Model& model_;
  std::unique_ptr<client::Client> events_;
  std::unique_ptr<client::Client> detail_;
  std::optional<std::int64_t> followed_;  // the task the detail link follows (or followed to its end)
  std::chrono::steady_clock::time_point next_attempt_{};
  std::chrono::milliseconds backoff_{0};
  client::Liveness liveness_;
};

}  // namespace ptt::tasktop
