// ptt-taskd: Daemon that runs and tracks headless Claude Code tasks.
#include <CLI/CLI.hpp>

#include "core/cli.h"
#include "core/config.h"
#include "taskd/daemon.h"
#include "taskd/daemon_options.h"

int main(int argc, char** argv) {
  ptt::exit_quietly_on_epipe();
  CLI::App app{
      "Daemon that runs and tracks headless Claude Code tasks. Runs in the foreground and logs to stderr.",
      "ptt-taskd"};
  ptt::add_standard_options(app, "ptt-taskd");
  ptt::add_config_file(app, "ptt-taskd");
  ptt::taskd::DaemonOptions options(app);
  if (int rc = ptt::parse_or_exit(app, argc, argv, "ptt-taskd"); rc >= 0) return rc;
  return ptt::taskd::run(options.config());
}
