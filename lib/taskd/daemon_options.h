#pragma once
// ptt-taskd's command line: every option with its help, check and default, and the
// DaemonConfig the parsed values make. ptt-taskd's main() only parses and runs.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "taskd/daemon.h"

namespace ptt::taskd {

class DaemonOptions {
 public:
  // Adds every option to `app` (which must outlive this object until parsed).
  explicit DaemonOptions(CLI::App& app);
  DaemonOptions(const DaemonOptions&) = delete;
  DaemonOptions& operator=(const DaemonOptions&) = delete;

  // The configuration, once `app` has parsed the command line.
  DaemonConfig config() const;

 private:
  DaemonConfig config_;
  std::string socket_, state_dir_;
  std::vector<std::string> roots_, allowed_tools_;
  std::string permission_mode_ = "acceptEdits", model_, append_system_prompt_;
  int max_turns_ = 0;
  double budget_ = 0;
  std::string stall_action_ = "report", rate_limit_hold_ = "on", isolate_ = "none";
  bool sandbox_ = false;
};

}  // namespace ptt::taskd
