#pragma once
// Where a task may run: the daemon's --allow-root directories.
#include <filesystem>
#include <vector>

namespace ptt::taskd {

// True when `roots` is empty or `dir` (canonical) is one of them or inside one.
bool cwd_allowed(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& roots);

}  // namespace ptt::taskd
