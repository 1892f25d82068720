#pragma once
// The pure push-to-talk state machine of ptt-listen: key presses and releases and
// 24 kHz audio chunks in, NDJSON lines out. No clocks, devices or fds inside.
//
// Positions are chunk indexes in the capture stream, so every `ms` it prints is
// an exact stream position: a press lands on the boundary after the last chunk
// heard; the utterance starts `preroll` chunks before it and ends `tail` chunks
// after the release (or at the --max-seconds cap, without a tail).
//
// Lines (docs: README.md, "ptt-listen"):
//   {"type":"ptt.start","ms":P,"preroll_ms":R}
//   {"type":"audio","seq":N,"ms":M,"data":"<base64 PCM16 LE, 24 kHz mono>"}
//   {"type":"ptt.stop","ms":S,"reason":"release"|"max_seconds"|"end","audio_ms":A}
#include <cstdint>
#include <string>
#include <vector>

#include "audio/chunker.h"
#include "audio/preroll_buffer.h"

namespace ptt::listen {

struct MachineConfig {
  int chunk_ms = 20;
  int preroll_ms = 300;    // rounded up to whole chunks
  int tail_ms = 200;       // rounded up to whole chunks
  double max_seconds = 0;  // cap on one utterance from the press; 0: none
};

class CaptureMachine {
 public:
  explicit CaptureMachine(const MachineConfig& config);

  // Each call appends zero or more complete NDJSON lines (with '\n') to `out`.
  void press(std::string& out);
  void release(std::string& out);
  void chunk(const audio::Chunk& chunk, std::string& out);
  // No more audio (end of file, shutdown): close an open utterance now.
  void end(std::string& out);

  bool held() const { return state_ == State::kHeld; }
  bool in_utterance() const { return state_ == State::kHeld || state_ == State::kTail; }
  std::int64_t utterances() const { return utterances_; }

 private:
  enum class State { kIdle, kHeld, kTail, kCapped };

  void emit_audio(const audio::Chunk& chunk, std::string& out);
  void stop(std::int64_t at_index, const char* reason, std::string& out);
  std::int64_t ms(std::int64_t index) const { return index * config_.chunk_ms; }

  MachineConfig config_;
  std::int64_t preroll_chunks_;
  std::int64_t tail_chunks_;
  std::int64_t max_chunks_;  // 0: no cap
  audio::PrerollBuffer preroll_;
  State state_ = State::kIdle;
  std::int64_t next_index_ = 0;  // the chunk index expected next (= chunks heard)
  std::int64_t press_index_ = 0;
  std::int64_t release_index_ = 0;
  std::int64_t seq_ = 0;            // audio lines in this utterance
  std::int64_t audio_samples_ = 0;  // samples sent in this utterance
  std::int64_t utterances_ = 0;
};

}  // namespace ptt::listen
