#include "listen/capture_machine.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "core/ndjson.h"

namespace ptt::listen {
namespace {

std::int64_t chunks_for(double ms, int chunk_ms) {
  return ms <= 0 ? 0 : static_cast<std::int64_t>(std::ceil(ms / chunk_ms - 1e-9));
}

}  // namespace

CaptureMachine::CaptureMachine(const MachineConfig& config)
    : config_(config),
      preroll_chunks_(chunks_for(config.preroll_ms, config.chunk_ms)),
      tail_chunks_(chunks_for(config.tail_ms, config.chunk_ms)),
      max_chunks_(chunks_for(config.max_seconds * 1000.0, config.chunk_ms)),
      preroll_(static_cast<std::size_t>(preroll_chunks_)) {}

void CaptureMachine::press(std::string& out) {
  if (state_ == State::kHeld || state_ == State::kCapped) return;  // already down
  if (state_ == State::kTail) {
    // Pressed again before the tail ran out: one continuous utterance, no gap.
    state_ = State::kHeld;  // --max-seconds still counts from the first press
    return;
  }
  state_ = State::kHeld;
  press_index_ = next_index_;
  seq_ = 0;
  audio_samples_ = 0;
  ++utterances_;
  std::vector<audio::Chunk> held = preroll_.take();
  std::int64_t preroll_ms = held.empty() ? 0 : ms(press_index_ - held.front().index);
  out += to_ndjson({{"type", "ptt.start"}, {"ms", ms(press_index_)}, {"preroll_ms", preroll_ms}});
  for (const auto& c : held) emit_audio(c, out);
}

void CaptureMachine::release(std::string& out) {
  if (state_ == State::kCapped) {
    state_ = State::kIdle;
    return;
  }
  if (state_ != State::kHeld) return;
  release_index_ = next_index_;
  if (tail_chunks_ == 0) {
    stop(release_index_, "release", out);
  } else {
    state_ = State::kTail;
  }
}

void CaptureMachine::chunk(const audio::Chunk& chunk, std::string& out) {
  next_index_ = chunk.index + 1;
  switch (state_) {
    case State::kIdle:
    case State::kCapped:
      preroll_.push(chunk);
      break;
    case State::kHeld:
      emit_audio(chunk, out);
      if (max_chunks_ > 0 && next_index_ - press_index_ >= max_chunks_) {
        stop(next_index_, "max_seconds", out);
        state_ = State::kCapped;
      }
      break;
    case State::kTail:
      emit_audio(chunk, out);
      if (next_index_ >= release_index_ + tail_chunks_) stop(release_index_, "release", out);
      break;
  }
}

void CaptureMachine::end(std::string& out) {
  if (state_ == State::kHeld) stop(next_index_, "end", out);
  if (state_ == State::kTail) stop(release_index_, "release", out);
  state_ = State::kIdle;
}

void CaptureMachine::emit_audio(const audio::Chunk& chunk, std::string& out) {
  std::string data;
  base64_encode_append(chunk.samples.data(), chunk.samples.size() * sizeof(std::int16_t), data);
  out += to_ndjson({{"type", "audio"}, {"seq", seq_++}, {"ms", ms(chunk.index)}, {"data", std::move(data)}});
  audio_samples_ += static_cast<std::int64_t>(chunk.samples.size());
}

void CaptureMachine::stop(std::int64_t at_index, const char* reason, std::string& out) {
  out += to_ndjson(
      {{"type", "ptt.stop"}, {"ms", ms(at_index)}, {"reason", reason}, {"audio_ms", audio_samples_ / 24}});
  state_ = State::kIdle;
  preroll_.clear();  // audio already sent must not be sent again as the next pre-roll
}

}  // namespace ptt::listen
