#include "realtime/audio_bytes.h"

#include <uv.h>  // libwebsockets' headers expect libuv's first when built with it

#include <libwebsockets.h>

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
  auto size = base64_decoded_size(text);
  if (!size) return std::nullopt;
  std::string out(*size + 8, '\0');  // lws wants slack past the end
  int n = lws_b64_decode_string_len(text.data(), static_cast<int>(text.size()), out.data(),
                                    static_cast<int>(out.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string encode_audio_base64(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4 + 8, '\0');  // lws wants slack past the end
  int n = lws_b64_encode_string(bytes.data(), static_cast<int>(bytes.size()), out.data(),
                                static_cast<int>(out.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

}  // namespace ptt::realtime
