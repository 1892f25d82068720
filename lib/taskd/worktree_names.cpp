#include "taskd/worktree_names.h"

#include <system_error>

#include <fmt/format.h>

namespace ptt::taskd {
namespace fs = std::filesystem;

namespace {

// What git check-ref-format allows in one component, and more: letters, digits, `.`,
// `_`, `-`; runs of anything else become one `-`; no leading `.` or `-`, no `..`, no
// trailing `.` or `.lock`.
std::string ref_safe(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '.' && !out.empty() && out.back() == '.') continue;  // ".." is no ref
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || (c == '.' && !out.empty() && out.back() != '.');
    if (ok) {
      out += c;
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && (out.back() == '.' || out.back() == '-')) out.pop_back();
  if (out.size() > 60) out.resize(60);
  if (out.size() >= 5 && out.compare(out.size() - 5, 5, ".lock") == 0) out.resize(out.size() - 5);
  while (!out.empty() && (out.back() == '.' || out.back() == '-')) out.pop_back();
  return out;
}

}  // namespace

std::optional<fs::path> git_toplevel(const fs::path& dir) {
  std::error_code ec;
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / ".git", ec)) return p;
    if (p == p.root_path()) break;
  }
  return std::nullopt;
}

std::string worktree_branch(std::int64_t id, const std::optional<std::string>& name) {
  std::string safe = name ? ref_safe(*name) : std::string();
  return safe.empty() ? fmt::format("ptt/{}", id) : fmt::format("ptt/{}-{}", id, safe);
}

fs::path worktree_dir(const fs::path& state_dir, const fs::path& repo, std::int64_t id) {
  std::string base = ref_safe(repo.filename().string());
  return state_dir / "worktrees" / fmt::format("{}-{}", base.empty() ? "repo" : base, id);
}

}  // namespace ptt::taskd
