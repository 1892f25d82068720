#pragma once
// `ptt-task top`'s review keys for a worktree task (docs/taskd.md, "Worktrees"): D shows its
// diff in a pager on the real terminal, through the same WorktreeSnapshot as `ptt-task diff`;
// m and x (after top's own y/n) run `ptt-task merge ID` and `ptt-task discard --yes ID` as
// children, as the voice tools do, so they check, refuse and record exactly as typed ones.
#include <cstdint>
#include <string>
#include <vector>

#include "core/spawn.h"
#include "protocol/task_record.h"
#include "tasktop/dashboard.h"
#include "tasktop/screen.h"

namespace ptt::tasktop {

struct ReviewOutcome {
  bool ok = false;
  std::string message;  // for the status bar: what happened, or why not
  bool quit = false;    // SIGTERM or SIGHUP came meanwhile
};

// `ptt-task --socket S --no-autostart [--timeout T] ARGS…`, top's own ptt-task, pointed at
// top's daemon, never starting one.
SpawnOptions ptt_task_command(const DashboardOptions& o, const std::vector<std::string>& args);

// The task's diff (its record has a worktree) in $PAGER (else `less -R`), coloured when top
// may use colour; curses is suspended meanwhile and restored after. A task with no changes
// gets a message instead of an empty pager.
ReviewOutcome show_diff_in_pager(Screen& screen, const protocol::TaskRecord& t, bool color);

// Runs `ptt-task ARGS…` with no terminal (stdin /dev/null); its words (stdout, else stderr
// without the `ptt-task: error: ` prefix) become the message.
ReviewOutcome run_ptt_task(const DashboardOptions& o, const std::vector<std::string>& args);

}  // namespace ptt::tasktop
