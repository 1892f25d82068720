// Resampler accuracy: 44.1, 48 and 16 kHz → 24 kHz through audio::Converter.
//
// Thresholds, and why:
// - Frequency: the tone must come out at the same pitch to within 0.01%. A wrong
//   ratio (e.g. 44.1 treated as 48 kHz) is off by 8%; even a one-sample-per-second
//   drift would be 0.004%, so 0.01% leaves margin only for the estimator.
// - SNR ≥ 80 dB against the ideal tone: the output is PCM16, whose quantisation
//   floor for a half-scale sine is ~92 dB, and libsamplerate's medium sinc converter
//   is specified at ~97 dB (measured here: 89.7-92.6 dB); 80 dB leaves room for both while any real defect
//   (aliasing, a dropped or repeated block, a wrong filter, phase jumps) lands
//   below 50 dB. Speech recognition needs far less; the bar is about correctness.
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include "audio/converter.h"

using ptt::audio::Converter;

namespace {

constexpr double kPi = 3.14159265358979323846;

std::vector<std::int16_t> tone(double rate, int channels, double freq, double amplitude, double seconds) {
  std::size_t frames = static_cast<std::size_t>(rate * seconds);
  std::vector<std::int16_t> out(frames * channels);
  for (std::size_t i = 0; i < frames; ++i) {
    auto s = static_cast<std::int16_t>(std::lround(amplitude * 32767 * std::sin(2 * kPi * freq * i / rate)));
    for (int c = 0; c < channels; ++c) out[i * channels + c] = s;
  }
  return out;
}

std::vector<std::int16_t> convert(const std::vector<std::int16_t>& in, double rate, int channels) {
  Converter conv(rate, channels);
  std::vector<std::int16_t> out;
  // Feed in 10 ms blocks, as capture does, so block boundaries are exercised.
  std::size_t block = static_cast<std::size_t>(rate / 100) * channels;
  for (std::size_t pos = 0; pos < in.size(); pos += block) {
    std::size_t n = std::min(block, in.size() - pos);
    conv.push(in.data() + pos, n / channels, out);
  }
  conv.finish(out);
  return out;
}

// Frequency from interpolated upward zero crossings, skipping the filter's edges.
double measured_frequency(const std::vector<std::int16_t>& s, double rate) {
  std::vector<double> crossings;
  for (std::size_t i = 2400; i + 2400 < s.size(); ++i) {
    if (s[i - 1] < 0 && s[i] >= 0) crossings.push_back(i - 1 + double(-s[i - 1]) / (s[i] - s[i - 1]));
  }
  REQUIRE(crossings.size() > 10);
  return (crossings.size() - 1) * rate / (crossings.back() - crossings.front());
}

// SNR of the best-fitting sine at `freq` (least squares on sin and cos) over the middle.
double snr_db(const std::vector<std::int16_t>& s, double rate, double freq) {
  double ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  std::size_t from = 2400, to = s.size() - 2400;
  for (std::size_t i = from; i < to; ++i) {
    double a = std::sin(2 * kPi * freq * i / rate), b = std::cos(2 * kPi * freq * i / rate);
    ss += a * a, cc += b * b, sc += a * b, ys += s[i] * a, yc += s[i] * b;
  }
  double det = ss * cc - sc * sc;
  double ka = (ys * cc - yc * sc) / det, kb = (yc * ss - ys * sc) / det;
  double signal = 0, noise = 0;
  for (std::size_t i = from; i < to; ++i) {
    double fit = ka * std::sin(2 * kPi * freq * i / rate) + kb * std::cos(2 * kPi * freq * i / rate);
    signal += fit * fit;
    noise += (s[i] - fit) * (s[i] - fit);
  }
  return 10 * std::log10(signal / noise);
}

double rms(const std::vector<std::int16_t>& s) {
  double sum = 0;
  for (std::size_t i = 2400; i + 2400 < s.size(); ++i) sum += double(s[i]) * s[i];
  return std::sqrt(sum / (s.size() - 4800)) / 32767;
}

}  // namespace

TEST_CASE("resampling to 24 kHz keeps pitch, level and length", "[audio][resampler]") {
  for (double rate : {44100.0, 48000.0, 16000.0}) {
    for (double freq : {440.0, 1000.0, 3150.0}) {
      CAPTURE(rate, freq);
      auto in = tone(rate, 1, freq, 0.5, 2.0);
      auto out = convert(in, rate, 1);
      // Every input sample is accounted for: length scales by exactly the ratio (±1).
      CHECK(std::abs(static_cast<double>(out.size()) - in.size() * 24000.0 / rate) <= 1.0);
      CHECK(std::abs(measured_frequency(out, 24000) / freq - 1) < 1e-4);
      CHECK(snr_db(out, 24000, freq) > 80.0);
      CHECK(std::abs(20 * std::log10(rms(out) / (0.5 / std::sqrt(2)))) < 0.05);  // level within 0.05 dB
    }
  }
}

TEST_CASE("a tone above the new Nyquist frequency is filtered out, not aliased", "[audio][resampler]") {
  auto out = convert(tone(48000, 1, 15000, 0.5, 1.0), 48000, 1);
  // Unfiltered, 15 kHz would fold to 9 kHz at full level; demand 60 dB of rejection.
  CHECK(20 * std::log10(rms(out) / (0.5 / std::sqrt(2))) < -60.0);
}

TEST_CASE("stereo is averaged to mono before resampling", "[audio][resampler]") {
  std::vector<std::int16_t> in(48000 * 2);
  for (std::size_t i = 0; i < 48000; ++i) {
    double s = std::sin(2 * kPi * 1000 * i / 48000.0);
    in[2 * i] = static_cast<std::int16_t>(std::lround(0.6 * 32767 * s));
    in[2 * i + 1] = static_cast<std::int16_t>(std::lround(0.2 * 32767 * s));
  }
  auto out = convert(in, 48000, 2);
  CHECK(out.size() == 24000);
  CHECK(std::abs(20 * std::log10(rms(out) / (0.4 / std::sqrt(2)))) < 0.05);
}

TEST_CASE("24 kHz mono input passes through unchanged", "[audio][resampler]") {
  auto in = tone(24000, 1, 440, 0.9, 0.1);
  Converter conv(24000, 1);
  std::vector<std::int16_t> out;
  conv.push(in.data(), in.size(), out);
  conv.finish(out);
  CHECK(out == in);
}

TEST_CASE("float input clips at full scale instead of wrapping", "[audio][resampler]") {
  CHECK(ptt::audio::to_pcm16(1.5f) == 32767);
  CHECK(ptt::audio::to_pcm16(-1.5f) == -32768);
  CHECK(ptt::audio::to_pcm16(0.5f) == 16384);
  float in[] = {0.25f, 0.75f};
  Converter conv(24000, 2);
  std::vector<std::int16_t> out;
  conv.push(in, 1, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0] == 16384);
}
