// ptt-taskd: Daemon that runs and tracks headless Claude Code tasks.
#include <CLI/CLI.hpp>

#include "core/cli.h"
#include "core/exit_status.h"

int main(int argc, char** argv) {
  ptt::exit_quietly_on_epipe();
  CLI::App app{"Daemon that runs and tracks headless Claude Code tasks.", "ptt-taskd"};
  ptt::add_standard_options(app, "ptt-taskd");
  if (int rc = ptt::parse_or_exit(app, argc, argv, "ptt-taskd"); rc >= 0) return rc;
  ptt::print_error("ptt-taskd", "not implemented yet in this build");
  return ptt::kExitFailure;
}
