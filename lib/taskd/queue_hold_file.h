#pragma once
// The queue's hold (protocol/queue_hold.h) as the daemon decides and keeps it: a refused
// request's rate limit asks for one until its reset, and the hold is written to
// <state dir>/queue_hold.json so that a restarted daemon keeps holding (a hold is state a
// user has been told of). Pure decisions, plus the file.
#include <filesystem>
#include <optional>
#include <string>

#include "protocol/queue_hold.h"
#include "taskd/stream_reader.h"

namespace ptt::taskd {

// The hold a task's rate limit asks for: only a refusal (`rejected`) whose reset is
// still ahead; nullopt for any other (allowed, a warning, no reset time, one past).
std::optional<protocol::QueueHold> hold_for_rate_limit(const RateLimit& limit, std::int64_t task, double now);

// Whether `next` should replace `current` (none yet, or it ends later).
bool extends_hold(const std::optional<protocol::QueueHold>& current, const protocol::QueueHold& next);

// "2026-12-05 14:05:00 UTC": a reset time in the daemon's log.
std::string utc_time_text(double unix_seconds);

std::filesystem::path queue_hold_path(const std::filesystem::path& state_dir);
// The saved hold; nullopt when there is none, it has ended by `now` (the file is then
// removed), or it cannot be read (`problem` then says why, and the file is left).
std::optional<protocol::QueueHold> load_queue_hold(const std::filesystem::path& state_dir, double now,
                                                   std::string& problem);
// Throws std::system_error (or a json error) when it cannot be written.
void save_queue_hold(const std::filesystem::path& state_dir, const protocol::QueueHold& hold);
void remove_queue_hold(const std::filesystem::path& state_dir);

}  // namespace ptt::taskd
