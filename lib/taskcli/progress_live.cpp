#include "taskcli/progress_live.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

#include <sys/ioctl.h>
#include <unistd.h>

#include "core/cli.h"
#include "core/exit_status.h"
#include "protocol/task_state.h"

namespace ptt::taskcli {
using nlohmann::json;

namespace {

std::size_t current_width(std::size_t fallback) {
  winsize ws{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return fallback;
}

// Ctrl-C while the line is drawn: erase it, then exit as ptt-task does (130).
void erase_and_exit(int) {
  (void)!::write(STDOUT_FILENO, kClearLine, std::strlen(kClearLine));
  ::_exit(kExitInterrupted);
}

}  // namespace

bool live_progress_wanted(const CliSession& s) {
  const char* term = std::getenv("TERM");
  return !s.global().json && is_tty(STDOUT_FILENO) && !(term && std::strcmp(term, "dumb") == 0);
}

LiveLine::LiveLine(const Style& style) : style_(style) {
  state_.since = wall_now();
  std::signal(SIGINT, erase_and_exit);
  std::signal(SIGTERM, erase_and_exit);
  timer_ = std::thread([this] { tick(); });
}

LiveLine::~LiveLine() { finish(); }

void LiveLine::tick() {
  std::unique_lock lock(mutex_);
  while (!done_) {
    if (wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return done_; })) break;
    ++frame_;
    draw_locked();
  }
}

void LiveLine::draw_locked() {
  if (done_) return;
  Style style = style_;
  style.max_width = current_width(style_.max_width);  // follow terminal resizes
  write_stdout(redraw_line(render_progress_line(state_, frame_, wall_now(), style)));
}

void LiveLine::print_above(const std::string& text) {
  std::lock_guard lock(mutex_);
  write_stdout(kClearLine + text);
  draw_locked();
}

void LiveLine::print_notice(const std::string& line) {
  std::lock_guard lock(mutex_);
  if (!done_) write_stdout(kClearLine);
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
  draw_locked();
}

void LiveLine::finish() {
  {
    std::lock_guard lock(mutex_);
    if (done_) return;
    done_ = true;
    write_stdout(kClearLine);
  }
  wake_.notify_all();
  if (timer_.joinable()) timer_.join();
}

protocol::TasksReply wait_with_live_line(CliSession& s, const json& refs) {
  auto& client = s.client();
  ask(client, protocol::SubscribeRequest{});  // before reading the records, so no change is missed
  LiveLine live(s.style());
  client.set_notice([&live](const std::string& line) { live.print_notice(line); });
  // The unfinished ones in one list, the others (finished, or named by name) one by one.
  protocol::TasksReply unfinished =
      ask(client, protocol::ListRequest{.state = {}, .table_view = false, .finished_limit = 0});
  std::set<std::int64_t> seen;
  live.update([&](ProgressState& p) {
    for (const auto& t : unfinished.tasks) {
      if (std::find(refs.begin(), refs.end(), json(t.id)) == refs.end()) continue;
      p.apply_record(t, true);
      seen.insert(t.id);
    }
  });
  for (const auto& ref : refs) {
    if (ref.is_number_integer() && seen.count(ref.get<std::int64_t>())) continue;
    protocol::TaskReply reply = ask(client, protocol::GetRequest{ref});
    live.update([&](ProgressState& p) { p.apply_record(reply.task, true); });
  }
  protocol::TasksReply reply = ask(client, wait_request(refs), [&](const json& event) {
    live.update([&](ProgressState& p) { p.apply_event(event); });
    return true;
  });
  client.set_notice({});
  live.finish();
  return reply;
}

}  // namespace ptt::taskcli
