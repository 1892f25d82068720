#pragma once
// A JSON scanner for the common, simple case only, several times faster than
// nlohmann's lexer (which copies every character through a per-character reader):
// the daemon reads 100,000 journal lines at start-up. It drives a handler with
// nlohmann's SAX interface. Whatever it does not fully handle (a \u escape, a
// non-ASCII byte, a long integer, deep nesting, or anything malformed) makes it give
// up with kNotSimple before it has judged the text, so the caller reruns the text
// through nlohmann::json::sax_parse: it never accepts what nlohmann would refuse, and
// gives the handler the same events nlohmann would.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace ptt {

enum class SimpleScan { kAccepted, kRefusedByHandler, kNotSimple };

template <typename Handler>
class JsonSimpleScanner {
 public:
  JsonSimpleScanner(std::string_view text, Handler& handler)
      : p_(text.data()), end_(p_ + text.size()), h_(handler) {}

  SimpleScan run() {
    skip_space();
    SimpleScan r = value(0);
    if (r != SimpleScan::kAccepted) return r;
    skip_space();
    return p_ == end_ ? SimpleScan::kAccepted : SimpleScan::kNotSimple;
  }

 private:
  static constexpr int kMaxDepth = 16;

  void skip_space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
  }
  static SimpleScan handled(bool ok) { return ok ? SimpleScan::kAccepted : SimpleScan::kRefusedByHandler; }

  SimpleScan value(int depth) {
    if (p_ == end_) return SimpleScan::kNotSimple;
    switch (*p_) {
      case '{':
        return container(depth + 1, true);
      case '[':
        return container(depth + 1, false);
      case '"':
        if (!string()) return SimpleScan::kNotSimple;
        return handled(h_.string(buf_));
      case 't':
        return literal("true") ? handled(h_.boolean(true)) : SimpleScan::kNotSimple;
      case 'f':
        return literal("false") ? handled(h_.boolean(false)) : SimpleScan::kNotSimple;
      case 'n':
        return literal("null") ? handled(h_.null()) : SimpleScan::kNotSimple;
      default:
        return number();
    }
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
      return false;
    p_ += word.size();
    return true;
  }

  // An object or an array, from its opening bracket to its closing one.
  SimpleScan container(int depth, bool object) {
    if (depth > kMaxDepth) return SimpleScan::kNotSimple;
    const char close = object ? '}' : ']';
    ++p_;
    if (!(object ? h_.start_object(static_cast<std::size_t>(-1))
                 : h_.start_array(static_cast<std::size_t>(-1))))
      return SimpleScan::kRefusedByHandler;
    skip_space();
    bool empty = p_ != end_ && *p_ == close;
    while (!empty) {
      if (object) {
        if (p_ == end_ || *p_ != '"' || !string()) return SimpleScan::kNotSimple;
        if (!h_.key(buf_)) return SimpleScan::kRefusedByHandler;
        skip_space();
        if (p_ == end_ || *p_ != ':') return SimpleScan::kNotSimple;
        ++p_;
        skip_space();
      }
      if (SimpleScan r = value(depth); r != SimpleScan::kAccepted) return r;
      skip_space();
      if (p_ == end_) return SimpleScan::kNotSimple;
      if (*p_ == close) break;
      if (*p_ != ',') return SimpleScan::kNotSimple;
      ++p_;
      skip_space();
    }
    ++p_;
    return handled(object ? h_.end_object() : h_.end_array());
  }

  // A string of printable ASCII with the one-character escapes, into buf_; false for
  // anything else (a \u escape, a byte past 0x7E or below 0x20, no closing quote).
  bool string() {
    ++p_;
    buf_.clear();
    for (;;) {
      const char* start = p_;
      while (p_ != end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20 &&
             static_cast<unsigned char>(*p_) < 0x7f)
        ++p_;
      buf_.append(start, p_);
      if (p_ == end_) return false;
      if (*p_ == '"') {
        ++p_;
        return true;
      }
      if (*p_ != '\\' || ++p_ == end_) return false;
      switch (*p_++) {
        case '"':
          buf_ += '"';
          break;
        case '\\':
          buf_ += '\\';
          break;
        case '/':
          buf_ += '/';
          break;
        case 'b':
          buf_ += '\b';
          break;
        case 'f':
          buf_ += '\f';
          break;
        case 'n':
          buf_ += '\n';
          break;
        case 'r':
          buf_ += '\r';
          break;
        case 't':
          buf_ += '\t';
          break;
        default:
          return false;
      }
    }
  }

  // JSON's number grammar; an integer of up to 18 digits is read here, a float by
  // strtod as nlohmann does (so the same double), anything else is not simple.
  SimpleScan number() {
    const char* start = p_;
    bool negative = p_ != end_ && *p_ == '-';
    if (negative) ++p_;
    auto digits = [this] {
      const char* d = p_;
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      return static_cast<std::size_t>(p_ - d);
    };
    const char* int_start = p_;
    std::size_t int_digits = digits();
    if (int_digits == 0 || (int_digits > 1 && *int_start == '0')) return SimpleScan::kNotSimple;
    bool is_float = false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (digits() == 0) return SimpleScan::kNotSimple;
      is_float = true;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (digits() == 0) return SimpleScan::kNotSimple;
      is_float = true;
    }
    if (!is_float) {
      if (int_digits > 18) return SimpleScan::kNotSimple;
      std::int64_t v = 0;
      for (const char* d = int_start; d != p_; ++d) v = v * 10 + (*d - '0');
      return handled(negative ? h_.number_integer(-v) : h_.number_unsigned(static_cast<std::uint64_t>(v)));
    }
    num_.assign(start, p_);
    char* parsed_end = nullptr;
    double v = std::strtod(num_.c_str(), &parsed_end);
    // nlohmann's parser refuses a number out of double's range (1E400).
    if (parsed_end != num_.c_str() + num_.size() || !std::isfinite(v)) return SimpleScan::kNotSimple;
    return handled(h_.number_float(v, num_));
  }

  const char* p_;
  const char* end_;
  Handler& h_;
  std::string buf_, num_;
};

// True when JsonSimpleScanner reads all of `text` (a caller that cannot start over
// once its handler has seen events asks first).
inline bool json_is_simple(std::string_view text) {
  struct Nothing {
    bool null() { return true; }
    bool boolean(bool) { return true; }
    bool number_integer(std::int64_t) { return true; }
    bool number_unsigned(std::uint64_t) { return true; }
    bool number_float(double, const std::string&) { return true; }
    bool string(std::string&) { return true; }
    bool key(std::string&) { return true; }
    bool start_object(std::size_t) { return true; }
    bool end_object() { return true; }
    bool start_array(std::size_t) { return true; }
    bool end_array() { return true; }
  } nothing;
  return JsonSimpleScanner(text, nothing).run() == SimpleScan::kAccepted;
}

}  // namespace ptt
