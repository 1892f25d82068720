// ptt-listen: Hotkey and microphone to NDJSON push-to-talk events on stdout.
#include <CLI/CLI.hpp>

#include "core/cli.h"
#include "core/exit_status.h"

int main(int argc, char** argv) {
  ptt::exit_quietly_on_epipe();
  CLI::App app{"Hotkey and microphone to NDJSON push-to-talk events on stdout.", "ptt-listen"};
  ptt::add_standard_options(app, "ptt-listen");
  if (int rc = ptt::parse_or_exit(app, argc, argv, "ptt-listen"); rc >= 0) return rc;
  ptt::print_error("ptt-listen", "not implemented yet in this build");
  return ptt::kExitFailure;
}
