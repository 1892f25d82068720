#include "taskd/allowed_roots.h"

#include <algorithm>
#include <iterator>

namespace ptt::taskd {

bool cwd_allowed(const std::filesystem::path& dir, const std::vector<std::filesystem::path>& roots) {
  if (roots.empty()) return true;
  return std::any_of(roots.begin(), roots.end(), [&](const std::filesystem::path& root) {
    auto [r, d] = std::mismatch(root.begin(), root.end(), dir.begin(), dir.end());
    // Every component of the root matches (a trailing empty component from "dir/" too).
    return r == root.end() || (std::next(r) == root.end() && r->empty());
  });
}

}  // namespace ptt::taskd
