#pragma once
// Linux key names (as in <linux/input-event-codes.h>, without KEY_) ↔ key codes,
// for --key. Case-insensitive; "KEY_F9", "F9", "f9" and "67" all name KEY_F9.
#include <optional>
#include <string>
#include <string_view>

namespace ptt::hotkey {

std::optional<int> key_code(std::string_view name);
// "F9" for 67; "KEY_<code>" for codes without a name here.
std::string key_name(int code);

}  // namespace ptt::hotkey
