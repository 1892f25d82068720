#pragma once
// Everything ptt-realtime's main() collects, and the loop that runs the session.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "client/host.h"
#include "realtime/config.h"
#include "realtime/daemon_transport.h"

namespace ptt::realtime {

struct RunOptions {
  SessionConfig session;
  std::string url;          // ws:// or wss://; the model is in its query
  std::string api_key;      // never printed
  std::string socket_path;  // this machine's ptt-taskd
  // The daemons of the other hosts the projects name (task_hosts.h), each reached by its
  // dial command (client/host.h); endpoint.host is the name the session knows it by.
  std::vector<DaemonEndpoint> remote_daemons;
  std::string config_file;  // whose [hosts] named them; ptt-task run for a host's task reads it too
  std::string ca_file;      // --ca-file: trust these CAs instead of the system's
  enum class Output { kNone, kWav, kSpeaker } output = Output::kNone;
  std::string audio_out;      // --audio-out FILE.wav
  std::string output_device;  // --output-device
  double drain_seconds = 5;   // at end of input, how long in-flight work may take
  // --renew-after (minutes on the command line): a new session before the server's
  // 60-minute limit ends this one; 0: only when the server ends it.
  double renew_after_seconds = 55 * 60;
  bool readable = false;  // stdout: the readable conversation (conversation_view.h), else NDJSON
  bool color = false;     // with readable: colours (a terminal, NO_COLOR unset)
};

// "api=~/src/api" -> {"api", "/home/me/src/api"}; false with `error` if malformed or
// the directory does not exist. A project on another host (issue 22):
//   api=devbox:/home/me/src/api            a [hosts.devbox] of the config file (`hosts`)
//   api=ssh://me@devbox:2222/home/me/src   an ssh:// URL; the path starts at the first "/"
//                                          after the authority
// A DIR that starts with "/", "~" or "." is always this machine's (a local path may hold a
// ":"); a remote path must be absolute, and is checked (allowed roots, existence) by that
// host's daemon when a task is spawned there. `host_out` is the host of a remote project.
bool parse_project(const std::string& spec, const client::HostTable& hosts, Project& out,
                   client::Host& host_out, std::string& error);

// Each --project into options.session.projects, and a remote_daemons entry for each other
// host they name (its dial command from client/host.h, with PTT_SSH). Host names come from
// the [hosts] table of the config file `app` read. False after printing the error.
// Then each of `defaults` (--project-defaults) onto its project.
bool add_projects(const CLI::App& app, const std::vector<std::string>& specs,
                  const std::vector<std::string>& defaults, RunOptions& options);

// One --project-defaults NAME=ITEM,ITEM... onto the project NAME of `projects`: items are
// worktree, no-worktree, sandbox, no-sandbox and, last (it takes the rest, commas too),
// setup=CMD. False with `error` for an unknown project or item.
bool apply_project_defaults(const std::string& spec, std::vector<Project>& projects, std::string& error);

// The whole text of a file (--instructions-file); empty when it cannot be read.
std::string read_text_file(const std::string& path);

// The GA endpoint for `model`.
std::string default_realtime_url(const std::string& model);

// Runs the session until end of input (0), a rejected key (2), SIGINT (130) or a
// fatal set-up error (1 or 2). Reports errors itself.
int run_session(const RunOptions& options);

}  // namespace ptt::realtime
