#include "audio/silence_detector.h"

namespace ptt::audio {

bool SilenceDetector::push(const std::vector<std::int16_t>& samples) {
  bool fire = false;
  for (std::int16_t s : samples) {
    if (s != 0) {
      silent_samples_ = 0;
      warned_ = false;  // sound came back: warn again if it goes silent again
      continue;
    }
    if (++silent_samples_ >= warn_after_samples_ && !warned_) {
      warned_ = true;
      fire = true;
    }
  }
  return fire;
}

}  // namespace ptt::audio
