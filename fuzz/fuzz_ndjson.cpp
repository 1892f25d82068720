// NDJSON framer and reader: arbitrary bytes, split into arbitrary chunks, must
// give the same lines as one feed, never buffer more than max_line, never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/ndjson.h"

namespace {

struct Framed {
  std::vector<std::string> lines;
  std::vector<std::size_t> overflows;
  bool operator==(const Framed&) const = default;
};

// First byte: max line length (small, so the overflow path is reached); second:
// chunk size; the rest is the stream.
Framed frame(std::string_view data, std::size_t max_line, std::size_t chunk) {
  ptt::LineFramer framer(max_line);
  Framed out;
  auto on_line = [&](std::string_view line) {
    if (line.size() > max_line) std::abort();
    if (line.find('\n') != std::string_view::npos) std::abort();
    out.lines.emplace_back(line);
  };
  auto on_overflow = [&](std::size_t length) {
    if (length <= max_line) std::abort();
    out.overflows.push_back(length);
  };
  for (std::size_t at = 0; at < data.size(); at += chunk) {
    framer.feed(data.substr(at, chunk), on_line, on_overflow);
    if (framer.buffered() > max_line) std::abort();
  }
  framer.finish(on_line, on_overflow);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  if (size < 2) return 0;
  std::size_t max_line = 1 + bytes[0] % 64;
  std::size_t chunk = 1 + bytes[1] % 16;
  std::string_view data(reinterpret_cast<const char*>(bytes) + 2, size - 2);

  // Chunking must not change what comes out.
  if (!(frame(data, max_line, chunk) == frame(data, max_line, data.size() + 1))) std::abort();

  // The reader reports every line as a value or an error, in order, and goes on.
  std::size_t last_line = 0;
  auto check_order = [&](std::size_t line_no) {
    if (line_no <= last_line) std::abort();
    last_line = line_no;
  };
  ptt::NdjsonReader reader(
      [&](nlohmann::json&& value, std::size_t line_no) {
        check_order(line_no);
        (void)ptt::to_ndjson(value);
      },
      [&](const std::string& message, std::size_t line_no) {
        check_order(line_no);
        if (message.empty()) std::abort();
      },
      max_line * 4);
  for (std::size_t at = 0; at < data.size(); at += chunk) reader.feed(data.substr(at, chunk));
  reader.finish();
  return 0;
}
