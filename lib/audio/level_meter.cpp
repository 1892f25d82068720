#include "audio/level_meter.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace ptt::audio {

double rms_dbfs(const std::vector<std::int16_t>& samples) {
  if (samples.empty()) return -120.0;
  double sum = 0;
  for (std::int16_t s : samples) sum += static_cast<double>(s) * s;
  double rms = std::sqrt(sum / samples.size()) / 32768.0;
  if (rms <= 0) return -120.0;
  return std::max(-120.0, 20.0 * std::log10(rms));
}

std::string render_meter(double dbfs, int width, bool recording) {
  constexpr double kFloor = -60.0;  // quieter than this is "nothing" for speech
  double fraction = std::clamp((dbfs - kFloor) / -kFloor, 0.0, 1.0);
  int filled = static_cast<int>(std::lround(fraction * width));
  std::string bar(filled, '#');
  bar.append(width - filled, '.');
  return fmt::format("{} [{}] {:4.0f} dBFS", recording ? "REC" : "   ", bar, std::max(dbfs, -99.0));
}

}  // namespace ptt::audio
