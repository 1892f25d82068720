#pragma once
// Audio as it crosses the wire: base64 text <-> PCM16 bytes, and their duration.
// Kept behind these functions so the hot path's codec can change in one place.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ptt::realtime {

inline constexpr int kSampleRate = 24000;
inline constexpr int kBytesPerMs = kSampleRate * 2 / 1000;  // PCM16 mono: 48 bytes per ms

// Decoded bytes, or nullopt if `text` is not valid base64.
std::optional<std::string> decode_audio_base64(std::string_view text);
std::string encode_audio_base64(std::string_view bytes);

// Size of what `text` decodes to, without decoding it; nullopt if it is not
// well-formed base64 (length and alphabet are checked).
std::optional<std::size_t> base64_decoded_size(std::string_view text);

inline std::int64_t pcm16_ms(std::size_t bytes) { return static_cast<std::int64_t>(bytes / kBytesPerMs); }

}  // namespace ptt::realtime
