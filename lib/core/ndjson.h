#pragma once
// NDJSON framing: bytes in, complete lines out, with a bounded line length.
// An over-long line is reported and skipped without ever being buffered whole,
// so memory stays bounded whatever the peer sends.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ptt {

class LineFramer {
 public:
  // line: one complete line without its '\n' (a trailing '\r' is kept: NDJSON
  // peers do not send it and JSON parsing tolerates it as whitespace).
  using LineFn = std::function<void(std::string_view line)>;
  // overflow: a line longer than max_line was dropped; `length` is its full size.
  using OverflowFn = std::function<void(std::size_t length)>;

  explicit LineFramer(std::size_t max_line = kDefaultMaxLine) : max_line_(max_line) {}

  void feed(std::string_view data, const LineFn& on_line, const OverflowFn& on_overflow);
  // End of stream: a final line without '\n' is still delivered.
  void finish(const LineFn& on_line, const OverflowFn& on_overflow);
  // Drops the partial line and gives its memory back (assigning a new framer would
  // not: a moved-into string keeps its buffer).
  void reset();

  std::size_t buffered() const { return partial_.size(); }
  // The memory the partial line holds (its buffer's capacity), for budgets across framers.
  std::size_t held() const { return partial_.capacity(); }
  std::size_t max_line() const { return max_line_; }

  static constexpr std::size_t kDefaultMaxLine = 1 << 20;

 private:
  std::size_t max_line_;
  std::string partial_;
  bool discarding_ = false;        // inside an over-long line, dropping bytes up to '\n'
  std::size_t discarded_len_ = 0;  // bytes of that line seen so far
};

// The outcome of reading one NDJSON line.
struct JsonLine {
  std::optional<nlohmann::json> value;  // set when the line parsed
  std::string error;                    // otherwise: what was wrong, for a human
};

JsonLine parse_json_line(std::string_view line);
// The same for readers that only ask whether it parsed: the value, or one that
// is_discarded() (not JSON, or nested deeper than kMaxJsonDepth).
nlohmann::json parse_json_or_discarded(std::string_view text);

// Frames and parses in one step: each line becomes a value or an error, and the
// stream always goes on. Line numbers count from 1 and include skipped lines.
class NdjsonReader {
 public:
  using ValueFn = std::function<void(nlohmann::json&& value, std::size_t line_no)>;
  using ErrorFn = std::function<void(const std::string& message, std::size_t line_no)>;

  NdjsonReader(ValueFn on_value, ErrorFn on_error, std::size_t max_line = LineFramer::kDefaultMaxLine);

  void feed(std::string_view data);
  void finish();

 private:
  void line(std::string_view text);
  void overflow(std::size_t length);

  LineFramer framer_;
  ValueFn on_value_;
  ErrorFn on_error_;
  std::size_t line_no_ = 0;
};

// One compact JSON document followed by '\n'.
std::string to_ndjson(const nlohmann::json& value);

}  // namespace ptt
