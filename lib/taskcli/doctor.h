#pragma once
// `ptt-task doctor`: what the toolkit needs, checked one item at a time. The probes
// (doctor_probes.cpp) only gather facts; diagnose() turns facts into verdicts with
// their fixes, purely, so every verdict is unit-tested without the machine.
#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "taskcli/format.h"

namespace ptt::taskcli::doctor {

struct ClaudeFacts {
  std::string requested;  // what would be run: "claude", $PTT_CLAUDE or --claude
  std::string source;     // "PATH", "PTT_CLAUDE" or "--claude"
  std::string resolved;   // the file found; empty when none
  bool version_ran = false;
  std::string version;    // first line of `--version`
  std::string run_error;  // why `--version` failed
  bool help_ran = false;
  bool stream_json = false;  // `--help` mentions stream-json
};

struct KeyFacts {
  bool present = false;
  bool has_whitespace = false;  // a pasted newline or space breaks the header
};

struct AudioFacts {
  std::string error;  // the device list could not be had (ptt-listen missing or failing)
  int input_devices = 0;
  std::string default_input;
};

struct KeyboardFacts {
  std::string dir = "/dev/input";
  bool dir_exists = false;
  int event_nodes = 0;
  int unreadable = 0;
  int keyboards = 0;  // readable nodes with letter keys
  std::string first_keyboard;
  bool in_input_group = false;         // this process has the group
  bool listed_in_input_group = false;  // /etc/group lists us (a new login would give it)
};

// `ptt-listen --check-portal --json`: a desktop portal with GlobalShortcuts on the
// session bus, for --hotkey portal.
struct PortalFacts {
  std::string error;  // ptt-listen could not be asked
  bool available = false;
  long version = 0;
  std::string why;  // why not, as ptt-listen says
};

struct DaemonFacts {
  std::string socket;
  bool reachable = false;
  bool nobody_listens = false;  // no socket or a stale one (as opposed to a refusal)
  std::string server;           // "ptt-taskd 0.1.0"
  long pid = 0;
  std::string error;
  bool not_answering = false;  // it listens but did not answer the hello in time (pid: if known)
  bool stopped = false;        // ... because it is stopped (SIGSTOP)
};

struct StateDirFacts {
  std::string path;
  bool exists = false;
  bool writable = false;  // a file could be created in it (or in the ancestor that exists)
  std::string error;
};

// The models the config file sets for ptt-realtime ([ptt-realtime] model and
// transcribe-model); empty: not set, the (current) default applies.
struct ModelFacts {
  std::string config_file;
  std::string realtime_model;
  std::string transcription_model;
};

// Claude Code's sandbox (spawn --sandbox): bubblewrap and socat on PATH, and a trivial
// `bwrap … true` in new namespaces, which containers without user namespaces refuse.
struct SandboxFacts {
  std::string bwrap;  // the file found; empty when none
  std::string socat;
  bool bwrap_ran = false;
  std::string bwrap_error;  // its output (or why it failed) when it did not run
};

struct Facts {
  ClaudeFacts claude;
  SandboxFacts sandbox;
  ModelFacts models;
  KeyFacts key;
  AudioFacts audio;
  KeyboardFacts keyboard;
  PortalFacts portal;
  DaemonFacts daemon;
  StateDirFacts state_dir;
};

enum class Verdict { kOk, kWarn, kFail };

struct Check {
  std::string name;  // "claude", "OPENAI_API_KEY", ...
  Verdict verdict = Verdict::kOk;
  std::string detail;  // what was found
  std::string fix;     // what to do; empty when ok
};

std::vector<Check> diagnose(const Facts& facts);
// The checks that matter on a host of `ptt-task --host NAME` (claude, daemon, state dir,
// sandbox): the others (OPENAI_API_KEY, models, audio, keyboard, hotkey portal) are for
// ptt-realtime and ptt-listen, which run on the person's own machine. Only those facts
// are read.
std::vector<Check> diagnose_on_host(const Facts& facts);
// What `ptt-task --host NAME doctor` prints first: where the checks ran, and which it left
// to `ptt-task --host local doctor` on the person's own machine.
std::string on_host_preamble(const std::string& host);

// "ok   claude  /usr/bin/claude ..." per check, the fix indented on the next line.
std::string render_checks(const std::vector<Check>& checks, const Style& style);
// One JSON object per check: {"check","status":"ok|warn|fail","detail","fix"}.
std::string render_checks_ndjson(const std::vector<Check>& checks);
// 0 when nothing failed (warnings allowed), else 1.
int exit_status(const std::vector<Check>& checks);

// Probes (thin adapters over the machine).
ClaudeFacts probe_claude(const std::string& requested, const std::string& source);
KeyFacts probe_api_key();
AudioFacts probe_audio();
PortalFacts probe_portal();
KeyboardFacts probe_keyboards(const std::string& dir = "/dev/input");
DaemonFacts probe_daemon(const std::string& socket, std::chrono::milliseconds timeout);
StateDirFacts probe_state_dir(const std::string& path);
ModelFacts probe_models(const std::string& config_file);
SandboxFacts probe_sandbox();

}  // namespace ptt::taskcli::doctor
