#pragma once
// Where reply audio goes: nowhere, a WAV file, or the speaker. Every sink tracks
// how much of the current item was actually played, for conversation.item.truncate.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "realtime/session.h"

namespace ptt::realtime {

class AudioSink {
 public:
  virtual ~AudioSink() = default;
  virtual void play(const std::string& item_id, std::string_view pcm16) = 0;
  virtual void stop() = 0;  // drop what has not been played
  virtual PlaybackStatus status() = 0;
  // Nothing left to sound (for a clean exit at end of input).
  virtual bool drained() { return !status().playing; }
  virtual void close() {}
};

// Counts frames queued and played per item; the sinks feed it.
class PlayClock {
 public:
  void queued(const std::string& item_id, std::int64_t frames);
  void played_to(std::int64_t total_played_frames);  // monotonic, from the device or the wall clock
  void stop();                                       // what was queued and not played is gone
  PlaybackStatus status() const;
  std::int64_t total_queued() const { return total_queued_; }
  std::int64_t total_played() const { return total_played_; }

 private:
  std::string item_id_;
  std::int64_t item_start_ = 0;  // total-queued position where item_id_ began
  std::int64_t total_queued_ = 0;
  std::int64_t total_played_ = 0;
};

std::unique_ptr<AudioSink> make_null_sink();
// Writes PCM16 24 kHz mono; "played" follows the wall clock, as a speaker would.
// Throws std::runtime_error when the file cannot be created.
std::unique_ptr<AudioSink> make_wav_sink(const std::string& path);
// PortAudio: the default output device, or the first whose name contains `device`
// (or whose index it is). Throws std::runtime_error with a usable message.
std::unique_ptr<AudioSink> make_speaker_sink(const std::string& device);

}  // namespace ptt::realtime
