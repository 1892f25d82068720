#include "taskd/queue_hold_file.h"

#include <ctime>
#include <system_error>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "taskd/state_disk.h"

namespace ptt::taskd {
namespace fs = std::filesystem;

std::optional<protocol::QueueHold> hold_for_rate_limit(const RateLimit& limit, std::int64_t task,
                                                       double now) {
  if (!limit.rejected() || !limit.resets_at || *limit.resets_at <= now) return std::nullopt;
  protocol::QueueHold hold;
  hold.until = *limit.resets_at;
  hold.task = task;
  if (!limit.type.empty()) hold.rate_limit_type = limit.type;
  return hold;
}

bool extends_hold(const std::optional<protocol::QueueHold>& current, const protocol::QueueHold& next) {
  return !current || next.until > current->until;
}

std::string utc_time_text(double unix_seconds) {
  return fmt::format("{:%Y-%m-%d %H:%M:%S} UTC", fmt::gmtime(static_cast<std::time_t>(unix_seconds)));
}

fs::path queue_hold_path(const fs::path& state_dir) { return state_dir / "queue_hold.json"; }

std::optional<protocol::QueueHold> load_queue_hold(const fs::path& state_dir, double now,
                                                   std::string& problem) {
  StateDisk::Read file = posix_state_disk().read(queue_hold_path(state_dir));
  if (file.error == ENOENT) return std::nullopt;
  if (file.error != 0) {
    problem = "cannot read " + queue_hold_path(state_dir).string() + ": " +
              std::generic_category().message(file.error) + "; the queue is not held";
    return std::nullopt;
  }
  protocol::QueueHold hold;
  try {
    hold = nlohmann::json::parse(file.text).get<protocol::QueueHold>();
  } catch (const nlohmann::json::exception& e) {
    problem =
        "cannot read " + queue_hold_path(state_dir).string() + " (" + e.what() + "); the queue is not held";
    return std::nullopt;
  }
  if (hold.until <= now) {
    remove_queue_hold(state_dir);
    return std::nullopt;
  }
  return hold;
}

void save_queue_hold(const fs::path& state_dir, const protocol::QueueHold& hold) {
  write_file_atomically(queue_hold_path(state_dir), nlohmann::json(hold).dump() + "\n");
}

void remove_queue_hold(const fs::path& state_dir) {
  posix_state_disk().remove_all(queue_hold_path(state_dir));
}

}  // namespace ptt::taskd
