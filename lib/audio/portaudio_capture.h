#pragma once
// The PortAudio adapter: device listing and a capture stream whose callback only
// copies PCM16 into a lock-free ring and pokes a wake-up fd. Conversion happens on
// the main thread, so the callback never blocks or allocates.
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "audio/spsc_ring.h"

namespace ptt::audio {

// Initialises PortAudio for its lifetime (quietly: backends probe and print noise).
class PortAudioSession {
 public:
  PortAudioSession();
  ~PortAudioSession();
  PortAudioSession(const PortAudioSession&) = delete;
  PortAudioSession& operator=(const PortAudioSession&) = delete;
};

struct InputDevice {
  int index = -1;
  std::string name;
  std::string host_api;
  int max_input_channels = 0;
  double default_rate = 0;
  bool is_default = false;
};

std::vector<InputDevice> list_input_devices();
// "3" → device 3; otherwise the first input device whose name contains the text
// (case-insensitive); empty → the default input. Throws std::runtime_error saying
// what to do (see --list-devices) when nothing matches.
InputDevice resolve_input_device(const std::string& spec);

struct CaptureConfig {
  InputDevice device;
  double rate = 0;          // 0: the device's own rate
  int channels = 0;         // 0: the device's own, at most 2
  int chunk_ms = 20;        // one callback per chunk where the backend allows
  double ring_seconds = 2;  // how much audio may queue before the callback drops some
};

class Capture {
 public:
  // wake_fd: a non-blocking pipe's write end; one byte is written when new audio waits.
  Capture(const CaptureConfig& config, int wake_fd);
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  void start();
  void stop();
  // False once the stream has stopped on its own (device gone, backend error).
  bool active() const;

  double rate() const { return rate_; }
  int channels() const { return channels_; }
  // Main thread: appends whole interleaved frames that arrived; clears the wake flag.
  std::size_t drain(std::vector<std::int16_t>& out);
  // Frames the callback had to drop because the main thread fell behind (ever).
  std::uint64_t dropped_frames() const { return dropped_frames_.load(std::memory_order_relaxed); }
  // CLOCK_MONOTONIC time of the latest callback, in ns (for latency tracing).
  std::int64_t last_callback_ns() const { return last_callback_ns_.load(std::memory_order_acquire); }

 private:
  static int callback(const void* input, void* output, unsigned long frames, const void* time_info,
                      unsigned long status, void* self);
  int on_audio(const std::int16_t* input, unsigned long frames);

  void* stream_ = nullptr;  // PaStream*
  double rate_ = 0;
  int channels_ = 0;
  int wake_fd_;
  SpscRing ring_;
  std::atomic<bool> wake_pending_{false};
  std::atomic<std::uint64_t> dropped_frames_{0};
  std::atomic<std::int64_t> last_callback_ns_{0};
};

}  // namespace ptt::audio
