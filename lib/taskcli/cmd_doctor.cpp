// `ptt-task doctor`: probe, diagnose, print. Never starts the daemon.
#include <cstdlib>

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
  facts.key = d::probe_api_key();
  facts.models = d::probe_models(default_config_file().string());
  facts.audio = d::probe_audio();
  facts.keyboard = d::probe_keyboards();
  facts.portal = d::probe_portal();
  client::ConnectOptions connect = s.connect_options();
  facts.daemon = d::probe_daemon(connect.socket.string(), connect.reply_timeout);
  facts.state_dir = d::probe_state_dir(default_state_dir().string());
  auto checks = d::diagnose(facts);
  write_stdout(s.global().json ? d::render_checks_ndjson(checks) : d::render_checks(checks, s.style()));
  return d::exit_status(checks);
}

}  // namespace ptt::taskcli
