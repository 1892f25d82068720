#include "protocol/worktree_changes.h"

#include <fmt/format.h>

namespace ptt::protocol {

namespace {

// The leading decimal number of `s` (0 when there is none: a binary file's "-").
std::int64_t leading_count(std::string_view s) {
  std::int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9' || n > (INT64_MAX - 9) / 10) break;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

WorktreeChanges changes_of_numstat(std::string_view numstat) {
  WorktreeChanges out;
  while (!numstat.empty()) {
    std::size_t end = numstat.find('\n');
    std::string_view line = numstat.substr(0, end);
    numstat.remove_prefix(end == std::string_view::npos ? numstat.size() : end + 1);
    std::size_t tab = line.find('\t');
    if (line.empty() || tab == std::string_view::npos) continue;
    ++out.files;
    out.insertions += leading_count(line);
    out.deletions += leading_count(line.substr(tab + 1));
  }
  return out;
}

std::string change_summary(const WorktreeChanges& c) {
  if (c.files == 0) return "no changes";
  return fmt::format("changed {} file{}, +{} \u2212{}", c.files, c.files == 1 ? "" : "s", c.insertions,
                     c.deletions);
}

bool is_resolution(std::string_view s) { return s == resolution::kMerged || s == resolution::kDiscarded; }

}  // namespace ptt::protocol
