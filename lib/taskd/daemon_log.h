#pragma once
// The daemon's log: "ptt-taskd: <message>" lines on stderr.
#include <string_view>

namespace ptt::taskd {

void daemon_log(std::string_view message);

}  // namespace ptt::taskd
