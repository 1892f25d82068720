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
  std::string host;               // --host/PTT_HOST: "", "local", a [hosts.NAME] name or an ssh:// URL
  std::string config_file;        // the file --config/PTT_CONFIG/the default names: its [hosts] table
  std::vector<std::string> args;  // the command line after the program name, for run_on_host
  std::string socket;             // empty: default_socket_path()
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

  client::Client& client();                              // connects (and auto-starts) on first use
  client::ConnectOptions connect_options() const;        // to --host's daemon
  client::ConnectOptions local_connect_options() const;  // to this machine's, whatever --host says
  // --host resolved (loads the config file's [hosts] table only for a name); throws
  // client::HostError for an unknown name or a malformed table.
  client::Host host() const;
  // Drops the connection and connects anew (taskcli/reconnect.h); throws as client() does.
  client::Client& reconnect();
  // The daemon as a person names it in a notice: "ptt-taskd", or the host's name.
  std::string daemon_name() const;
  // The host's name as the person reading this output calls it: --host's name, or, when
  // this ptt-task runs on a host for `ptt-task --host NAME CMD` on another machine
  // (run_on_host sets kRunForEnv), that NAME. Empty for this machine's own commands.
  std::string shown_host() const;
  // This ptt-task runs on a host for a client elsewhere (kRunForEnv was set).
  bool runs_for_client() const { return !run_for_.empty(); }
  void set_run_for(std::string name) { run_for_ = std::move(name); }
  const GlobalOptions& global() const { return global_; }
  const Style& style() const { return style_; }

 private:
  GlobalOptions global_;
  bool autostart_allowed_;
  Style style_;
  std::unique_ptr<client::Client> client_;
  std::string run_for_;
};

// run_on_host runs `env PTT_RUN_FOR=NAME REMOTE_COMMAND --host local CMD ...` on the host:
// hints and titles there name the host as the client does (`ptt-task --host NAME logs 3`).
// ptt-task reads it once and unsets it (the daemon it starts and its tasks never see it).
inline constexpr const char* kRunForEnv = "PTT_RUN_FOR";

// Writes all of `text` to stdout at once, unbuffered; a closed pipe ends the
// process with status 0 (`ptt-task list | head -1`).
void write_stdout(std::string_view text);
// For the commands that only stream (logs -f, watch): when stdout is a pipe or socket
// whose reader goes away (`logs -f 3 | head -1`), end the process with status 0 at once,
// as write_stdout would at its next write, which a quiet task may not make for hours.
// The connection closes with the process; over --host, ssh then ends on its own.
void end_when_stdout_reader_leaves();
double wall_now();
// "3" names task 3; anything else is a task name.
nlohmann::json task_ref(const std::string& text);
// `refs` null: every task unfinished now; else an array of task_ref()s.
protocol::WaitRequest wait_request(const nlohmann::json& refs);
// Throws the UnreachableError for a reply ptt-task cannot read (exit 3, with what to do).
[[noreturn]] void unreadable_reply(const nlohmann::json::exception& e);
// An ok reply as its typed struct (protocol/replies.h), or unreadable_reply().
template <typename Reply>
Reply reply_from(const nlohmann::json& reply) {
  try {
    return reply.get<Reply>();
  } catch (const nlohmann::json::exception& e) {
    unreadable_reply(e);
  }
}
// Sends a typed request (protocol/requests.h) and returns its typed reply (see
// client::Client::request for what it throws).
template <typename Request>
typename Request::Reply ask(client::Client& c, const Request& request, const client::EventFn& on_event = {}) {
  return reply_from<typename Request::Reply>(c.request(Request::kOp, nlohmann::json(request), on_event));
}
// The daemon's hello reply, typed.
protocol::HelloReply hello_of(client::Client& c);

}  // namespace ptt::taskcli
