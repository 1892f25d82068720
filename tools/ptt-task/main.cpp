// ptt-task: Spawn, list, inspect, cancel and wait for background Claude Code tasks.
#include <CLI/CLI.hpp>

#include "core/cli.h"
#include "core/exit_status.h"

int main(int argc, char** argv) {
  ptt::exit_quietly_on_epipe();
  CLI::App app{"Spawn, list, inspect, cancel and wait for background Claude Code tasks.", "ptt-task"};
  ptt::add_standard_options(app, "ptt-task");
  if (int rc = ptt::parse_or_exit(app, argc, argv, "ptt-task"); rc >= 0) return rc;
  ptt::print_error("ptt-task", "not implemented yet in this build");
  return ptt::kExitFailure;
}
