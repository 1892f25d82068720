#include "audio/converter.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace ptt::audio {

std::int16_t to_pcm16(float sample) {
  float scaled = std::nearbyint(sample * 32768.0f);
  if (scaled > 32767.0f) return 32767;
  if (scaled < -32768.0f) return -32768;
  return static_cast<std::int16_t>(scaled);
}

Converter::Converter(double input_rate, int channels, int quality)
    : input_rate_(input_rate), channels_(channels), ratio_(kOutputRate / input_rate) {
  if (channels < 1) throw std::runtime_error("audio has no channels");
  if (input_rate != kOutputRate) {
    if (!src_is_valid_ratio(ratio_))
      throw std::runtime_error("unsupported sample rate " + std::to_string(input_rate));
    int error = 0;
    state_ = src_new(quality, 1, &error);
    if (!state_) throw std::runtime_error(std::string("libsamplerate: ") + src_strerror(error));
  }
}

Converter::~Converter() {
  if (state_) src_delete(state_);
}

void Converter::push(const std::int16_t* in, std::size_t frames, std::vector<std::int16_t>& out) {
  std::size_t base = mono_.size();
  mono_.resize(base + frames);
  const float scale = 1.0f / (32768.0f * channels_);
  for (std::size_t f = 0; f < frames; ++f) {
    int sum = 0;
    for (int c = 0; c < channels_; ++c) sum += in[f * channels_ + c];
    mono_[base + f] = static_cast<float>(sum) * scale;
  }
  resample(false, out);
}

void Converter::push(const float* in, std::size_t frames, std::vector<std::int16_t>& out) {
  std::size_t base = mono_.size();
  mono_.resize(base + frames);
  const float scale = 1.0f / channels_;
  for (std::size_t f = 0; f < frames; ++f) {
    float sum = 0;
    for (int c = 0; c < channels_; ++c) sum += in[f * channels_ + c];
    mono_[base + f] = sum * scale;
  }
  resample(false, out);
}

void Converter::finish(std::vector<std::int16_t>& out) { resample(true, out); }

void Converter::resample(bool end_of_input, std::vector<std::int16_t>& out) {
  if (!state_) {
    for (float s : mono_) out.push_back(to_pcm16(s));
    mono_.clear();
    return;
  }
  // Loop until the resampler takes all input (and, at the end, gives all output).
  std::size_t offset = 0;
  for (;;) {
    std::size_t pending = mono_.size() - offset;
    resampled_.resize(static_cast<std::size_t>(pending * ratio_) + 256);
    SRC_DATA data{};
    data.data_in = mono_.data() + offset;
    data.input_frames = static_cast<long>(pending);
    data.data_out = resampled_.data();
    data.output_frames = static_cast<long>(resampled_.size());
    data.end_of_input = end_of_input ? 1 : 0;
    data.src_ratio = ratio_;
    if (int error = src_process(state_, &data); error != 0) {
      throw std::runtime_error(std::string("libsamplerate: ") + src_strerror(error));
    }
    for (long i = 0; i < data.output_frames_gen; ++i) out.push_back(to_pcm16(resampled_[i]));
    offset += static_cast<std::size_t>(data.input_frames_used);
    bool input_done = offset == mono_.size();
    if (input_done && (!end_of_input || data.output_frames_gen == 0)) break;
  }
  mono_.clear();
}

}  // namespace ptt::audio
