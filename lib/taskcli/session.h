#pragma once
// What every subcommand handler shares: the parsed global options, a lazily
// connected client, the output style and SIGPIPE-safe writing to stdout.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/client.h"
#include "protocol/requests.h"
#include "protocol/task_record.h"
#include "taskcli/format.h"

namespace ptt::taskcli {

struct GlobalOptions {
  std::string socket;  // empty: default_socket_path()
  bool no_autostart = false;
  bool json = false;
  double timeout_s = 0;  // --timeout: seconds a daemon reply may take; 0: the default
};

// A usage problem found after parsing (bad state name, missing directory...).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class CliSession {
 public:
  explicit CliSession(const GlobalOptions& global, bool autostart_allowed = true);

  client::Client& client();  // connects (and auto-starts) on first use
  client::ConnectOptions connect_options() const;
  const GlobalOptions& global() const { return global_; }
  const Style& style() const { return style_; }

 private:
  GlobalOptions global_;
  bool autostart_allowed_;
  Style style_;
  std::unique_ptr<client::Client> client_;
};

// Writes all of `text` to stdout at once, unbuffered; a closed pipe ends the
// process with status 0 (`ptt-task list | head -1`).
void write_stdout(std::string_view text);
double wall_now();
// "3" names task 3; anything else is a task name.
nlohmann::json task_ref(const std::string& text);
// `refs` null: every task unfinished now; else an array of task_ref()s.
protocol::WaitRequest wait_request(const nlohmann::json& refs);
protocol::TaskRecord record_from(const nlohmann::json& j);
std::vector<protocol::TaskRecord> records_from(const nlohmann::json& array);
// Sends a typed request (protocol/requests.h) and returns its ok reply (see client::Client::request).
template <typename Request>
nlohmann::json ask(client::Client& c, const Request& request, const client::EventFn& on_event = {}) {
  return c.request(Request::kOp, nlohmann::json(request), on_event);
}
// A reply without its "id" and "ok", for --json output.
nlohmann::json payload_of(nlohmann::json reply);

}  // namespace ptt::taskcli
