#pragma once
// PCM16 mono as a WAV file in memory (libsndfile over virtual I/O), for uploading.
#include <string>
#include <string_view>

namespace ptt::transcribe {

// `pcm`: little-endian signed 16-bit samples. Throws std::runtime_error with
// libsndfile's reason if it refuses (never for well-formed input).
std::string pcm16_to_wav(std::string_view pcm, int sample_rate);

}  // namespace ptt::transcribe
