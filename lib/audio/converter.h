#pragma once
// Microphone samples at any rate and channel count → 24 kHz mono PCM16, the format
// the Realtime API takes. Downmix first (averaging channels), so the resampler
// (libsamplerate) only works on one channel.
#include <cstddef>
#include <cstdint>
#include <vector>

#include <samplerate.h>

namespace ptt::audio {

inline constexpr int kOutputRate = 24000;

class Converter {
 public:
  // quality: a libsamplerate converter type. Medium: ~90 dB SNR here at 0.65% of a core for
  // 48 kHz stereo; best costs 3x that for inaudible gain. Throws std::runtime_error
  // when libsamplerate refuses the rate.
  Converter(double input_rate, int channels, int quality = SRC_SINC_MEDIUM_QUALITY);
  ~Converter();
  Converter(const Converter&) = delete;
  Converter& operator=(const Converter&) = delete;

  // Appends the converted samples for `frames` interleaved input frames to `out`.
  void push(const std::int16_t* interleaved, std::size_t frames, std::vector<std::int16_t>& out);
  void push(const float* interleaved, std::size_t frames, std::vector<std::int16_t>& out);
  // End of input: appends what the resampler still holds back.
  void finish(std::vector<std::int16_t>& out);

  double input_rate() const { return input_rate_; }
  int channels() const { return channels_; }

 private:
  void resample(bool end_of_input, std::vector<std::int16_t>& out);

  double input_rate_;
  int channels_;
  double ratio_;
  SRC_STATE* state_ = nullptr;  // null when the input is already 24 kHz
  std::vector<float> mono_;     // downmixed input waiting for the resampler
  std::vector<float> resampled_;
};

// Float in [-1, 1) → PCM16, rounded and clipped.
std::int16_t to_pcm16(float sample);

}  // namespace ptt::audio
