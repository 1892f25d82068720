#include "taskcli/duration.h"

#include <cctype>

namespace ptt::taskcli {

namespace {

std::optional<double> unit_seconds(char unit) {
  switch (unit) {
    case 's':
      return 1;
    case 'm':
      return 60;
    case 'h':
      return 3600;
    case 'd':
      return 86400;
    case 'w':
      return 7 * 86400;
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    double number = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      number = number * 10 + (text[i] - '0');
      ++i;
    }
    if (i == start) return std::nullopt;  // a unit without its number, a sign, a space
    if (i == text.size()) {
      // A bare number is seconds, but only on its own ("90", not "1h30").
      if (start != 0) return std::nullopt;
      return number;
    }
    auto unit = unit_seconds(text[i]);
    if (!unit) return std::nullopt;
    total += number * *unit;
    ++i;
  }
  return total;
}

}  // namespace ptt::taskcli
