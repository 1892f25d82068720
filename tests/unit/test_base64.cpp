#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "core/base64.h"

using ptt::base64_decode;
using ptt::base64_encode;

namespace {
std::string decoded_string(std::string_view text) {
  auto bytes = base64_decode(text);
  REQUIRE(bytes);
  return std::string(bytes->begin(), bytes->end());
}
}  // namespace

TEST_CASE("base64 matches the RFC 4648 test vectors", "[base64]") {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    CHECK(base64_encode(plain) == encoded);
    CHECK(decoded_string(encoded) == plain);
  }
}

TEST_CASE("base64 round-trips every length of random bytes", "[base64]") {
  std::mt19937 rng(42);
  for (std::size_t n = 0; n < 300; ++n) {
    std::string bytes(n, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    std::string text = base64_encode(bytes);
    CHECK(text.size() == (n + 2) / 3 * 4);
    CHECK(decoded_string(text) == bytes);
  }
}

TEST_CASE("base64 uses the + and / alphabet and appends in place", "[base64]") {
  const unsigned char high[] = {0xfb, 0xff, 0xbf};
  CHECK(base64_encode(high, 3) == "+/+/");
  std::string out = "x";
  ptt::base64_encode_append("ab", 2, out);
  CHECK(out == "xYWI=");
}

TEST_CASE("base64 rejects malformed text", "[base64]") {
  CHECK_FALSE(base64_decode("Zg="));       // not a multiple of 4
  CHECK_FALSE(base64_decode("Zg=a"));      // padding in the middle
  CHECK_FALSE(base64_decode("Z==="));      // too much padding
  CHECK_FALSE(base64_decode("Zm9v\n"));    // whitespace
  CHECK_FALSE(base64_decode("Zh=="));      // non-canonical: bits under the padding
  CHECK_FALSE(base64_decode("Zm9v-_8="));  // URL-safe alphabet is not ours
  CHECK(base64_decode("")->empty());
}
