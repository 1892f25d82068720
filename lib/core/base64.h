#pragma once
// Standard base64 (RFC 4648, with '=' padding), as the Realtime API carries audio.
// Debian ships no C++ base64 we already depend on, and the codec is small enough to
// test exhaustively; see tests/unit/test_base64.cpp.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ptt {

// Appends the encoding of `size` bytes at `data` to `out` (no allocation beyond growth).
void base64_encode_append(const void* data, std::size_t size, std::string& out);
std::string base64_encode(const void* data, std::size_t size);
inline std::string base64_encode(std::string_view bytes) { return base64_encode(bytes.data(), bytes.size()); }

// Strict decoding: padding required, no whitespace. nullopt on any invalid input.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text);

}  // namespace ptt
