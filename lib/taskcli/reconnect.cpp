#include "taskcli/reconnect.h"

#include <algorithm>
#include <cstdio>
#include <thread>

#include <fmt/format.h>

namespace ptt::taskcli {

std::optional<std::chrono::milliseconds> ReconnectSchedule::next_delay(Clock::time_point now) {
  delay_ = delay_.count() == 0 ? kFirstDelay : std::min(delay_ * 2, kMaxDelay);
  if (now + delay_ - lost_at_ > kGiveUpAfter) return std::nullopt;
  return delay_;
}

namespace {

void to_stderr(const std::string& line) {
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

// Connects anew until the daemon has answered the hello; throws when the schedule gives up.
void reconnect(CliSession& s, const std::string& lost_because, const NoticeFn& notice) {
  ReconnectSchedule schedule(ReconnectSchedule::Clock::now());
  std::string why = lost_because;
  for (;;) {
    auto delay = schedule.next_delay(ReconnectSchedule::Clock::now());
    if (!delay) {
      throw client::UnreachableError(fmt::format(
          "the connection to {} was lost and not regained in {} minutes ({}); the tasks go on: run the "
          "command again once it is reachable",
          s.daemon_name(), ReconnectSchedule::kGiveUpAfter.count(), why));
    }
    std::this_thread::sleep_for(*delay);
    try {
      client::Client& c = s.reconnect();
      c.set_patient(true);
      c.hello_reply();
      notice(fmt::format("ptt-task: reconnected to {}\n", s.daemon_name()));
      return;
    } catch (const client::HelloRefusedError&) {
      throw;  // another version answers now: trying again will not change that
    } catch (const client::UnreachableError& e) {
      why = e.what();  // not there yet (restarting, the network down): try again
    }
  }
}

}  // namespace

void run_reconnecting(CliSession& s, const std::function<void()>& attempt, const NoticeFn& notice) {
  NoticeFn say = notice ? notice : NoticeFn(to_stderr);
  for (;;) {
    try {
      attempt();
      return;
    } catch (const client::ConnectionLostError& e) {
      // One that never worked (ssh refused, no ptt-task there) is an error, as for any command.
      if (!s.client().hello_accepted()) throw;
      say(fmt::format("ptt-task: connection to {} lost ({}); reconnecting\n", s.daemon_name(), e.what()));
      reconnect(s, e.what(), say);
    }
  }
}

}  // namespace ptt::taskcli
