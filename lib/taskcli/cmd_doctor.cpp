// `ptt-task doctor`: probe, diagnose, print. Never starts the daemon.
#include <cstdlib>

#include "core/cli.h"
#include "core/config.h"
#include "core/paths.h"
#include "taskcli/commands.h"
#include "taskcli/doctor.h"

namespace ptt::taskcli {

int cmd_doctor(CliSession& s, const std::string& claude) {
  if (auto there = run_on_host(s)) return *there;
  namespace d = doctor;
  d::Facts facts;
  const char* env_claude = std::getenv("PTT_CLAUDE");
  if (!claude.empty()) {
    facts.claude = d::probe_claude(claude, "--claude");
  } else if (env_claude && *env_claude) {
    facts.claude = d::probe_claude(env_claude, "PTT_CLAUDE");
  } else {
    facts.claude = d::probe_claude("claude", "PATH");
  }
  facts.sandbox = d::probe_sandbox();
  // On a host for `ptt-task --host NAME doctor`: only what the host's daemon needs.
  const bool on_host = s.runs_for_client();
  if (!on_host) {
    facts.key = d::probe_api_key();
    facts.models = d::probe_models(default_config_file().string());
    facts.audio = d::probe_audio();
    facts.keyboard = d::probe_keyboards();
    facts.portal = d::probe_portal();
  }
  client::ConnectOptions connect = s.connect_options();
  facts.daemon = d::probe_daemon(connect.socket.string(), connect.reply_timeout);
  facts.state_dir = d::probe_state_dir(default_state_dir().string());
  auto checks = on_host ? d::diagnose_on_host(facts) : d::diagnose(facts);
  std::string out;
  if (s.global().json) {
    out = d::render_checks_ndjson(checks);
  } else {
    if (on_host) out = d::on_host_preamble(s.shown_host());
    // Its fixes' commands (`ptt-task shutdown`) reach the host as the person typed it.
    out += with_hint_command(d::render_checks(checks, s.style()));
  }
  write_stdout(out);
  return d::exit_status(checks);
}

}  // namespace ptt::taskcli
