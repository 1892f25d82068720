#include "taskd/descriptor_budget.h"

#include <algorithm>

namespace ptt::taskd {

std::size_t DescriptorBudget::reserve(int max_running, std::size_t watched_tasks) const {
  if (reserve_override) return *reserve_override;
  std::size_t tasks = std::max(static_cast<std::size_t>(std::max(max_running, 0)), watched_tasks);
  return kFixed + kPerTask * tasks;
}

std::size_t DescriptorBudget::clients(int max_running, std::size_t watched_tasks) const {
  std::size_t kept = reserve(max_running, watched_tasks);
  std::size_t left = fd_limit > kept ? fd_limit - kept : 0;
  if (reserve_override) return left;  // tests: exactly what they asked for
  return std::max({left, fd_limit / 4, kMinClients});
}

bool LogThrottle::due(std::uint64_t now_ms, std::size_t& suppressed) {
  if (logged_ && now_ms - last_ms_ < interval_ms_) {
    ++held_;
    return false;
  }
  suppressed = held_;
  held_ = 0;
  last_ms_ = now_ms;
  logged_ = true;
  return true;
}

}  // namespace ptt::taskd
