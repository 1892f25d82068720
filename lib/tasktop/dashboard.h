#pragma once
// `ptt-task top`: the full-screen live dashboard. ptt-task execs the ptt-task-top
// helper (libexec), which runs this; curses stays out of ptt-task itself, so its
// start-up (what every `spawn` pays) does not grow.
#include <string>

#include "client/autostart.h"

namespace ptt::tasktop {

struct DashboardOptions {
  client::ConnectOptions connect;  // the daemon; auto-started at first only when allowed
  std::string ptt_task;            // the ptt-task executable, for Enter's `logs -f`
  bool color = false;              // colours (NO_COLOR unset); attributes are used either way
  std::string host;                // for `ptt-task --host NAME top`: NAME, in the title and hints
};

// Runs until q, Ctrl-C or SIGTERM, with stdin and stdout on a terminal; returns the exit status.
int run_dashboard(const DashboardOptions& options);

}  // namespace ptt::tasktop
