#include "realtime/audio_bytes.h"

#include "core/base64.h"

namespace ptt::realtime {

namespace {

bool is_b64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

std::optional<std::size_t> base64_decoded_size(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  for (std::size_t i = 0; i < text.size() - pad; ++i) {
    if (!is_b64_char(text[i])) return std::nullopt;
  }
  return text.size() / 4 * 3 - pad;
}

std::optional<std::string> decode_audio_base64(std::string_view text) {
  auto bytes = ptt::base64_decode(text);
  if (!bytes) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

std::string encode_audio_base64(std::string_view bytes) { return ptt::base64_encode(bytes); }

}  // namespace ptt::realtime
