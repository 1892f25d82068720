#pragma once
// Notices a microphone that delivers only digital silence (every sample exactly 0):
// a muted input or the wrong device. Fires once per silent stretch.
#include <cstdint>
#include <vector>

namespace ptt::audio {

class SilenceDetector {
 public:
  explicit SilenceDetector(int warn_after_ms = 2000) : warn_after_samples_(24LL * warn_after_ms) {}

  // Feeds 24 kHz samples; true exactly once when a silent stretch reaches the limit.
  bool push(const std::vector<std::int16_t>& samples);

 private:
  std::int64_t warn_after_samples_;
  std::int64_t silent_samples_ = 0;
  bool warned_ = false;
};

}  // namespace ptt::audio
