#pragma once
// A text level meter for stderr (--meter): RMS level in dBFS drawn as a bar.
#include <cstdint>
#include <string>
#include <vector>

namespace ptt::audio {

// RMS of PCM16 samples relative to full scale, in dB; -120 for digital silence.
double rms_dbfs(const std::vector<std::int16_t>& samples);

// "[#######.........] -23 dBFS" over a -60..0 dB scale, `width` cells wide.
std::string render_meter(double dbfs, int width = 30, bool recording = false);

}  // namespace ptt::audio
