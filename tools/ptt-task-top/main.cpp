// ptt-task-top: the full-screen dashboard behind `ptt-task top` (lib/tasktop). It is
// a separate program (libexec) so that ptt-task does not link curses: ptt-task is
// started for every command, and curses made each start page-fault more.
// Started by ptt-task, which has already checked the terminal and resolved the socket.
#include <CLI/CLI.hpp>

#include "core/cli.h"
#include "tasktop/dashboard.h"

int main(int argc, char** argv) {
  CLI::App app{"The dashboard behind `ptt-task top`; run `ptt-task top`, not this.", "ptt-task-top"};
  std::string socket;
  bool no_autostart = false;
  ptt::tasktop::DashboardOptions o;
  app.add_option("--socket", socket, "Daemon socket")->required();
  app.add_flag("--no-autostart", no_autostart, "Do not start ptt-taskd when none answers");
  app.add_option("--ptt-task", o.ptt_task, "The ptt-task executable, for `logs -f`")->required();
  app.add_option("--host-name", o.host, "The host as `ptt-task --host NAME top` named it (title, hints)");
  long timeout_ms = o.connect.reply_timeout.count();
  app.add_option("--timeout-ms", timeout_ms, "How long the daemon may take to answer (ptt-task's --timeout)");
  if (int rc = ptt::parse_or_exit(app, argc, argv, "ptt-task-top"); rc >= 0) return rc;
  o.connect.socket = socket;
  o.connect.autostart = !no_autostart;
  o.connect.reply_timeout = std::chrono::milliseconds{timeout_ms};
  o.color = ptt::use_color(1);
  return ptt::tasktop::run_dashboard(o);
}
