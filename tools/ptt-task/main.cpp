// ptt-task: Spawn, list, inspect, cancel and wait for background Claude Code tasks.
// The subcommands and their handlers live in lib/taskcli; this only wires them up.
#include <CLI/CLI.hpp>

#include "core/cli.h"
#include "core/config.h"
#include "taskcli/commands.h"

int main(int argc, char** argv) {
  ptt::exit_quietly_on_epipe();
  CLI::App app{
      "Spawn, list, inspect, cancel and wait for background Claude Code tasks.\n"
      "Talks to ptt-taskd, starting it when none answers (unless --no-autostart).",
      "ptt-task"};
  ptt::add_standard_options(app, "ptt-task");
  ptt::add_config_file(app, "ptt-task");
  ptt::taskcli::Invocation invocation;
  ptt::taskcli::define_commands(app, invocation, ptt::taskcli::requested_command(argc, argv));
  if (int rc = ptt::parse_or_exit(app, argc, argv, "ptt-task"); rc >= 0) return rc;
  invocation.global.config_file = app.get_config_ptr()->as<std::string>();  // its [hosts] for --host
  invocation.global.args.assign(argv + 1, argv + argc);
  return ptt::taskcli::execute(invocation);
}
