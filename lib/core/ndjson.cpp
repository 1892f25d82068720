#include "core/ndjson.h"

#include <fmt/format.h>

#include "core/json_depth.h"

namespace ptt {

void LineFramer::feed(std::string_view data, const LineFn& on_line, const OverflowFn& on_overflow) {
  while (!data.empty()) {
    std::size_t nl = data.find('\n');
    std::string_view chunk = nl == std::string_view::npos ? data : data.substr(0, nl);
    bool complete = nl != std::string_view::npos;
    data = complete ? data.substr(nl + 1) : std::string_view{};

    if (discarding_) {
      discarded_len_ += chunk.size();
      if (complete) {
        on_overflow(discarded_len_);
        discarding_ = false;
        discarded_len_ = 0;
      }
      continue;
    }
    if (partial_.size() + chunk.size() > max_line_) {
      discarding_ = true;
      discarded_len_ = partial_.size() + chunk.size();
      partial_.clear();
      partial_.shrink_to_fit();  // give the memory back: the line may have been huge
      if (complete) {
        on_overflow(discarded_len_);
        discarding_ = false;
        discarded_len_ = 0;
      }
      continue;
    }
    if (!complete) {
      partial_.append(chunk);
      continue;
    }
    if (partial_.empty()) {
      on_line(chunk);  // common case: no copy
    } else {
      partial_.append(chunk);
      std::string line = std::move(partial_);
      partial_.clear();
      on_line(line);
    }
  }
}

void LineFramer::finish(const LineFn& on_line, const OverflowFn& on_overflow) {
  if (discarding_) {
    on_overflow(discarded_len_);
  } else if (!partial_.empty()) {
    std::string line = std::move(partial_);
    on_line(line);
  }
  partial_.clear();
  discarding_ = false;
  discarded_len_ = 0;
}

void LineFramer::reset() {
  partial_.clear();
  partial_.shrink_to_fit();
  discarding_ = false;
  discarded_len_ = 0;
}

JsonLine parse_json_line(std::string_view line) {
  JsonLine out;
  // Before the parser: the values it builds are copied, compared and dumped
  // recursively, so a peer's 60,000-deep array would overflow the stack.
  if (!json_depth_within(line)) {
    out.error = json_too_deep_message();
    return out;
  }
  try {
    out.value = nlohmann::json::parse(line);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based; the library's own message repeats the whole input, which
    // may be huge, so build a short one.
    out.error = fmt::format("invalid JSON at byte {}", e.byte);
  } catch (const nlohmann::json::exception& e) {
    // Valid syntax the library still refuses, e.g. a number out of double's range (1E400).
    out.error =
        fmt::format("unreadable JSON ({})", e.id == 406 ? "number out of range" : "refused by the parser");
  }
  return out;
}

nlohmann::json parse_json_or_discarded(std::string_view text) {
  // No exceptions: the daemon reads each task's supervisor.ndjson, whose every line
  // starts with a newline, so about every other line it parses is empty; a throw per
  // empty line was a dozen unwinds per task.
  if (!json_depth_within(text)) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

NdjsonReader::NdjsonReader(ValueFn on_value, ErrorFn on_error, std::size_t max_line)
    : framer_(max_line), on_value_(std::move(on_value)), on_error_(std::move(on_error)) {}

void NdjsonReader::feed(std::string_view data) {
  framer_.feed(
      data, [this](std::string_view l) { line(l); }, [this](std::size_t n) { overflow(n); });
}

void NdjsonReader::finish() {
  framer_.finish([this](std::string_view l) { line(l); }, [this](std::size_t n) { overflow(n); });
}

void NdjsonReader::line(std::string_view text) {
  ++line_no_;
  if (text.find_first_not_of(" \t\r") == std::string_view::npos) return;  // blank lines are allowed
  JsonLine parsed = parse_json_line(text);
  if (parsed.value) {
    on_value_(std::move(*parsed.value), line_no_);
  } else {
    on_error_(parsed.error, line_no_);
  }
}

void NdjsonReader::overflow(std::size_t length) {
  ++line_no_;
  on_error_(fmt::format("line of {} bytes is over the {}-byte limit; skipped", length, framer_.max_line()),
            line_no_);
}

std::string to_ndjson(const nlohmann::json& value) {
  std::string s = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  s.push_back('\n');
  return s;
}

}  // namespace ptt
