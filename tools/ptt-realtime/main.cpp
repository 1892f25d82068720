// ptt-realtime: OpenAI Realtime voice session; its tools are backed by ptt-taskd.
#include <CLI/CLI.hpp>

#include "core/cli.h"
#include "core/exit_status.h"

int main(int argc, char** argv) {
  ptt::exit_quietly_on_epipe();
  CLI::App app{"OpenAI Realtime voice session; its tools are backed by ptt-taskd.", "ptt-realtime"};
  ptt::add_standard_options(app, "ptt-realtime");
  if (int rc = ptt::parse_or_exit(app, argc, argv, "ptt-realtime"); rc >= 0) return rc;
  ptt::print_error("ptt-realtime", "not implemented yet in this build");
  return ptt::kExitFailure;
}
