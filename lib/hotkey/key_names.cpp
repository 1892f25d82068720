#include "hotkey/key_names.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace ptt::hotkey {
namespace {

struct KeyEntry {
  std::string_view name;
  int code;
};

constexpr KeyEntry kKeys[] = {
#include "hotkey/key_table.inc"
};

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

}  // namespace

std::optional<int> key_code(std::string_view name) {
  std::string wanted = upper(name);
  if (wanted.rfind("KEY_", 0) == 0) wanted.erase(0, 4);
  if (wanted.empty()) return std::nullopt;
  for (const auto& k : kKeys) {
    if (k.name == wanted) return k.code;
  }
  // Not a name: a raw code, for keys this table does not know.
  if (wanted.size() <= 4 &&
      std::all_of(wanted.begin(), wanted.end(), [](unsigned char c) { return std::isdigit(c); })) {
    int code = std::stoi(wanted);
    if (code > 0 && code < 0x300) return code;
  }
  return std::nullopt;
}

std::string key_name(int code) {
  for (const auto& k : kKeys) {
    if (k.code == code) return std::string(k.name);
  }
  return "KEY_" + std::to_string(code);
}

}  // namespace ptt::hotkey
