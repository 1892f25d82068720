#pragma once
// Draws a ProgressState as one line redrawn in place on a terminal: a 100 ms timer
// moves the spinner and the clock; the daemon's events change the text. Other output
// (log lines) is printed above the live line. Only used when stdout is a terminal.
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "taskcli/progress.h"
#include "taskcli/session.h"

namespace ptt::taskcli {

// True when `wait`/`logs -f` should draw a live line: stdout is a terminal, not --json,
// and TERM is not "dumb".
bool live_progress_wanted(const CliSession& s);

class LiveLine {
 public:
  explicit LiveLine(const Style& style);
  ~LiveLine();  // erases the line
  LiveLine(const LiveLine&) = delete;
  LiveLine& operator=(const LiveLine&) = delete;

  // Changes the state under the lock and redraws.
  template <typename Fn>
  void update(Fn&& change) {
    std::lock_guard lock(mutex_);
    change(state_);
    draw_locked();
  }
  // Prints finished lines (each ending in '\n') above the live line.
  void print_above(const std::string& text);
  // The same for a line meant for stderr (a notice about the daemon).
  void print_notice(const std::string& line);
  // Erases the line and stops the timer; idempotent.
  void finish();

 private:
  void draw_locked();
  void tick();

  Style style_;
  ProgressState state_;
  unsigned frame_ = 0;
  bool done_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread timer_;
};

// `wait` with a live line: subscribes, reads the tasks' current records, then waits
// while events update the line. Returns the wait reply, as the plain request does.
// `refs`: an array of task ids or names.
protocol::TasksReply wait_with_live_line(CliSession& s, const nlohmann::json& refs);

}  // namespace ptt::taskcli
